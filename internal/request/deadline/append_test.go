package deadline

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

func TestCanAppend(t *testing.T) {
	t.Parallel()
	c := cal(t)
	book := DefaultRuleBook()
	consulted := []Event{received, ev(ConsultationStarted, "2026-03-02"), ev(ConsultationEnded, "2026-03-05")}
	extended := append(slices.Clone(consulted), ext("2026-03-10", 10, "需要调取档案"))
	asked := []Event{received, ev(SupplementRequested, "2026-02-25")}
	feeNotice := []Event{received, ev(FeeNotified, "2026-03-09")}
	replied := []Event{received, ev(Replied, "2026-03-18")}
	tests := []struct {
		name   string
		events []Event
		next   Event
		code   fault.Code // "" for nil
		want   string     // substring of the message
	}{
		{"first receipt", nil, received, "", ""},
		{"nothing before the receipt", nil, ext("2026-03-10", 5, "x"), fault.Conflict,
			"cannot extend: no application has been received; allowed: received"},
		{"receipt in an uncovered year", nil, ev(Received, "2031-03-03"), fault.Invalid, "unknown calendar"},
		{"receipt before any rules", nil, ev(Received, "2007-03-01"), fault.Invalid, "no deadline rules in force"},
		{"receipt twice", []Event{received}, ev(Received, "2026-02-20"), fault.Conflict,
			"cannot record a receipt: the request is open; allowed: supplement_requested, consultation_started, extended, fee_notified, replied, closed"},
		{"extend while paused for a supplement", asked, ext("2026-02-26", 10, "x"), fault.Conflict,
			"cannot extend: the request is paused for a supplement; allowed: supplement_received, supplement_lapsed, closed"},
		{"reply during a consultation", consulted[:2], ev(Replied, "2026-03-04"), fault.Conflict,
			"cannot reply: the request is paused for a consultation; allowed: consultation_ended, closed"},
		{"reply while the fee is unpaid", feeNotice, ev(Replied, "2026-03-10"), fault.Conflict,
			"cannot reply: the request is paused until the fee is paid; allowed: fee_paid, fee_lapsed, closed"},
		{"reply twice", replied, ev(Replied, "2026-03-19"), fault.Conflict,
			"cannot reply: the request has been replied to; allowed: closed, reopened"},
		{"reopen an open request", []Event{received}, ev(Reopened, "2026-03-19"), fault.Conflict,
			"cannot reopen: the request is open"},
		{"end a consultation never started", []Event{received}, ev(ConsultationEnded, "2026-03-19"), fault.Conflict,
			"allowed: supplement_requested, consultation_started, extended, fee_notified, replied, closed"},
		{"anything after closing", append(slices.Clone(replied), ev(Closed, "2026-03-18")), ev(ConsultationStarted, "2026-03-20"), fault.Conflict,
			"cannot start a consultation: the request is closed; allowed: reopened"},
		{"lapsed", append(slices.Clone(asked), ev(SupplementLapsed, "2026-03-20")), ev(SupplementReceived, "2026-03-21"), fault.Conflict,
			"the request has lapsed (treated as withdrawn); allowed: closed, reopened"},

		{"extension", consulted, ext("2026-03-10", 10, "需要调取档案"), "", ""},
		{"extension of the maximum", []Event{received}, ext("2026-03-19", 20, "x"), "", ""},
		{"extension twice", extended, ext("2026-03-12", 5, "再次延期"), fault.Invalid,
			"already extended on 2026-03-10; it may be extended only once (Art. 33)"},
		{"extension too long", []Event{received}, ext("2026-03-10", 21, "x"), fault.Invalid,
			"days: an extension may be at most 20 working days (Art. 33), got 21"},
		{"extension of zero days", []Event{received}, ext("2026-03-10", 0, "x"), fault.Invalid, "at least 1 working day"},
		{"extension without a reason", []Event{received}, ext("2026-03-10", 5, " "), fault.Invalid, "reason: an extension needs a reason"},
		{"extension after the due date", []Event{received}, ext("2026-03-20", 5, "x"), fault.Invalid,
			"too late to extend: the reply period ended on 2026-03-19"},
		{"extension after a pause moved the due date", consulted, ext("2026-03-24", 5, "x"), "", ""},

		{"supplement on the last day", []Event{received}, ev(SupplementRequested, "2026-03-02"), "", ""},
		{"supplement too late", []Event{received}, ev(SupplementRequested, "2026-03-03"), fault.Invalid,
			"on: too late to request a supplement: the 7-working-day window after receipt ended on 2026-03-02 (Art. 30)"},
		{"supplement twice", append(slices.Clone(asked), ev(SupplementReceived, "2026-02-27")), ev(SupplementRequested, "2026-02-27"), fault.Invalid,
			"a supplement may be requested only once (Art. 30); it was requested on 2026-02-25"},
		{"supplement after a reopen", append(slices.Clone(replied), ev(Reopened, "2026-03-20")), ev(SupplementRequested, "2026-03-20"), fault.Invalid,
			"not after it was reopened"},
		{"supplement received", asked, ev(SupplementReceived, "2026-03-03"), "", ""},

		{"fee lapse too early", feeNotice, ev(FeeLapsed, "2026-04-07"), fault.Invalid,
			"the applicant may still pay until 2026-04-07 (20 working days after the notice of 2026-03-09)"},
		{"fee lapse", feeNotice, ev(FeeLapsed, "2026-04-08"), "", ""},
		{"second fee notice", append(slices.Clone(feeNotice), ev(FeePaid, "2026-03-10")), ev(FeeNotified, "2026-03-11"), fault.Invalid,
			"a fee notice was already sent on 2026-03-09"},

		{"out of date order", consulted, ev(Replied, "2026-03-04"), fault.Invalid,
			"on: events must be recorded in date order: 2026-03-04 is before the latest event, on 2026-03-05"},
		{"before the receipt", []Event{received}, ev(Replied, "2026-02-12"), fault.Invalid,
			"on: 2026-02-12 is before the receipt date 2026-02-13"},
		{"days on a reply", []Event{received}, Event{Kind: Replied, On: d("2026-03-01"), Days: 3}, fault.Invalid,
			"days: only an extension has a length in days"},
		{"unknown kind", []Event{received}, ev("withdrawn", "2026-03-01"), fault.Invalid, `unknown event kind "withdrawn"`},
		{"invalid date", []Event{received}, Event{Kind: Replied}, fault.Invalid, "on: invalid date"},
		{"due date in an uncovered year", []Event{ev(Received, "2027-12-20")}, ext("2027-12-21", 5, "x"), fault.Invalid, "unknown calendar"},

		{"withdraw while paused", asked, ev(Closed, "2026-02-26"), "", ""},
		{"reopen a closed request", append(slices.Clone(replied), ev(Closed, "2026-03-18")), ev(Reopened, "2026-05-08"), "", ""},
		{"extend again after a reopen", append(slices.Clone(extended), ev(Replied, "2026-03-20"), ev(Reopened, "2026-05-08")), ext("2026-05-11", 5, "x"), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CanAppend(tt.events, tt.next, book, c)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("err = %v; want nil", err)
				}
				return
			}
			if fault.CodeOf(err) != tt.code || !strings.Contains(fault.MessageOf(err), tt.want) {
				t.Fatalf("err = %v; want %s containing %q", err, tt.code, tt.want)
			}
		})
	}
}

func TestAllowed(t *testing.T) {
	t.Parallel()
	open := []EventKind{SupplementRequested, ConsultationStarted, Extended, FeeNotified, Replied, Closed}
	tests := []struct {
		name   string
		events []Event
		want   []EventKind
	}{
		{"empty", nil, []EventKind{Received}},
		{"received", []Event{received}, open},
		{"extended", []Event{received, ext("2026-03-10", 5, "x")}, []EventKind{SupplementRequested, ConsultationStarted, FeeNotified, Replied, Closed}},
		{"supplement asked", []Event{received, ev(SupplementRequested, "2026-02-25")}, []EventKind{SupplementReceived, SupplementLapsed, Closed}},
		{"supplement received", []Event{received, ev(SupplementRequested, "2026-02-25"), ev(SupplementReceived, "2026-02-27")},
			[]EventKind{ConsultationStarted, Extended, FeeNotified, Replied, Closed}},
		{"consulting", []Event{received, ev(ConsultationStarted, "2026-03-02")}, []EventKind{ConsultationEnded, Closed}},
		{"consulted", []Event{received, ev(ConsultationStarted, "2026-03-02"), ev(ConsultationEnded, "2026-03-05")}, open},
		{"fee notified", []Event{received, ev(FeeNotified, "2026-03-09")}, []EventKind{FeePaid, FeeLapsed, Closed}},
		{"fee paid", []Event{received, ev(FeeNotified, "2026-03-09"), ev(FeePaid, "2026-03-10")},
			[]EventKind{SupplementRequested, ConsultationStarted, Extended, Replied, Closed}},
		{"replied", []Event{received, ev(Replied, "2026-03-18")}, []EventKind{Closed, Reopened}},
		{"closed", []Event{received, ev(Replied, "2026-03-18"), ev(Closed, "2026-03-18")}, []EventKind{Reopened}},
		{"lapsed", []Event{received, ev(FeeNotified, "2026-03-09"), ev(FeeLapsed, "2026-04-08")}, []EventKind{Closed, Reopened}},
		{"reopened", []Event{received, ext("2026-03-10", 5, "x"), ev(Replied, "2026-03-18"), ev(Reopened, "2026-05-08")},
			[]EventKind{ConsultationStarted, Extended, FeeNotified, Replied, Closed}},
		{"only events before the receipt", []Event{ev(Replied, "2026-02-01")}, []EventKind{Received}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Allowed(tt.events); !slices.Equal(got, tt.want) {
				t.Errorf("Allowed = %v; want %v", got, tt.want)
			}
		})
	}
}

// TestRandomLogs walks the state machine at random: every event CanAppend
// accepts, appended, gives a log that Compute replays without warnings, with
// ComputeDue agreeing, and every kind CanAppend accepts is in Allowed.
func TestRandomLogs(t *testing.T) {
	t.Parallel()
	c := cal(t)
	book := DefaultRuleBook()
	rng := rand.New(rand.NewPCG(1, 2))
	start := d("2025-01-02")
	for run := range 300 {
		on := start.AddDays(rng.IntN(600))
		events := []Event{{Kind: Received, On: on}}
		for len(events) < 12 {
			on = on.AddDays(rng.IntN(6))
			allowed := Allowed(events)
			k := allKinds[rng.IntN(len(allKinds))]
			next := Event{Kind: k, On: on}
			if k == Extended {
				next.Days, next.Reason = 1+rng.IntN(20), "材料较多"
			}
			err := CanAppend(events, next, book, c)
			if err != nil {
				if !fault.Is(err, fault.Conflict) && !fault.Is(err, fault.Invalid) {
					t.Fatalf("run %d: CanAppend(%v) = %v", run, next, err)
				}
				if fault.Is(err, fault.Conflict) && slices.Contains(allowed, k) {
					t.Fatalf("run %d: %v allowed by Allowed but CanAppend says %v", run, k, err)
				}
				continue
			}
			if !slices.Contains(allowed, k) {
				t.Fatalf("run %d: CanAppend accepts %v but Allowed = %v", run, next, allowed)
			}
			events = append(events, next)
		}
		today := on.AddDays(rng.IntN(30))
		r, err := Compute(events, book, c, today)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if len(r.Warnings) > 0 {
			t.Fatalf("run %d: warnings %q for a log CanAppend built:\n%v", run, r.Warnings, events)
		}
		fast, err := ComputeDue(events, book, c, today)
		r.Explanation, r.Warnings = nil, nil
		if err != nil || !reflect.DeepEqual(fast, r) {
			t.Fatalf("run %d: ComputeDue = %+v, %v\nCompute = %+v", run, fast, err, r)
		}
		checkInvariants(t, c, r, today)
	}
}

// checkInvariants checks what must hold for any result.
func checkInvariants(t *testing.T, c *workday.Calendar, r Result, today workday.Date) {
	t.Helper()
	switch r.State {
	case StateOpen, StatePaused:
		n, err := c.WorkingDaysBetween(r.EffectiveStart, r.DueOn)
		if err != nil || n != 20+r.ExtensionDays+r.PausedDays {
			t.Fatalf("due %v is %d working days after %v; want 20+%d+%d (%v)", r.DueOn, n, r.EffectiveStart, r.ExtensionDays, r.PausedDays, err)
		}
		if r.Paused != (r.State == StatePaused) || r.Paused != (r.PausedBy != "") {
			t.Fatalf("paused %v, state %v, paused by %q", r.Paused, r.State, r.PausedBy)
		}
		if r.Overdue != today.After(r.DueOn) || (r.DaysLeft > 0 && r.Overdue) {
			t.Fatalf("overdue %v with %d days left, due %v, today %v", r.Overdue, r.DaysLeft, r.DueOn, today)
		}
	case StateReplied:
		if r.RepliedOn.IsZero() || r.RepliedLate != r.RepliedOn.After(r.DueOn) {
			t.Fatalf("replied %v late %v due %v", r.RepliedOn, r.RepliedLate, r.DueOn)
		}
	case StateLapsed:
		if !r.DueOn.IsZero() || r.LapsedBy == "" {
			t.Fatalf("lapsed with due %v by %q", r.DueOn, r.LapsedBy)
		}
	case StateClosed:
		if r.ClosedOn.IsZero() {
			t.Fatal("closed without ClosedOn")
		}
	default:
		t.Fatalf("state %q", r.State)
	}
}
