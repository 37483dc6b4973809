package workday

import "testing"

// FuzzParseDate: any text either parses to a valid date that prints back
// the same, or is refused; AddWorkingDays on it never panics.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-02-13", "2026-02-30", "0000-00-00", "2026-2-3", "9999-12-31", "", "2026-13-01"} {
		f.Add(s, 20)
	}
	cal, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if !d.Valid() || d.String() != s {
			t.Fatalf("ParseDate(%q) = %v", s, d)
		}
		if n >= 0 && n < 1000 {
			_, _ = cal.AddWorkingDays(d, n)
		}
	})
}
