package deadline

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"gongkai/internal/fault"
)

func TestRuleBookFor(t *testing.T) {
	t.Parallel()
	book := DefaultRuleBook()
	if err := book.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		received string
		want     string // rule set name; "" for an error
	}{
		{"2008-04-30", ""},
		{"2008-05-01", Rules2008().Name},
		{"2018-09-20", Rules2008().Name},
		{"2019-05-14", Rules2008().Name},
		{"2019-05-15", Rules2019().Name},
		{"2026-02-13", Rules2019().Name},
	}
	for _, tt := range tests {
		t.Run(tt.received, func(t *testing.T) {
			t.Parallel()
			r, err := book.For(d(tt.received))
			if tt.want == "" {
				if !fault.Is(err, fault.Invalid) {
					t.Fatalf("err = %v; want invalid", err)
				}
				return
			}
			if err != nil || r.Name != tt.want {
				t.Fatalf("For = %q, %v; want %q", r.Name, err, tt.want)
			}
		})
	}
	// A stricter city rule from 2024 on.
	city := Rules2019()
	city.EffectiveFrom, city.Name, city.ReplyDays = d("2024-01-01"), "某市规定（15 个工作日）", 15
	cityBook := append(DefaultRuleBook(), city)
	if err := cityBook.Validate(); err != nil {
		t.Fatal(err)
	}
	if r, _ := cityBook.For(d("2023-12-31")); r.ReplyDays != 20 {
		t.Errorf("2023: %d days", r.ReplyDays)
	}
	if r, _ := cityBook.For(d("2026-02-13")); r.ReplyDays != 15 {
		t.Errorf("2026: %d days", r.ReplyDays)
	}
	r, err := Compute([]Event{received}, cityBook, cal(t), d("2026-02-13"))
	// 15 working days from Fri 13 Feb 2026: Feb 14 (1), Feb 24–28 (2–6),
	// Mar 2–6 (7–11), Mar 9–12 (12–15) → Thu 12 Mar.
	if err != nil || r.DueOn != d("2026-03-12") || r.RulesName != city.Name {
		t.Errorf("city rules: due %v, rules %q, %v", r.DueOn, r.RulesName, err)
	}
}

func TestRuleBookValidate(t *testing.T) {
	t.Parallel()
	bad := Rules2019()
	bad.Name, bad.ReplyDays, bad.ExtensionMaxDays, bad.SupplementRequestDays, bad.ConsultationDays, bad.FeePaymentDays = " ", 0, -1, 0, 0, 0
	dup := Rules2019()
	dup.Name = "dup"
	tests := []struct {
		name   string
		book   RuleBook
		fields []string
	}{
		{"empty", nil, []string{"rules"}},
		{"bad values", RuleBook{bad}, []string{"rules[0].name", "rules[0].reply_days", "rules[0].extension_max_days",
			"rules[0].supplement_request_days", "rules[0].consultation_days", "rules[0].fee_payment_days"}},
		{"unsorted", RuleBook{Rules2019(), Rules2008()}, []string{"rules[1].effective_from"}},
		{"duplicate date", RuleBook{Rules2019(), dup}, []string{"rules[1].effective_from"}},
		{"invalid date", RuleBook{{Name: "x", ReplyDays: 1, ExtensionMaxDays: 1, SupplementRequestDays: 1, ConsultationDays: 1, FeePaymentDays: 1}},
			[]string{"rules[0].effective_from"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.book.Validate()
			if !fault.Is(err, fault.Invalid) {
				t.Fatalf("err = %v; want invalid", err)
			}
			var got []string
			for _, f := range fault.FieldsOf(err) {
				got = append(got, f.Field)
			}
			if !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %v; want %v (%v)", got, tt.fields, err)
			}
		})
	}
	if err := (RuleBook{Rules2019(), dup}).Validate(); !strings.Contains(err.Error(), "must be sorted by effective date, one per date") {
		t.Errorf("message: %v", err)
	}
}

func TestRulesJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(DefaultRuleBook())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"effective_from":"2019-05-15"`, `"reply_days":20`, `"extension_max_days":15`,
		`"pause_while_fee_unpaid":true`, `"rest_day_arrival_next_working_day":true`, `"supplement_request_days":7`,
		`"consultation_days":15`, `"fee_payment_days":20`, `"name":"政府信息公开条例（2019，国务院令第711号）"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
	var back RuleBook
	if err := json.Unmarshal(b, &back); err != nil || !slices.Equal(back, DefaultRuleBook()) {
		t.Errorf("round trip: %v, %+v", err, back)
	}
}

func TestEventKinds(t *testing.T) {
	t.Parallel()
	ks := EventKinds()
	if len(ks) != 13 || ks[0] != Received || ks[12] != Reopened {
		t.Fatalf("EventKinds = %v", ks)
	}
	for _, k := range ks {
		if !k.Valid() || verb(k) == "record "+string(k) {
			t.Errorf("%q: valid %v, verb %q", k, k.Valid(), verb(k))
		}
	}
	if EventKind("withdrawn").Valid() {
		t.Error("unknown kind valid")
	}
	e := Event{Kind: Extended, On: d("2026-03-10"), Days: 10, Reason: "x"}
	if e.String() != "2026-03-10 extended 10 (x)" {
		t.Errorf("String = %q", e.String())
	}
	b, _ := json.Marshal(Event{Kind: Replied, On: d("2026-03-19")})
	if string(b) != `{"kind":"replied","on":"2026-03-19"}` {
		t.Errorf("json = %s", b)
	}
}
