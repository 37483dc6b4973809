package deadline

import (
	"fmt"

	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// Allowed returns the event kinds the state machine accepts after events, in
// the order of EventKinds:
//
//	no receipt yet                  received
//	open (clock running)            supplement_requested (first period, not yet asked),
//	                                consultation_started, extended (not yet extended in
//	                                this period), fee_notified (not yet in this period),
//	                                replied, closed
//	paused for a supplement         supplement_received, supplement_lapsed, closed
//	paused for a consultation       consultation_ended, closed
//	fee notified, not yet paid      fee_paid, fee_lapsed, closed
//	replied                         closed, reopened
//	closed                          reopened
//	lapsed                          closed, reopened
//
// Allowed knows neither rules nor calendar: CanAppend also checks dates and
// values (the supplement window, the extension length, date order). The log
// is replayed as Compute replays it (sorted by date, events that do not fit
// ignored).
func Allowed(events []Event) []EventKind {
	var st status
	sorted, _ := inDateOrder(events)
	for _, e := range sorted {
		if st.phase == phaseNone && (e.Kind != Received || !e.On.Valid()) {
			continue // before the receipt
		}
		if e.On.Valid() && st.takesEffect(e.Kind) {
			st.step(e.Kind, false)
		}
	}
	return st.allowed(nil)
}

// CanAppend reports whether next may be appended to the log events under the
// rule book and calendar. It returns nil, or:
//
//   - a fault.Conflict error when the state machine does not accept next's
//     kind now; the message names the current state and the allowed kinds,
//     e.g. "cannot extend: the request is paused for a supplement; allowed:
//     supplement_received, supplement_lapsed, closed";
//   - a fault.Invalid error for a bad value: an invalid date or unknown kind;
//     a date before the receipt or before the last event; Days on an event
//     other than an extension; a second supplement request (Art. 30: once),
//     or one after the window of SupplementRequestDays after receipt; a
//     second extension in a reply period (Art. 33: once), one longer than
//     ExtensionMaxDays or shorter than a day, one without a reason, or one
//     decided after the due date; a second fee notice in a period; a fee
//     lapse on or before the last payment day;
//   - the calendar's error for a date in a year it does not cover, and the
//     rule book's errors.
//
// The existing log is replayed leniently, as Compute does, so that a log
// that has become irregular (say, after a calendar correction) does not
// block further events; Compute's Warnings report such problems.
func CanAppend(events []Event, next Event, rules RuleBook, cal *workday.Calendar) error {
	var m engine
	if len(events) == 0 {
		if next.Kind != Received {
			var st status
			return conflict(next.Kind, &st)
		}
		if !next.On.Valid() {
			return fault.Field("on", "invalid date %d-%02d-%02d", next.On.Year, int(next.On.Month), next.On.Day)
		}
		if cal == nil {
			return fault.New(fault.Invalid, "no working-day calendar")
		}
		if err := rules.Validate(); err != nil {
			return err
		}
		r, err := rules.For(next.On)
		if err != nil {
			return err
		}
		m.cal, m.rules = cal, r
		_, err = m.arrive(next.On) // the calendar must cover the receipt
		return err
	}
	if err := m.replay(events, rules, cal, workday.Date{}); err != nil {
		return err
	}
	p, err := m.check(next)
	if err != nil {
		return err
	}
	if p != nil {
		return p
	}
	return nil
}

// conflict is the fault.Conflict error for an event of kind k in state st.
func conflict(k EventKind, st *status) *fault.Error {
	var buf [len(allKinds)]EventKind
	return fault.New(fault.Conflict, "cannot %s: %s; allowed: %s", verb(k), st.describe(), kindList(st.allowed(buf[:0])))
}

// check validates e as the next event after the replayed log: nil when it
// is acceptable, else the problem (fault.Conflict or fault.Invalid). The
// error is for calendar failures, which are not problems of the event.
func (m *engine) check(e Event) (*fault.Error, error) {
	if !e.On.Valid() {
		return fault.Field("on", "invalid date %d-%02d-%02d", e.On.Year, int(e.On.Month), e.On.Day), nil
	}
	if !e.Kind.Valid() {
		return fault.Field("kind", "unknown event kind %q; known: %s", e.Kind, kindList(allKinds[:])), nil
	}
	if m.st.phase != phaseNone {
		if e.On.Before(m.receivedOn) {
			return fault.Field("on", "%s is before the receipt date %s", e.On, m.receivedOn), nil
		}
		if e.On.Before(m.last) {
			return fault.Field("on", "events must be recorded in date order: %s is before the latest event, on %s", e.On, m.last), nil
		}
	}
	if e.Days != 0 && e.Kind != Extended {
		return fault.Field("days", "only an extension has a length in days; got %d for %s", e.Days, e.Kind), nil
	}
	if !m.st.permits(e.Kind, false) {
		return conflict(e.Kind, &m.st), nil
	}
	r := &m.rules
	switch e.Kind {
	case SupplementRequested:
		// Art. 30: once, within 7 working days of receipt.
		if m.st.period > 0 {
			return fault.New(fault.Invalid, "a supplement can only be requested for the original application, not after it was reopened (Art. 30)"), nil
		}
		if m.st.supplementAsked {
			return fault.New(fault.Invalid, "a supplement may be requested only once (Art. 30); it was requested on %s", m.askedOn), nil
		}
		if e.On.After(m.supplementDue) {
			return fault.Field("on", "too late to request a supplement: the %d-working-day window after receipt ended on %s (Art. 30)",
				r.SupplementRequestDays, m.supplementDue), nil
		}
	case Extended:
		// Art. 33: once, at most 20 working days, with a reason, within the
		// reply period.
		if m.st.extended {
			return fault.New(fault.Invalid, "the reply period was already extended on %s; it may be extended only once (Art. 33)", m.extendedOn), nil
		}
		due, err := m.due(0)
		if err != nil {
			return nil, err
		}
		if e.On.After(due) {
			return fault.Field("on", "too late to extend: the reply period ended on %s; an extension must be decided within it (Art. 33)", due), nil
		}
		if e.Days < 1 {
			return fault.Field("days", "an extension needs a length of at least 1 working day, got %d", e.Days), nil
		}
		if e.Days > r.ExtensionMaxDays {
			return fault.Field("days", "an extension may be at most %d working days (Art. 33), got %d", r.ExtensionMaxDays, e.Days), nil
		}
		if blank(e.Reason) {
			return fault.Field("reason", "an extension needs a reason, told to the applicant (Art. 33)"), nil
		}
	case FeeNotified:
		if m.st.feeNotified {
			return fault.New(fault.Invalid, "a fee notice was already sent on %s in this reply period", m.feeNoticeOn), nil
		}
	case FeeLapsed:
		if !e.On.After(m.feeDue) {
			return fault.Field("on", "the applicant may still pay until %s (%d working days after the notice of %s)",
				m.feeDue, r.FeePaymentDays, m.feeNoticeOn), nil
		}
	}
	return nil, nil
}

// String returns the kind's value, e.g. "supplement_requested".
func (k EventKind) String() string { return string(k) }

// String formats the event for logs, e.g. "2026-03-10 extended 10 (理由)".
func (e Event) String() string {
	s := e.On.String() + " " + string(e.Kind)
	if e.Days != 0 {
		s += fmt.Sprintf(" %d", e.Days)
	}
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}
