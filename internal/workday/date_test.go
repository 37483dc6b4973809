package workday

import (
	"encoding/json"
	"testing"
	"time"

	"gongkai/internal/fault"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2026-02-13", Date{2026, time.February, 13}, true},
		{"2024-02-29", Date{2024, time.February, 29}, true},
		{"0001-01-01", Date{1, time.January, 1}, true},
		{"2026-02-30", Date{}, false},
		{"2025-02-29", Date{}, false},
		{"2026-2-13", Date{}, false},
		{"2026/02/13", Date{}, false},
		{"2026-02-13T00:00:00Z", Date{}, false},
		{"", Date{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDate(tt.in)
			if !tt.ok {
				if !fault.Is(err, fault.Invalid) {
					t.Fatalf("ParseDate(%q) error = %v, want fault.Invalid", tt.in, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
			if got.String() != tt.in {
				t.Fatalf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

// TestDateArithmetic checks Weekday, AddDays, yday and Compare against the
// time package for every day from 1899 to 2101.
func TestDateArithmetic(t *testing.T) {
	t.Parallel()
	start := time.Date(1899, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := Date{1898, time.December, 31}
	for tm := start; tm.Year() <= 2101; tm = tm.AddDate(0, 0, 1) {
		d := FromTime(tm, time.UTC)
		if !d.Valid() {
			t.Fatalf("%v not valid", d)
		}
		if d.Weekday() != tm.Weekday() {
			t.Fatalf("%v.Weekday() = %v, want %v", d, d.Weekday(), tm.Weekday())
		}
		if got := prev.AddDays(1); got != d {
			t.Fatalf("%v.AddDays(1) = %v, want %v", prev, got, d)
		}
		if got := d.AddDays(-1); got != prev {
			t.Fatalf("%v.AddDays(-1) = %v, want %v", d, got, prev)
		}
		if yd := d.yday(); yd != tm.YearDay()-1 || dateOfYday(d.Year, yd) != d {
			t.Fatalf("%v yday = %d, want %d", d, yd, tm.YearDay()-1)
		}
		if !prev.Before(d) || !d.After(prev) || d.Equal(prev) || d.Compare(d) != 0 {
			t.Fatalf("ordering of %v and %v wrong", prev, d)
		}
		if d.String() != tm.Format(time.DateOnly) {
			t.Fatalf("String() = %q, want %q", d.String(), tm.Format(time.DateOnly))
		}
		prev = d
	}
	if got := (Date{2026, time.February, 13}).AddDays(34); got != (Date{2026, time.March, 19}) {
		t.Fatalf("AddDays(34) = %v", got)
	}
}

func TestFromTime(t *testing.T) {
	t.Parallel()
	tm := time.Date(2026, 2, 12, 17, 30, 0, 0, time.UTC) // 01:30 on the 13th in Beijing
	if got := FromTime(tm, nil); got != (Date{2026, time.February, 13}) {
		t.Fatalf("FromTime(nil loc) = %v, want 2026-02-13", got)
	}
	if got := FromTime(tm, ChinaTime); got != (Date{2026, time.February, 13}) {
		t.Fatalf("FromTime(ChinaTime) = %v, want 2026-02-13", got)
	}
	if got := FromTime(tm, time.UTC); got != (Date{2026, time.February, 12}) {
		t.Fatalf("FromTime(UTC) = %v, want 2026-02-12", got)
	}
}

func TestDateValidAndJSON(t *testing.T) {
	t.Parallel()
	for _, d := range []Date{{}, {2026, 13, 1}, {2026, 2, 29}, {2026, 4, 31}, {0, 1, 1}, {2026, 1, 0}} {
		if d.Valid() {
			t.Errorf("%#v.Valid() = true", d)
		}
	}
	if !(Date{}).IsZero() || (Date{2026, 1, 1}).IsZero() {
		t.Error("IsZero wrong")
	}
	type rec struct {
		Due Date `json:"due"`
	}
	b, err := json.Marshal(rec{Date{2026, time.March, 19}})
	if err != nil || string(b) != `{"due":"2026-03-19"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var r rec
	if err := json.Unmarshal(b, &r); err != nil || r.Due != (Date{2026, time.March, 19}) {
		t.Fatalf("Unmarshal = %v, %v", r, err)
	}
	if err := json.Unmarshal([]byte(`{"due":"2026-02-30"}`), &r); err == nil {
		t.Fatal("Unmarshal of 2026-02-30 succeeded")
	}
	if _, err := json.Marshal(rec{Date{2026, 2, 30}}); err == nil {
		t.Fatal("Marshal of an invalid date succeeded")
	}
}
