package deadline

import (
	"fmt"
	"slices"

	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// The values of Result.State.
const (
	StateOpen    = "open"    // received, the reply clock is running
	StatePaused  = "paused"  // received, the clock is stopped (supplement, consultation or unpaid fee)
	StateReplied = "replied" // the reply was given
	StateClosed  = "closed"  // the file is closed (after a reply or lapse, or withdrawn)
	StateLapsed  = "lapsed"  // treated as withdrawn: no supplement (row （六）1) or no fee (row （六）2)
)

// Result is the deadline state of one disclosure request on a given day.
// Dates that do not apply are zero (and omitted from JSON).
type Result struct {
	// State is one of StateOpen, StatePaused, StateReplied, StateClosed and
	// StateLapsed.
	State string `json:"state"`
	// ReceivedOn is the recorded receipt date (Art. 31), possibly a rest day.
	ReceivedOn workday.Date `json:"received_on"`
	// EffectiveStart is the day the current reply period runs from (counting
	// starts the day after): the receipt date moved to the next working day
	// when it is a rest day, or the day the supplement arrived (Art. 30), or
	// the reopen date. While a supplement is outstanding it is the day the
	// period would run from if the supplement arrived today.
	EffectiveStart workday.Date `json:"effective_start"`
	// DueOn is the last day to reply: EffectiveStart + ReplyDays +
	// ExtensionDays + PausedDays working days. While paused it is the due date
	// if the pause ended today. For a replied or closed request it is the due
	// date at the reply or closing; zero for a lapsed request.
	DueOn workday.Date `json:"due_on,omitzero"`
	// DaysLeft is the number of working days from today to DueOn: 0 on the
	// due date, negative when overdue (minus the working days since DueOn,
	// which is 0 on a rest day right after the due date: rely on Overdue).
	// Only meaningful while open or paused; 0 otherwise.
	DaysLeft int `json:"days_left"`
	// Overdue reports that today is after DueOn while the request is open or
	// paused, or that the reply came after DueOn (RepliedLate) once replied
	// or closed.
	Overdue bool `json:"overdue"`
	// Paused reports that the clock is stopped (State is StatePaused).
	Paused bool `json:"paused"`
	// PausedBy is the event kind that stopped the clock: SupplementRequested,
	// ConsultationStarted or FeeNotified; "" when not paused.
	PausedBy EventKind `json:"paused_by,omitempty"`
	// PausedDays is the number of working days excluded from the current
	// reply period by consultations and fee pauses (an open pause counted up
	// to today). A supplement does not add paused days: it restarts the
	// period.
	PausedDays int `json:"paused_days"`
	// ExtensionDays is the extension applied to the current reply period
	// (Art. 33).
	ExtensionDays int `json:"extension_days"`
	// SupplementDueOn is the last day on which a supplement may be requested:
	// SupplementRequestDays working days after the (effective) receipt
	// (Art. 30).
	SupplementDueOn workday.Date `json:"supplement_due_on"`
	// ConsultationDueOn is the last day for the answer of the latest
	// consultation in the current period (Art. 32, 34); zero when there was
	// none.
	ConsultationDueOn workday.Date `json:"consultation_due_on,omitzero"`
	// FeePaymentDueOn is the last day to pay the fee of the current period
	// (国办函〔2020〕109号); zero when no fee was charged.
	FeePaymentDueOn workday.Date `json:"fee_payment_due_on,omitzero"`
	// RepliedOn is the date of the reply in the current period; zero before
	// the reply and after a reopen.
	RepliedOn workday.Date `json:"replied_on,omitzero"`
	// RepliedLate reports that RepliedOn is after DueOn.
	RepliedLate bool `json:"replied_late"`
	// ClosedOn is the date the file was closed; zero unless State is
	// StateClosed.
	ClosedOn workday.Date `json:"closed_on,omitzero"`
	// LapsedOn is the date the request lapsed; zero unless it lapsed (it stays
	// set when a lapsed file is closed).
	LapsedOn workday.Date `json:"lapsed_on,omitzero"`
	// LapsedBy is SupplementLapsed (annual report row （六）1) or FeeLapsed
	// (row （六）2) when the request lapsed; "" otherwise.
	LapsedBy EventKind `json:"lapsed_by,omitempty"`
	// RulesName is the Name of the rule set applied (chosen by receipt date).
	RulesName string `json:"rules_name"`
	// CalendarVersion is the working-day calendar version used
	// (workday.Calendar.Version); recompute when it changes.
	CalendarVersion string `json:"calendar_version"`
	// Explanation is the computation in Chinese, one step a line, for the
	// clerk and the applicant. Nil from ComputeDue.
	Explanation []string `json:"explanation,omitempty"`
	// Warnings lists, in English, what in the log does not fit the rules and
	// how it was treated (ignored, capped, applied as recorded). Nil from
	// ComputeDue.
	Warnings []string `json:"warnings,omitempty"`
}

// Compute returns the deadline state of a disclosure request on the day
// today from its event log, the rule book (the set in force on the receipt
// date applies) and the working-day calendar. It is a pure function.
//
// Compute never rejects a log: events that the state machine would refuse
// (see CanAppend) are reported in Result.Warnings and ignored, except a
// reply, which is taken as a fact even while paused (the pause ends on the
// reply date). Too-long extensions are capped at the maximum, an extension
// decided after the due date does not move it, and a late supplement request
// is applied as recorded; each with a warning. Events out of date order are
// sorted (stably) by date, and events before the receipt are ignored.
//
// Errors: fault.Invalid when the rule book is invalid, the log has no
// Received event, no rule set is in force on the receipt date, or today is
// not a valid date; the calendar's error (fault.Invalid "unknown calendar",
// cause *workday.UnknownYearError) when a date that matters falls in a year
// the calendar does not cover.
func Compute(events []Event, rules RuleBook, cal *workday.Calendar, today workday.Date) (Result, error) {
	return compute(events, rules, cal, today, true)
}

// ComputeDue is Compute without Explanation and Warnings: the same State,
// dates and counts, for bulk recomputation (after a calendar or rule change)
// and lists. It does not allocate for a log in date order.
func ComputeDue(events []Event, rules RuleBook, cal *workday.Calendar, today workday.Date) (Result, error) {
	return compute(events, rules, cal, today, false)
}

func compute(events []Event, book RuleBook, cal *workday.Calendar, today workday.Date, explain bool) (Result, error) {
	if !today.Valid() {
		return Result{}, fault.Field("today", "invalid date %d-%02d-%02d", today.Year, int(today.Month), today.Day)
	}
	var m engine
	m.explain = explain
	if err := m.replay(events, book, cal, today); err != nil {
		return Result{}, err
	}
	return m.result(today)
}

// engine replays an event log. The zero value with cal, rules and explain
// set is ready for receive.
type engine struct {
	st      status
	rules   Rules
	cal     *workday.Calendar
	explain bool

	lines    []string
	warnings []string

	receivedOn    workday.Date // recorded receipt date
	supplementDue workday.Date // last day to ask for a supplement
	start         workday.Date // the current period runs from the day after
	extDays       int          // extension applied in the current period
	pausedDays    int          // working days excluded in the current period (closed pauses)
	pauseFrom     workday.Date // start of the open pause
	pauseCounts   bool         // the open pause began on or before the due date, so it moves it
	pauseReason   string       // Reason of the event that opened the pause
	consultDue    workday.Date
	feeDue        workday.Date
	last          workday.Date // date of the latest event seen
	extendedOn    workday.Date
	askedOn       workday.Date // supplement requested on
	feeNoticeOn   workday.Date
	repliedOn     workday.Date
	repliedLate   bool
	fixedDue      workday.Date // due date at the reply or closing
	closedOn      workday.Date
	lapsedOn      workday.Date
	lapsedBy      EventKind
}

// replay validates the inputs and runs the whole log through the engine.
// today is only used to warn about events dated in the future (zero: no
// such warnings).
func (m *engine) replay(events []Event, book RuleBook, cal *workday.Calendar, today workday.Date) error {
	if cal == nil {
		return fault.New(fault.Invalid, "no working-day calendar")
	}
	if err := book.Validate(); err != nil {
		return err
	}
	m.cal = cal
	sorted, resorted := inDateOrder(events)
	first := -1
	for i := range sorted {
		if sorted[i].Kind == Received && sorted[i].On.Valid() {
			first = i
			break
		}
	}
	if first < 0 {
		return fault.Field("events", "the log has no received event (with a valid date): a deadline runs from the receipt (Art. 31)")
	}
	rules, err := book.For(sorted[first].On)
	if err != nil {
		return err
	}
	m.rules = rules
	if m.explain {
		if resorted {
			m.warn("events are not in date order; they were sorted by date")
		}
		for _, e := range sorted[:first] {
			m.warnEvent(e, "recorded before the receipt; ignored")
		}
	}
	if err := m.receive(sorted[first]); err != nil {
		return err
	}
	for _, e := range sorted[first+1:] {
		if err := m.step(e, today); err != nil {
			return err
		}
	}
	return nil
}

// inDateOrder returns events sorted stably by date: events itself when it is
// already in order (no copy), else a sorted copy and true.
func inDateOrder(events []Event) ([]Event, bool) {
	for i := 1; i < len(events); i++ {
		if events[i].On.Before(events[i-1].On) {
			s := slices.Clone(events)
			slices.SortStableFunc(s, func(a, b Event) int { return a.On.Compare(b.On) })
			return s, true
		}
	}
	return events, false
}

// step checks e against the state (Compute only: a problem becomes a
// warning) and applies it.
func (m *engine) step(e Event, today workday.Date) error {
	if !e.On.Valid() {
		if m.explain {
			m.warnEvent(e, "invalid date; ignored")
		}
		return nil
	}
	if m.explain {
		if !today.IsZero() && e.On.After(today) {
			m.warnEvent(e, "dated after today ("+today.String()+")")
		}
		p, err := m.check(e)
		if err != nil {
			return err
		}
		if p != nil {
			msg := p.Message
			if !m.st.takesEffect(e.Kind) {
				msg += "; ignored"
			}
			m.warnEvent(e, msg)
		}
	}
	return m.apply(e)
}

func (m *engine) say(format string, args ...any) {
	m.lines = append(m.lines, fmt.Sprintf(format, args...))
}

func (m *engine) warn(msg string) { m.warnings = append(m.warnings, msg) }

func (m *engine) warnEvent(e Event, msg string) {
	m.warn(fmt.Sprintf("%s %s: %s", e.On, e.Kind, msg))
}

// zh formats d as "2026-02-13 周五".
func zh(d workday.Date) string { return d.String() + " " + weekdayZH[d.Weekday()] }

var weekdayZH = [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// paren returns "（reason）", or "" without a reason.
func paren(reason string) string {
	if reason == "" {
		return ""
	}
	return "（" + reason + "）"
}

// arrive returns the day a period runs from when something arrives on d:
// the next working day when d is a rest day and the rules say so (Art. 31,
// common practice), else d itself. It errors for a year the calendar does
// not cover.
func (m *engine) arrive(d workday.Date) (workday.Date, error) {
	if m.rules.RestDayArrivalNextWorkingDay {
		return m.cal.OnOrAfter(d)
	}
	if _, err := m.cal.IsWorkingDay(d); err != nil {
		return workday.Date{}, err
	}
	return d, nil
}

// due returns the reply due date with extra further paused days.
func (m *engine) due(extra int) (workday.Date, error) {
	return m.cal.AddWorkingDays(m.start, m.rules.ReplyDays+m.extDays+m.pausedDays+extra)
}

// pauseSpan returns the working days the open pause excludes if it ends on
// to: those after its first day (or after the period start, if later) up to
// and including to (Art. 32: the time spent consulting is not counted; the
// day the consultation starts still counts, as the day of receipt does not).
// 0 when the pause began after the due date.
func (m *engine) pauseSpan(to workday.Date) (int, error) {
	if !m.pauseCounts {
		return 0, nil
	}
	from := m.pauseFrom
	if from.Before(m.start) {
		from = m.start
	}
	if !to.After(from) {
		return 0, nil
	}
	return m.cal.WorkingDaysBetween(from, to)
}

// receive starts the log with the receipt e.
func (m *engine) receive(e Event) error {
	m.receivedOn, m.last = e.On, e.On
	start, err := m.arrive(e.On)
	if err != nil {
		return err
	}
	m.start = start
	// Art. 30: a supplement must be asked for within 7 working days of
	// receipt; counted like the reply period, from the effective receipt.
	if m.supplementDue, err = m.cal.AddWorkingDays(start, m.rules.SupplementRequestDays); err != nil {
		return err
	}
	m.st.step(Received, m.rules.PauseWhileFeeUnpaid)
	if !m.explain {
		return nil
	}
	due, err := m.due(0)
	if err != nil {
		return err
	}
	m.say("%s 收到申请%s", zh(e.On), paren(e.Reason))
	if start != e.On {
		m.say("收到之日为休息日，视为 %s 收到（第三十一条，通常做法）", zh(start))
	}
	m.say("自次日起算 %d 个工作日：%s（第三十三条）", m.rules.ReplyDays, zh(due))
	m.say("补正告知期限 %d 个工作日：%s（第三十条）", m.rules.SupplementRequestDays, zh(m.supplementDue))
	return nil
}

// endPause closes the open pause on day on: a consultation or fee pause adds
// its working days; a supplement restarts the period as if the supplement
// arrived on that day.
func (m *engine) endPause(on workday.Date) error {
	switch m.st.pause {
	case pauseSupplement:
		s, err := m.arrive(on)
		if err != nil {
			return err
		}
		m.start, m.pausedDays = s, 0
	case pauseConsultation, pauseFee:
		n, err := m.pauseSpan(on)
		if err != nil {
			return err
		}
		m.pausedDays += n
	}
	return nil
}

// apply applies e (dated, in date order) leniently: an event the state
// machine does not accept is ignored.
func (m *engine) apply(e Event) error {
	if e.On.After(m.last) {
		m.last = e.On
	}
	if !m.st.takesEffect(e.Kind) {
		if m.explain {
			m.explainIgnored(e)
		}
		return nil
	}
	r := &m.rules
	switch e.Kind {
	case SupplementRequested:
		// Art. 30: the clock stops while the supplement is outstanding.
		m.askedOn, m.pauseFrom, m.pauseReason = e.On, e.On, e.Reason
		if m.explain {
			m.say("%s 告知补正%s，暂停计算，收到补正后重新起算（第三十条）", zh(e.On), paren(e.Reason))
		}

	case SupplementReceived:
		// Art. 30: the period restarts from the day the supplemented
		// application is received (a rest-day arrival counts from the next
		// working day, as a receipt does).
		s, err := m.arrive(e.On)
		if err != nil {
			return err
		}
		m.start, m.pausedDays = s, 0
		if m.explain {
			due, err := m.due(0)
			if err != nil {
				return err
			}
			m.say("%s 收到补正%s", zh(e.On), paren(e.Reason))
			if s != e.On {
				m.say("收到补正之日为休息日，视为 %s 收到", zh(s))
			}
			m.say("自次日起重新计算 %d 个工作日 → %s（第三十条）", r.ReplyDays, zh(due))
		}

	case SupplementLapsed:
		m.lapsedOn, m.lapsedBy = e.On, SupplementLapsed
		if m.explain {
			m.say("%s 申请人无正当理由逾期不补正，视为放弃申请%s（第三十条；年度报告 （六）1）", zh(e.On), paren(e.Reason))
		}

	case ConsultationStarted:
		// Art. 32 (third party) and Art. 34 (other agencies): the consulted
		// party answers within 15 working days; the time spent is not
		// counted in the reply period.
		due, err := m.due(0)
		if err != nil {
			return err
		}
		if m.consultDue, err = m.cal.AddWorkingDays(e.On, r.ConsultationDays); err != nil {
			return err
		}
		m.pauseFrom, m.pauseReason = e.On, e.Reason
		m.pauseCounts = !e.On.After(due)
		if m.explain {
			m.say("%s 开始征求意见%s，暂停计算；答复期限 %d 个工作日：%s（第三十二条、第三十四条）",
				zh(e.On), paren(e.Reason), r.ConsultationDays, zh(m.consultDue))
			if !m.pauseCounts {
				m.say("答复期限已于 %s 届满，征求意见期间不再顺延", zh(due))
			}
		}

	case ConsultationEnded:
		n, err := m.pauseSpan(e.On)
		if err != nil {
			return err
		}
		m.pausedDays += n
		if m.explain {
			due, err := m.due(0)
			if err != nil {
				return err
			}
			m.say("%s 至 %s 征求意见%s，暂停 %d 个工作日 → %s", m.pauseFrom, e.On, paren(m.pauseReason), n, zh(due))
		}

	case Extended:
		// Art. 33: once, at most ExtensionMaxDays, decided within the period.
		due, err := m.due(0)
		if err != nil {
			return err
		}
		m.extendedOn = e.On
		days := min(e.Days, r.ExtensionMaxDays)
		switch {
		case e.On.After(due):
			if m.explain {
				m.say("%s 延期决定晚于答复期限 %s，不予顺延（第三十三条）", zh(e.On), zh(due))
			}
		case days <= 0:
			if m.explain {
				m.say("%s 延期天数 %d 无效，未计入", zh(e.On), e.Days)
			}
		default:
			m.extDays += days
			if m.explain {
				if days < e.Days {
					m.say("%s 延期 %d 个工作日超过上限 %d 个工作日，按 %d 个工作日计", zh(e.On), e.Days, r.ExtensionMaxDays, days)
				}
				due, err := m.due(0)
				if err != nil {
					return err
				}
				m.say("%s 延期 %d 个工作日（理由：%s）→ %s（第三十三条）", zh(e.On), days, e.Reason, zh(due))
			}
		}

	case FeeNotified:
		// 国办函〔2020〕109号: pay within 20 working days from the day after
		// receiving the notice. Whether the clock stops meanwhile is a rule
		// (PauseWhileFeeUnpaid).
		var err error
		if m.feeDue, err = m.cal.AddWorkingDays(e.On, r.FeePaymentDays); err != nil {
			return err
		}
		m.feeNoticeOn = e.On
		if r.PauseWhileFeeUnpaid {
			due, err := m.due(0)
			if err != nil {
				return err
			}
			m.pauseFrom, m.pauseReason = e.On, e.Reason
			m.pauseCounts = !e.On.After(due)
		}
		if m.explain {
			how := "缴费期间不暂停计算"
			if r.PauseWhileFeeUnpaid {
				how = "缴费期间暂停计算"
			}
			m.say("%s 收费通知送达申请人%s，缴费期限 %d 个工作日：%s；%s（国办函〔2020〕109号）",
				zh(e.On), paren(e.Reason), r.FeePaymentDays, zh(m.feeDue), how)
		}

	case FeePaid:
		if m.st.pause == pauseFee {
			n, err := m.pauseSpan(e.On)
			if err != nil {
				return err
			}
			m.pausedDays += n
			if m.explain {
				due, err := m.due(0)
				if err != nil {
					return err
				}
				m.say("%s 至 %s 等待缴费，暂停 %d 个工作日 → %s", m.pauseFrom, e.On, n, zh(due))
			}
		} else if m.explain {
			m.say("%s 申请人缴纳费用", zh(e.On))
		}

	case FeeLapsed:
		m.lapsedOn, m.lapsedBy = e.On, FeeLapsed
		if m.explain {
			m.say("%s 申请人逾期未缴纳费用，视为放弃申请%s（国办函〔2020〕109号；年度报告 （六）2）", zh(e.On), paren(e.Reason))
		}

	case Replied:
		if m.st.pause != pauseNone {
			if err := m.endPause(e.On); err != nil {
				return err
			}
			if m.explain {
				m.say("%s 答复时暂停随之结束", zh(e.On))
			}
		}
		due, err := m.due(0)
		if err != nil {
			return err
		}
		m.repliedOn, m.fixedDue = e.On, due
		m.repliedLate = e.On.After(due)
		if m.explain {
			if m.repliedLate {
				n, err := m.cal.WorkingDaysBetween(due, e.On)
				if err != nil {
					return err
				}
				m.say("%s 答复%s，超过答复期限 %s %d 个工作日", zh(e.On), paren(e.Reason), zh(due), n)
			} else {
				m.say("%s 答复%s，在答复期限 %s 内", zh(e.On), paren(e.Reason), zh(due))
			}
		}

	case Closed:
		if m.st.phase == phaseOpen {
			// Withdrawn or closed before a reply: keep the due date at
			// closing for the record.
			if err := m.endPause(e.On); err != nil {
				return err
			}
			due, err := m.due(0)
			if err != nil {
				return err
			}
			m.fixedDue = due
		}
		m.closedOn = e.On
		if m.explain {
			m.say("%s 结案%s", zh(e.On), paren(e.Reason))
		}

	case Reopened:
		// A reconsideration or court decision orders a new reply (or the
		// bureau corrects itself): a new full reply period runs from the day
		// the decision reaches the bureau (On), with a new extension and
		// fee allowed; no new supplement (Art. 30's window is long past).
		s, err := m.arrive(e.On)
		if err != nil {
			return err
		}
		m.start, m.extDays, m.pausedDays = s, 0, 0
		m.consultDue, m.feeDue = workday.Date{}, workday.Date{}
		m.repliedOn, m.repliedLate, m.fixedDue = workday.Date{}, false, workday.Date{}
		m.closedOn, m.lapsedOn, m.lapsedBy = workday.Date{}, workday.Date{}, ""
		if m.explain {
			due, err := m.due(0)
			if err != nil {
				return err
			}
			m.say("%s 重新办理%s", zh(e.On), paren(e.Reason))
			if s != e.On {
				m.say("重新办理之日为休息日，视为 %s 起办理", zh(s))
			}
			m.say("自次日起重新计算 %d 个工作日 → %s", r.ReplyDays, zh(due))
		}
	}
	m.st.step(e.Kind, r.PauseWhileFeeUnpaid)
	return nil
}

// explainIgnored says why e does not count.
func (m *engine) explainIgnored(e Event) {
	switch {
	case e.Kind == Extended && m.st.running() && m.st.extended:
		m.say("%s 再次延期，未计入（第三十三条：只能延期一次）", zh(e.On))
	case e.Kind == SupplementRequested && m.st.running() && m.st.supplementAsked:
		m.say("%s 再次告知补正，未计入（第三十条：一次性告知）", zh(e.On))
	case e.Kind == SupplementRequested && m.st.running():
		m.say("%s 重新办理后告知补正，未计入（第三十条）", zh(e.On))
	case e.Kind == FeeNotified && m.st.running():
		m.say("%s 再次发出收费通知，未计入", zh(e.On))
	default:
		m.say("%s 记录“%s”与当前状态不符，未计入", zh(e.On), e.Kind)
	}
}

// result reports the state on the day today.
func (m *engine) result(today workday.Date) (Result, error) {
	res := Result{
		ReceivedOn:        m.receivedOn,
		EffectiveStart:    m.start,
		ExtensionDays:     m.extDays,
		PausedDays:        m.pausedDays,
		SupplementDueOn:   m.supplementDue,
		ConsultationDueOn: m.consultDue,
		FeePaymentDueOn:   m.feeDue,
		RepliedOn:         m.repliedOn,
		RepliedLate:       m.repliedLate,
		ClosedOn:          m.closedOn,
		LapsedOn:          m.lapsedOn,
		LapsedBy:          m.lapsedBy,
		RulesName:         m.rules.Name,
		CalendarVersion:   m.cal.Version(),
	}
	var err error
	switch m.st.phase {
	case phaseReplied:
		res.State, res.DueOn, res.Overdue = StateReplied, m.fixedDue, m.repliedLate
	case phaseClosed:
		res.State, res.DueOn, res.Overdue = StateClosed, m.fixedDue, m.repliedLate
	case phaseLapsed:
		res.State = StateLapsed
	default:
		res.State = StateOpen
		extra := 0
		asOf := today
		if asOf.Before(m.pauseFrom) {
			asOf = m.pauseFrom
		}
		switch m.st.pause {
		case pauseSupplement:
			// The period restarts when the supplement arrives: show it as
			// if it arrived today.
			if res.EffectiveStart, err = m.arrive(asOf); err != nil {
				return Result{}, err
			}
			res.PausedDays = 0
			if res.DueOn, err = m.cal.AddWorkingDays(res.EffectiveStart, m.rules.ReplyDays+m.extDays); err != nil {
				return Result{}, err
			}
			res.PausedBy = SupplementRequested
		case pauseConsultation, pauseFee:
			// An open pause: the due date if it ended today.
			if extra, err = m.pauseSpan(asOf); err != nil {
				return Result{}, err
			}
			res.PausedDays += extra
			res.PausedBy = ConsultationStarted
			if m.st.pause == pauseFee {
				res.PausedBy = FeeNotified
			}
		}
		if m.st.pause != pauseSupplement {
			if res.DueOn, err = m.due(extra); err != nil {
				return Result{}, err
			}
		}
		if m.st.pause != pauseNone {
			res.State, res.Paused = StatePaused, true
		}
		if res.DaysLeft, err = m.cal.WorkingDaysBetween(today, res.DueOn); err != nil {
			return Result{}, err
		}
		res.Overdue = today.After(res.DueOn)
		if m.explain {
			m.explainOpen(today, &res)
		}
	}
	if m.explain {
		m.say("规则：%s；工作日历版本：%s", m.rules.Name, res.CalendarVersion)
		res.Explanation, res.Warnings = m.lines, m.warnings
	}
	return res, nil
}

// explainOpen adds the lines about an open or paused request on day today.
func (m *engine) explainOpen(today workday.Date, res *Result) {
	switch m.st.pause {
	case pauseSupplement:
		m.say("补正尚未收到（自 %s 起暂停）；如今日 %s 收到补正，答复期限为 %s", m.askedOn, zh(today), zh(res.DueOn))
	case pauseConsultation, pauseFee:
		what := "征求意见"
		if m.st.pause == pauseFee {
			what = "等待缴费"
		}
		m.say("%s尚未结束（自 %s 起）；按今日 %s 结束计，共暂停 %d 个工作日，答复期限为 %s",
			what, m.pauseFrom, zh(today), res.PausedDays, zh(res.DueOn))
	}
	if m.st.feeOutstanding && today.After(m.feeDue) {
		m.say("缴费期限 %s 已过，可记录逾期未缴费（视为放弃申请）", zh(m.feeDue))
	}
	if m.st.pause == pauseSupplement {
		return
	}
	switch {
	case res.Overdue && res.DaysLeft == 0:
		m.say("今日 %s 为休息日，答复期限 %s 已过", zh(today), zh(res.DueOn))
	case res.Overdue:
		m.say("今日 %s，已超过答复期限 %s，逾期 %d 个工作日", zh(today), zh(res.DueOn), -res.DaysLeft)
	case res.DaysLeft == 0:
		m.say("今日 %s 为答复期限的最后一日", zh(today))
	default:
		m.say("当前答复期限：%s；今日 %s，剩余 %d 个工作日", zh(res.DueOn), zh(today), res.DaysLeft)
	}
}
