package deadline

import (
	"strings"

	"gongkai/internal/workday"
)

// EventKind names what happened to a disclosure request. The values are
// stored in the database; do not rename them.
type EventKind string

// The event kinds, in the order of a typical case.
const (
	// Received: the application was received (收到申请, Art. 31). The first
	// event of every log; On is the recorded receipt date (possibly a rest
	// day).
	Received EventKind = "received"
	// SupplementRequested: the bureau asked the applicant to supplement an
	// unclear application (补正, Art. 30). Stops the clock.
	SupplementRequested EventKind = "supplement_requested"
	// SupplementReceived: the supplemented application arrived; the reply
	// period restarts from On (Art. 30).
	SupplementReceived EventKind = "supplement_received"
	// SupplementLapsed: the applicant did not supplement in time without good
	// reason; the application is treated as withdrawn (annual report row
	// （六）1).
	SupplementLapsed EventKind = "supplement_lapsed"
	// ConsultationStarted: a third party (Art. 32) or another agency (Art. 34)
	// was consulted. Stops the clock.
	ConsultationStarted EventKind = "consultation_started"
	// ConsultationEnded: the consultation answer arrived, or the answer period
	// ran out. Restarts the clock.
	ConsultationEnded EventKind = "consultation_ended"
	// Extended: the reply period was extended (延期答复, Art. 33) by Days
	// working days, with Reason told to the applicant.
	Extended EventKind = "extended"
	// FeeNotified: the applicant received the processing-fee notice
	// (收费通知, 国办函〔2020〕109号). Record the day the applicant received it:
	// the payment period runs from the day after.
	FeeNotified EventKind = "fee_notified"
	// FeePaid: the applicant paid the fee.
	FeePaid EventKind = "fee_paid"
	// FeeLapsed: the applicant did not pay in time; the application is treated
	// as withdrawn (annual report row （六）2).
	FeeLapsed EventKind = "fee_lapsed"
	// Replied: the reply (答复) was given.
	Replied EventKind = "replied"
	// Closed: the file was closed: after a reply or lapse, or because the
	// applicant withdrew the application (say which in Reason).
	Closed EventKind = "closed"
	// Reopened: a reconsideration or court decision (or the bureau's own
	// correction) requires a new reply; a new reply period starts from On.
	Reopened EventKind = "reopened"
)

// allKinds is every EventKind, in declaration order (the order Allowed uses).
var allKinds = [...]EventKind{
	Received, SupplementRequested, SupplementReceived, SupplementLapsed,
	ConsultationStarted, ConsultationEnded, Extended,
	FeeNotified, FeePaid, FeeLapsed, Replied, Closed, Reopened,
}

// EventKinds returns every event kind, in the order of a typical case.
func EventKinds() []EventKind { return append([]EventKind(nil), allKinds[:]...) }

// Valid reports whether k is one of the declared event kinds.
func (k EventKind) Valid() bool {
	for _, x := range allKinds {
		if k == x {
			return true
		}
	}
	return false
}

// Event is one dated entry of an application's log.
type Event struct {
	// Kind says what happened.
	Kind EventKind `json:"kind"`
	// On is the date it happened (a Beijing date).
	On workday.Date `json:"on"`
	// Days is the length of an extension in working days; 0 for every other
	// kind.
	Days int `json:"days,omitempty"`
	// Reason is the reason or note shown in the explanation: the reason of an
	// extension (required, Art. 33), what a supplement must contain, who is
	// consulted, why the file is closed or reopened.
	Reason string `json:"reason,omitempty"`
}

// phase is the coarse state of a request.
type phase uint8

const (
	phaseNone    phase = iota // no receipt yet
	phaseOpen                 // received, not replied (the clock may be paused)
	phaseReplied              // replied
	phaseClosed               // file closed
	phaseLapsed               // treated as withdrawn (no supplement, no fee)
)

// pauseKind says what stops the clock, if anything.
type pauseKind uint8

const (
	pauseNone pauseKind = iota
	pauseSupplement
	pauseConsultation
	pauseFee
)

// status is the structural state of a request: what the state machine needs
// to decide which event kinds may come next, without any date arithmetic (so
// that Allowed needs neither rules nor calendar).
type status struct {
	phase           phase
	pause           pauseKind
	feeOutstanding  bool // fee notified, neither paid nor lapsed (paused or not)
	extended        bool // an extension was recorded in this reply period
	supplementAsked bool // a supplement was asked for (once per application)
	feeNotified     bool // a fee notice was recorded in this reply period
	period          int  // 0 for the first reply period, +1 per reopen
}

// running reports whether the request is open with nothing outstanding: the
// state in which the bureau may act on it (consult, extend, charge, reply).
func (s *status) running() bool {
	return s.phase == phaseOpen && s.pause == pauseNone && !s.feeOutstanding
}

// permits reports whether the state machine accepts kind next. With once
// false, the once-only limits (one supplement per application, one extension
// and one fee notice per reply period) are ignored, so that CanAppend can
// report them as fault.Invalid rather than as a state conflict.
func (s *status) permits(k EventKind, once bool) bool {
	switch k {
	case Received:
		return s.phase == phaseNone
	case SupplementRequested:
		return s.running() && (!once || (!s.supplementAsked && s.period == 0))
	case SupplementReceived, SupplementLapsed:
		return s.phase == phaseOpen && s.pause == pauseSupplement
	case ConsultationStarted:
		return s.running()
	case ConsultationEnded:
		return s.phase == phaseOpen && s.pause == pauseConsultation
	case Extended:
		return s.running() && (!once || !s.extended)
	case FeeNotified:
		return s.running() && (!once || !s.feeNotified)
	case FeePaid, FeeLapsed:
		return s.phase == phaseOpen && s.feeOutstanding
	case Replied:
		return s.running()
	case Closed:
		return s.phase != phaseNone && s.phase != phaseClosed
	case Reopened:
		return s.phase == phaseReplied || s.phase == phaseClosed || s.phase == phaseLapsed
	}
	return false
}

// takesEffect reports whether Compute applies an event of kind k in this
// state. It is permits(k, true) except that a reply is taken as a fact even
// while the clock is paused or a fee is outstanding (the pause ends on the
// reply date).
func (s *status) takesEffect(k EventKind) bool {
	if k == Replied {
		return s.phase == phaseOpen
	}
	return s.permits(k, true)
}

// allowed appends the event kinds the state machine accepts next to dst.
func (s *status) allowed(dst []EventKind) []EventKind {
	for _, k := range allKinds {
		if s.permits(k, true) {
			dst = append(dst, k)
		}
	}
	return dst
}

// describe says in English what state the request is in, for error messages.
func (s *status) describe() string {
	switch s.phase {
	case phaseNone:
		return "no application has been received"
	case phaseReplied:
		return "the request has been replied to"
	case phaseClosed:
		return "the request is closed"
	case phaseLapsed:
		return "the request has lapsed (treated as withdrawn)"
	}
	switch s.pause {
	case pauseSupplement:
		return "the request is paused for a supplement"
	case pauseConsultation:
		return "the request is paused for a consultation"
	case pauseFee:
		return "the request is paused until the fee is paid"
	}
	if s.feeOutstanding {
		return "the request is waiting for the fee to be paid"
	}
	return "the request is open"
}

// verb says in English what recording an event of kind k does.
func verb(k EventKind) string {
	switch k {
	case Received:
		return "record a receipt"
	case SupplementRequested:
		return "request a supplement"
	case SupplementReceived:
		return "record a supplement"
	case SupplementLapsed:
		return "lapse for want of a supplement"
	case ConsultationStarted:
		return "start a consultation"
	case ConsultationEnded:
		return "end a consultation"
	case Extended:
		return "extend"
	case FeeNotified:
		return "send a fee notice"
	case FeePaid:
		return "record a fee payment"
	case FeeLapsed:
		return "lapse for an unpaid fee"
	case Replied:
		return "reply"
	case Closed:
		return "close"
	case Reopened:
		return "reopen"
	}
	return "record " + string(k)
}

// step moves the state machine over an event of kind k that takes effect
// (see takesEffect). feePauses is Rules.PauseWhileFeeUnpaid; it only decides
// whether a fee notice is reported as a pause.
func (s *status) step(k EventKind, feePauses bool) {
	switch k {
	case Received:
		s.phase = phaseOpen
	case SupplementRequested:
		s.pause = pauseSupplement
		s.supplementAsked = true
	case SupplementReceived, ConsultationEnded:
		s.pause = pauseNone
	case ConsultationStarted:
		s.pause = pauseConsultation
	case Extended:
		s.extended = true
	case FeeNotified:
		s.feeNotified = true
		s.feeOutstanding = true
		if feePauses {
			s.pause = pauseFee
		}
	case FeePaid:
		s.feeOutstanding = false
		if s.pause == pauseFee {
			s.pause = pauseNone
		}
	case SupplementLapsed, FeeLapsed:
		s.phase, s.pause, s.feeOutstanding = phaseLapsed, pauseNone, false
	case Replied:
		s.phase, s.pause, s.feeOutstanding = phaseReplied, pauseNone, false
	case Closed:
		s.phase, s.pause, s.feeOutstanding = phaseClosed, pauseNone, false
	case Reopened:
		s.phase, s.pause, s.feeOutstanding = phaseOpen, pauseNone, false
		s.extended, s.feeNotified = false, false
		s.period++
	}
}

// kindList joins kinds with ", ", or "none".
func kindList(ks []EventKind) string {
	if len(ks) == 0 {
		return "none"
	}
	var b strings.Builder
	for i, k := range ks {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(k))
	}
	return b.String()
}
