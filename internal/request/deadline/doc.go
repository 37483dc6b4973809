// Package deadline is the deadline engine for disclosure requests (依申请公开,
// 《中华人民共和国政府信息公开条例》, State Council Decree 711, "the
// Regulations"): given an application's event log, a rule book and the
// working-day calendar, it returns the current reply due date, the working
// days left and an explanation in Chinese that a clerk can check line by
// line.
//
// The engine is a pure function. It does no I/O and never reads the clock:
// "today" is a parameter. Everything a city may set differently (periods,
// whether the fee period stops the clock, the rest-day arrival rule) is data
// in a Rules value with an effective date (RuleBook), so rules can be stored
// in the database and the 2008 Regulations (Decree 492) still apply to
// imported old cases.
//
// # The model
//
// An application is a log of dated events (Event), in date order, starting
// with Received. Periods count working days only and start the day after the
// day they run from (workday.Calendar.AddWorkingDays):
//
//   - Receipt (Art. 31): an application that arrives on a rest day is treated
//     as received on the next working day when Rules.RestDayArrivalNextWorkingDay
//     is set; the reply period then starts the day after that working day.
//     Result.EffectiveStart is the day the current period runs from.
//   - Reply (Art. 33): due ReplyDays working days after EffectiveStart.
//   - Supplement (补正, Art. 30): asked at most once, within
//     SupplementRequestDays of receipt (Result.SupplementDueOn). While it is
//     outstanding the clock is stopped; when the supplemented application
//     arrives, the whole reply period restarts from that day. If the applicant
//     does not supplement, the request lapses (annual report row （六）1).
//   - Consultation (征求意见, Art. 32 third parties, Art. 34 other agencies):
//     the working days after the day the consultation starts, up to and
//     including the day it ends, do not count; the due date moves by that many
//     working days. The answer is due ConsultationDays after the start
//     (Result.ConsultationDueOn).
//   - Extension (延期答复, Art. 33): once per reply period, at most
//     ExtensionMaxDays, decided within the period; it adds its days to the due
//     date.
//   - Fee (信息处理费, 国办函〔2020〕109号): the applicant pays within
//     FeePaymentDays of the notice (Result.FeePaymentDueOn), otherwise the
//     request lapses (row （六）2). With PauseWhileFeeUnpaid the clock stops
//     from the notice to the payment, counted like a consultation.
//   - Reply, close and reopen: a reply fixes the due date and records whether
//     it was late; a reopen (a reconsideration or court orders a new reply)
//     starts a new reply period from the reopen date.
//
// A pause that is still open is shown "as if it ended today": the due date is
// the one the request would have if the pause ended on today's date, and the
// explanation says so.
//
// # Three entry points
//
// Compute replays a log and never rejects it: what does not fit the rules
// becomes a line in Result.Warnings and is ignored, capped or applied as
// recorded (each case says which). ComputeDue is the same computation without
// the explanation and warnings, for bulk recomputation after a calendar or
// rule change. CanAppend is the gate for new events: it returns a
// fault.Conflict error naming the current state and the allowed next event
// kinds, or a fault.Invalid error for bad values. Allowed lists the event
// kinds the state machine accepts next.
//
// Dates in years the calendar does not cover are errors from the calendar
// (fault.Invalid "unknown calendar", with a *workday.UnknownYearError cause):
// a due date is never guessed.
package deadline
