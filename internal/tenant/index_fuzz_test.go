package tenant_test

import (
	"strings"
	"testing"
	"time"

	"gongkai/internal/tenant"
)

// FuzzParseIndexTemplate: any text either is refused with an error or
// gives a template whose numbers are distinct for distinct sequence numbers
// and contain the year (so index numbers stay unique per bureau and year).
func FuzzParseIndexTemplate(f *testing.F) {
	for _, s := range []string{tenant.DefaultIndexTemplate, "{org_code}-{YYYY}{MM}-{NNN}", "{YYYY}/{N}", "{NNNNNNNNNNNNN}", "{YYYY}{YYYY}{N}", "{", "}", "{credit_code}/{YYYY}-{NNNNN}/索引", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tpl, err := tenant.ParseIndexTemplate(s)
		if err != nil {
			return
		}
		const code = "12210800462582076W"
		a, errA := tpl.Format(code, 2026, time.March, 7)
		b, errB := tpl.Format(code, 2026, time.March, 8)
		if errA != nil || errB != nil {
			t.Fatalf("%q parses but does not format: %v %v", s, errA, errB)
		}
		if a == b {
			t.Fatalf("%q: sequence 7 and 8 give the same number %q", s, a)
		}
		if !strings.Contains(a, "2026") {
			t.Fatalf("%q: number %q lacks the year", s, a)
		}
	})
}
