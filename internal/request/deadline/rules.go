package deadline

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// Rules is one set of deadline rules, in force for applications received on
// or after EffectiveFrom (until the next set in the RuleBook takes effect).
// All periods are in working days (工作日) and start the day after the day
// they run from. The JSON form is what the database stores.
type Rules struct {
	// EffectiveFrom is the first receipt date the rules apply to.
	EffectiveFrom workday.Date `json:"effective_from"`
	// Name identifies the rule set in explanations, e.g. the decree and any
	// local rule.
	Name string `json:"name"`
	// ReplyDays is the reply period (Art. 33: 20; 2008: 15).
	ReplyDays int `json:"reply_days"`
	// ExtensionMaxDays is the longest single extension (Art. 33: 20; 2008: 15).
	ExtensionMaxDays int `json:"extension_max_days"`
	// SupplementRequestDays is the window after receipt within which a
	// supplement may be asked for (Art. 30: 7).
	SupplementRequestDays int `json:"supplement_request_days"`
	// ConsultationDays is the time a consulted third party or agency has to
	// answer (Art. 32 and 34: 15).
	ConsultationDays int `json:"consultation_days"`
	// FeePaymentDays is the time the applicant has to pay the processing fee
	// after the fee notice (国办函〔2020〕109号: 20).
	FeePaymentDays int `json:"fee_payment_days"`
	// PauseWhileFeeUnpaid stops the reply clock from the fee notice to the
	// payment. The texts do not settle it; the default is true.
	PauseWhileFeeUnpaid bool `json:"pause_while_fee_unpaid"`
	// RestDayArrivalNextWorkingDay treats an application (or a supplement, or
	// a reopen) that arrives on a rest day as received on the next working
	// day (Art. 31, common practice).
	RestDayArrivalNextWorkingDay bool `json:"rest_day_arrival_next_working_day"`
}

// Rules2019 returns the rules of the 2019 Regulations (State Council Decree
// 711, in force 2019-05-15): reply in 20 working days (Art. 33), one
// extension of at most 20 (Art. 33), supplement asked within 7 (Art. 30),
// consultation answers within 15 (Art. 32, 34), fee paid within 20 with the
// clock paused meanwhile (国办函〔2020〕109号; the pause is this package's
// default), rest-day arrival counted from the next working day.
func Rules2019() Rules {
	return Rules{
		EffectiveFrom:                workday.Date{Year: 2019, Month: time.May, Day: 15},
		Name:                         "政府信息公开条例（2019，国务院令第711号）",
		ReplyDays:                    20,
		ExtensionMaxDays:             20,
		SupplementRequestDays:        7,
		ConsultationDays:             15,
		FeePaymentDays:               20,
		PauseWhileFeeUnpaid:          true,
		RestDayArrivalNextWorkingDay: true,
	}
}

// Rules2008 returns the rules of the 2008 Regulations (State Council Decree
// 492, in force 2008-05-01, replaced on 2019-05-15), for imported old cases:
// reply in 15 working days, one extension of at most 15 (2008 Art. 24).
//
// Decree 492 sets no window for asking for a supplement, no answer period for
// a consulted third party and no fee payment period; the values here are
// stand-ins so that imported logs replay: a supplement may be asked within
// the 15-day reply period, consultation and fee periods are the 2019 ones,
// and an unpaid fee does not stop the clock (the 2008 fees were copying and
// postage charges with no notice procedure).
func Rules2008() Rules {
	return Rules{
		EffectiveFrom:                workday.Date{Year: 2008, Month: time.May, Day: 1},
		Name:                         "政府信息公开条例（2008，国务院令第492号）",
		ReplyDays:                    15,
		ExtensionMaxDays:             15,
		SupplementRequestDays:        15,
		ConsultationDays:             15,
		FeePaymentDays:               20,
		PauseWhileFeeUnpaid:          false,
		RestDayArrivalNextWorkingDay: true,
	}
}

// RuleBook is every rule set a tenant uses, each with its effective date, in
// ascending EffectiveFrom order (see Validate). A city with stricter local
// rules adds its own entries.
type RuleBook []Rules

// DefaultRuleBook returns the national rules: Rules2008 and Rules2019.
func DefaultRuleBook() RuleBook { return RuleBook{Rules2008(), Rules2019()} }

// For returns the rules in force on the receipt date received: the set with
// the latest EffectiveFrom on or before it. The receipt date is the recorded
// one, before any rest-day shift (the shift itself is a rule of the set). A
// receipt before the first set is a fault.Invalid error.
func (b RuleBook) For(received workday.Date) (Rules, error) {
	best := -1
	for i := range b {
		if b[i].EffectiveFrom.After(received) {
			continue
		}
		if best < 0 || b[i].EffectiveFrom.After(b[best].EffectiveFrom) {
			best = i
		}
	}
	if best < 0 {
		if len(b) == 0 {
			return Rules{}, fault.New(fault.Invalid, "no deadline rules configured")
		}
		first := b[0].EffectiveFrom
		for _, r := range b[1:] {
			if r.EffectiveFrom.Before(first) {
				first = r.EffectiveFrom
			}
		}
		return Rules{}, fault.New(fault.Invalid,
			"no deadline rules in force on %s: the earliest rule set takes effect on %s", received, first)
	}
	return b[best], nil
}

// Validate checks the rule book: at least one set; each with a valid
// EffectiveFrom, a Name and positive periods; effective dates strictly
// ascending (sorted and unique). It returns a fault.Invalid error naming
// every bad field ("rules[1].reply_days"), or nil. It does not allocate when
// the book is valid.
func (b RuleBook) Validate() error {
	if len(b) == 0 {
		return fault.Field("rules", "at least one rule set is required")
	}
	var bad []fault.FieldError
	add := func(i int, field, format string, args ...any) {
		bad = append(bad, fault.FieldError{
			Field:   fmt.Sprintf("rules[%d].%s", i, field),
			Message: fmt.Sprintf(format, args...),
		})
	}
	for i := range b {
		r := &b[i]
		if !r.EffectiveFrom.Valid() {
			add(i, "effective_from", "invalid date")
		} else if i > 0 && b[i-1].EffectiveFrom.Valid() && !r.EffectiveFrom.After(b[i-1].EffectiveFrom) {
			add(i, "effective_from", "%s is not after the previous rule set's %s: rule sets must be sorted by effective date, one per date",
				r.EffectiveFrom, b[i-1].EffectiveFrom)
		}
		if blank(r.Name) {
			add(i, "name", "required")
		}
		for _, p := range [...]struct {
			field string
			v     int
		}{
			{"reply_days", r.ReplyDays},
			{"extension_max_days", r.ExtensionMaxDays},
			{"supplement_request_days", r.SupplementRequestDays},
			{"consultation_days", r.ConsultationDays},
			{"fee_payment_days", r.FeePaymentDays},
		} {
			if p.v <= 0 {
				add(i, p.field, "must be a positive number of working days, got %d", p.v)
			}
		}
	}
	return fault.Fields(bad)
}

// blank reports whether s is empty or only white space; cheaper than
// strings.TrimSpace for the common non-blank case.
func blank(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) }) < 0
}
