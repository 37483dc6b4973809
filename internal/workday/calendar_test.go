package workday

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai/internal/fault"
)

func d(s string) Date { return MustParseDate(s) }

func mustDefault(t testing.TB) *Calendar {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return c
}

// span is an inclusive range of dates.
type span struct{ from, to string }

// nationalVectors are the national schedules of workdays.md.
var nationalVectors = []struct {
	year    int
	notice  string
	rest    []span
	working []string // weekend days that are working days
}{
	{
		year:   2025,
		notice: "国办发明电〔2024〕12号",
		rest: []span{
			{"2025-01-01", "2025-01-01"},
			{"2025-01-28", "2025-02-04"},
			{"2025-04-04", "2025-04-06"},
			{"2025-05-01", "2025-05-05"},
			{"2025-05-31", "2025-06-02"},
			{"2025-10-01", "2025-10-08"},
		},
		working: []string{"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"},
	},
	{
		year:   2026,
		notice: "notice of 4 Nov 2025",
		rest: []span{
			{"2026-01-01", "2026-01-03"},
			{"2026-02-15", "2026-02-23"},
			{"2026-04-04", "2026-04-06"},
			{"2026-05-01", "2026-05-05"},
			{"2026-06-19", "2026-06-21"},
			{"2026-09-25", "2026-09-27"},
			{"2026-10-01", "2026-10-07"},
		},
		working: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
	},
}

// TestNationalSchedules checks every day of 2025 and 2026 against the
// tables of workdays.md: listed rest days are not working days, listed
// weekend days are, every other day follows Monday–Friday, and each year
// has 248 working days.
func TestNationalSchedules(t *testing.T) {
	t.Parallel()
	c := mustDefault(t)
	for _, v := range nationalVectors {
		t.Run(v.notice, func(t *testing.T) {
			t.Parallel()
			want := map[Date]bool{}
			for _, s := range v.rest {
				for x := d(s.from); !x.After(d(s.to)); x = x.AddDays(1) {
					want[x] = false
				}
			}
			for _, s := range v.working {
				x := d(s)
				if !isWeekend(x.Weekday()) {
					t.Fatalf("vector %v is not a weekend day", x)
				}
				want[x] = true
			}
			count := 0
			for x := (Date{v.year, time.January, 1}); x.Year == v.year; x = x.AddDays(1) {
				w, listed := want[x]
				if !listed {
					w = !isWeekend(x.Weekday())
				}
				got, err := c.IsWorkingDay(x)
				if err != nil {
					t.Fatalf("IsWorkingDay(%v): %v", x, err)
				}
				if got != w {
					t.Errorf("IsWorkingDay(%v %v) = %v, want %v (listed in workdays.md: %v)", x, x.Weekday(), got, w, listed)
				}
				if got {
					count++
				}
			}
			if count != 248 {
				t.Errorf("%d has %d working days, want 248", v.year, count)
			}
			if n, err := c.WorkingDaysInYear(v.year); n != 248 || err != nil {
				t.Errorf("WorkingDaysInYear(%d) = %d, %v; want 248", v.year, n, err)
			}
			n, err := c.WorkingDaysBetween(Date{v.year - 1, time.December, 31}, Date{v.year, time.December, 31})
			if n != 248 || err != nil {
				t.Errorf("WorkingDaysBetween over %d = %d, %v; want 248", v.year, n, err)
			}
		})
	}
}

func TestWorkedExample(t *testing.T) {
	t.Parallel()
	c := mustDefault(t)
	received := d("2026-02-13")
	tests := []struct {
		name string
		from Date
		n    int
		want string
	}{
		{"reply deadline Art. 33", received, 20, "2026-03-19"},
		{"supplement request Art. 30", received, 7, "2026-03-02"},
		{"day 1 is the make-up Saturday", received, 1, "2026-02-14"},
		{"day 2 after Spring Festival", received, 2, "2026-02-24"},
		{"day 6 is the second make-up Saturday", received, 6, "2026-02-28"},
		{"extension: another 20 after the reply deadline", d("2026-03-19"), 20, "2026-04-17"},
		{"zero days is the start date", received, 0, "2026-02-13"},
		{"start on a rest day", d("2026-02-15"), 1, "2026-02-24"},
		{"across the year end onto a make-up Sunday", d("2025-12-31"), 1, "2026-01-04"},
		{"from the last day of a year", d("2025-12-31"), 248, "2026-12-31"},
		{"across the National Day", d("2025-09-30"), 1, "2025-10-09"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.AddWorkingDays(tt.from, tt.n)
			if err != nil || got.String() != tt.want {
				t.Fatalf("AddWorkingDays(%v, %d) = %v, %v; want %s", tt.from, tt.n, got, err, tt.want)
			}
			if got.String() == "2026-03-19" && got.Weekday() != time.Thursday {
				t.Fatalf("19 Mar 2026 should be a Thursday")
			}
		})
	}
}

func TestOnOrAfterAndNext(t *testing.T) {
	t.Parallel()
	c := mustDefault(t)
	tests := []struct {
		day, onOrAfter, next string
	}{
		{"2026-02-13", "2026-02-13", "2026-02-14"}, // Friday
		{"2026-02-14", "2026-02-14", "2026-02-24"}, // make-up Saturday
		{"2026-02-15", "2026-02-24", "2026-02-24"}, // Spring Festival
		{"2026-03-07", "2026-03-09", "2026-03-09"}, // ordinary Saturday
		{"2025-12-31", "2025-12-31", "2026-01-04"},
	}
	for _, tt := range tests {
		t.Run(tt.day, func(t *testing.T) {
			t.Parallel()
			got, err := c.OnOrAfter(d(tt.day))
			if err != nil || got.String() != tt.onOrAfter {
				t.Errorf("OnOrAfter(%s) = %v, %v; want %s", tt.day, got, err, tt.onOrAfter)
			}
			got, err = c.NextWorkingDay(d(tt.day))
			if err != nil || got.String() != tt.next {
				t.Errorf("NextWorkingDay(%s) = %v, %v; want %s", tt.day, got, err, tt.next)
			}
		})
	}
}

func TestCovered(t *testing.T) {
	t.Parallel()
	c := mustDefault(t)
	cov := c.Covered()
	if !slices.IsSorted(cov) {
		t.Fatalf("Covered() not sorted: %v", cov)
	}
	for _, y := range []int{2002, 2020, 2025, 2026} {
		if !slices.Contains(cov, y) || !c.Covers(y) {
			t.Errorf("year %d not covered: %v", y, cov)
		}
	}
	// lunar-go has only the two make-up days of the 2002 New Year in 2001.
	for _, y := range []int{2000, 2001, 2031} {
		if c.Covers(y) {
			t.Errorf("year %d covered", y)
		}
	}
	for i := 1; i < len(cov); i++ {
		if cov[i] != cov[i-1]+1 {
			t.Errorf("gap in the national years: %v", cov)
		}
	}
	cov[0] = -1
	if c.Covered()[0] == -1 {
		t.Error("Covered() exposes internal state")
	}
	if !strings.Contains(c.Source(2026), "lunar-go") || c.Source(2031) != "" {
		t.Errorf("Source: %q, %q", c.Source(2026), c.Source(2031))
	}
	if c2, _ := Default(); c2 != c {
		t.Error("Default() not cached")
	}
}

func TestUncoveredYear(t *testing.T) {
	t.Parallel()
	c := mustDefault(t)
	cov := c.Covered()
	after := cov[len(cov)-1] + 1 // first year the shipped data does not cover
	tests := []struct {
		name string
		year int
		call func() error
	}{
		{"IsWorkingDay 2031", 2031, func() error { _, err := c.IsWorkingDay(d("2031-03-03")); return err }},
		{"OnOrAfter 2031", 2031, func() error { _, err := c.OnOrAfter(d("2031-03-03")); return err }},
		{"AddWorkingDays in 2031", 2031, func() error { _, err := c.AddWorkingDays(d("2031-03-03"), 5); return err }},
		{"AddWorkingDays runs into the next year", after, func() error {
			_, err := c.AddWorkingDays(Date{after - 1, time.December, 20}, 20)
			return err
		}},
		{"AddWorkingDays from 2001", 2001, func() error { _, err := c.AddWorkingDays(d("2001-06-01"), 1); return err }},
		{"WorkingDaysBetween", after, func() error {
			_, err := c.WorkingDaysBetween(Date{after - 1, time.December, 1}, Date{after, time.January, 10})
			return err
		}},
		{"WorkingDaysInYear", 2031, func() error { _, err := c.WorkingDaysInYear(2031); return err }},
		{"ExplainAdd", 2031, func() error { _, _, err := c.ExplainAdd(d("2031-03-03"), 5); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.call()
			if !fault.Is(err, fault.Invalid) {
				t.Fatalf("error = %v, want fault.Invalid", err)
			}
			want := "unknown calendar: no working-day schedule for year " + itoa(tt.year)
			if fault.MessageOf(err) != want {
				t.Fatalf("message = %q, want %q", fault.MessageOf(err), want)
			}
			var u *UnknownYearError
			if !errors.As(err, &u) || u.Year != tt.year {
				t.Fatalf("errors.As UnknownYearError = %v", u)
			}
		})
	}
	// From the last day of an uncovered year only the next year matters.
	if got, err := c.AddWorkingDays(d("2001-12-31"), 1); err != nil || got != d("2002-01-04") {
		t.Errorf("AddWorkingDays(2001-12-31, 1) = %v, %v", got, err)
	}
}

func itoa(y int) string { return Date{y, 1, 1}.String()[:4] }

func TestInvalidArguments(t *testing.T) {
	t.Parallel()
	c := mustDefault(t)
	if _, err := c.AddWorkingDays(d("2026-02-13"), -1); !fault.Is(err, fault.Invalid) {
		t.Errorf("negative n: %v", err)
	}
	if _, err := c.AddWorkingDays(Date{2026, 2, 30}, 1); !fault.Is(err, fault.Invalid) {
		t.Errorf("invalid from: %v", err)
	}
	if _, err := c.IsWorkingDay(Date{}); !fault.Is(err, fault.Invalid) {
		t.Errorf("zero date: %v", err)
	}
	if _, err := c.WorkingDaysBetween(d("2026-01-01"), Date{2026, 13, 1}); !fault.Is(err, fault.Invalid) {
		t.Errorf("invalid to: %v", err)
	}
}

// TestAgainstBruteForce checks the precomputed tables against a day-by-day
// count with IsWorkingDay, and WorkingDaysBetween against AddWorkingDays.
func TestAgainstBruteForce(t *testing.T) {
	t.Parallel()
	c := mustDefault(t)
	last := Date{c.Covered()[len(c.Covered())-1], time.December, 31}
	for from := d("2023-12-01"); from.Before(d("2027-01-01")); from = from.AddDays(1) {
		x, k := from, 0
		for _, n := range []int{1, 2, 5, 7, 15, 20, 40, 60, 250, 500} {
			for k < n && x.Before(last) {
				x = x.AddDays(1)
				if ok, err := c.IsWorkingDay(x); err != nil {
					t.Fatal(err)
				} else if ok {
					k++
				}
			}
			if k < n {
				break // runs past the covered years
			}
			got, err := c.AddWorkingDays(from, n)
			if err != nil || got != x {
				t.Fatalf("AddWorkingDays(%v, %d) = %v, %v; want %v", from, n, got, err, x)
			}
			between, err := c.WorkingDaysBetween(from, got)
			if err != nil || between != n {
				t.Fatalf("WorkingDaysBetween(%v, %v) = %d, %v; want %d", from, got, between, err, n)
			}
			back, err := c.WorkingDaysBetween(got, from)
			if err != nil || back != -n {
				t.Fatalf("WorkingDaysBetween(%v, %v) = %d, %v; want %d", got, from, back, err, -n)
			}
			// The day before the due date is not yet n working days.
			if b, _ := c.WorkingDaysBetween(from, got.AddDays(-1)); b != n-1 {
				t.Fatalf("WorkingDaysBetween(%v, %v) = %d; want %d", from, got.AddDays(-1), b, n-1)
			}
		}
	}
	if n, err := c.WorkingDaysBetween(d("2026-02-13"), d("2026-02-13")); n != 0 || err != nil {
		t.Errorf("WorkingDaysBetween(same day) = %d, %v", n, err)
	}
	if n, err := c.WorkingDaysBetween(d("2026-02-14"), d("2026-02-23")); n != 0 || err != nil {
		t.Errorf("WorkingDaysBetween over Spring Festival = %d, %v", n, err)
	}
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	base := mustDefault(t)
	received := d("2026-02-13")

	t.Run("local rest day shifts the deadline", func(t *testing.T) {
		t.Parallel()
		c, err := NewCalendar([]Override{{Date: d("2026-03-05"), Working: false, Reason: "地方民族节日（自治区规定）"}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.AddWorkingDays(received, 20)
		if err != nil || got != d("2026-03-20") {
			t.Fatalf("AddWorkingDays = %v, %v; want 2026-03-20", got, err)
		}
		if ok, _ := c.IsWorkingDay(d("2026-03-05")); ok {
			t.Fatal("override ignored")
		}
		if c.Version() == base.Version() {
			t.Fatal("Version unchanged by an override")
		}
		// The shared national calendar is untouched.
		if got, _ := base.AddWorkingDays(received, 20); got != d("2026-03-19") {
			t.Fatalf("national calendar changed: %v", got)
		}
		_, lines, err := c.ExplainAdd(received, 20)
		if err != nil || !containsLine(lines, "2026-03-05 周四 休息日（地方民族节日（自治区规定））") {
			t.Fatalf("explanation misses the local rest day: %q, %v", lines, err)
		}
	})

	t.Run("working override on a Saturday", func(t *testing.T) {
		t.Parallel()
		c, err := NewCalendar([]Override{{Date: d("2026-03-07"), Working: true, Reason: "平台更正"}})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := c.AddWorkingDays(received, 20); err != nil || got != d("2026-03-18") {
			t.Fatalf("AddWorkingDays = %v, %v; want 2026-03-18", got, err)
		}
		if n, _ := c.WorkingDaysInYear(2026); n != 249 {
			t.Fatalf("WorkingDaysInYear = %d, want 249", n)
		}
	})

	t.Run("version is stable", func(t *testing.T) {
		t.Parallel()
		o := []Override{{Date: d("2026-03-05"), Reason: "x"}}
		a, _ := NewCalendar(o)
		b, _ := NewCalendar(o)
		n, _ := NewCalendar(nil)
		if a.Version() != b.Version() || n.Version() != base.Version() {
			t.Fatalf("versions differ: %s %s / %s %s", a.Version(), b.Version(), n.Version(), base.Version())
		}
		if !strings.HasPrefix(base.Version(), "wd-") || len(base.Version()) != 15 {
			t.Fatalf("Version() = %q", base.Version())
		}
	})

	t.Run("year schedule adds 2031", func(t *testing.T) {
		t.Parallel()
		s := YearSchedule{
			Year:            2031,
			Source:          "国办发明电〔2030〕X号（测试）",
			RestDays:        []Date{d("2031-01-01"), d("2031-01-22"), d("2031-01-23"), d("2031-01-24"), d("2031-01-25"), d("2031-01-26"), d("2031-01-27"), d("2031-01-28")},
			WorkingWeekends: []Date{d("2031-01-19"), d("2031-02-08")},
		}
		c, err := NewCalendar([]Override{{Date: d("2031-03-03"), Reason: "地方休息日"}}, s)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Covers(2031) || c.Covered()[len(c.Covered())-1] != 2031 || c.Source(2031) != s.Source {
			t.Fatalf("2031 not covered: %v", c.Covered())
		}
		if c.Covers(2030) {
			t.Fatal("2030 covered without a schedule")
		}
		for day, want := range map[string]bool{
			"2031-01-01": false, "2031-01-02": true, "2031-01-19": true, "2031-01-22": false,
			"2031-02-08": true, "2031-02-09": false, "2031-03-03": false, "2031-03-04": true,
		} {
			if got, err := c.IsWorkingDay(d(day)); err != nil || got != want {
				t.Errorf("IsWorkingDay(%s) = %v, %v; want %v", day, got, err, want)
			}
		}
		// Counting from 31 Dec 2030 needs only 2031.
		if _, err := c.AddWorkingDays(d("2030-12-31"), 1); err != nil {
			t.Fatalf("from the last day of 2030: %v", err)
		}
		got, err := c.AddWorkingDays(d("2031-01-17"), 3) // Sun 19, Mon 20, Tue 21
		if err != nil || got != d("2031-01-21") {
			t.Fatalf("AddWorkingDays = %v, %v; want 2031-01-21", got, err)
		}
		got, err = c.AddWorkingDays(d("2031-01-21"), 1) // holiday 22–28, Wed 29
		if err != nil || got != d("2031-01-29") {
			t.Fatalf("AddWorkingDays = %v, %v; want 2031-01-29", got, err)
		}
		if _, err := c.IsWorkingDay(d("2030-06-03")); !fault.Is(err, fault.Invalid) {
			t.Fatalf("2030: %v", err)
		}
	})

	t.Run("year schedule replaces a year", func(t *testing.T) {
		t.Parallel()
		c, err := NewCalendar(nil, YearSchedule{Year: 2026, Source: "plain Monday–Friday"})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := c.AddWorkingDays(received, 20); got != d("2026-03-13") {
			t.Fatalf("AddWorkingDays = %v; want 2026-03-13", got)
		}
		if got, _ := c.AddWorkingDays(d("2025-01-24"), 1); got != d("2025-01-26") {
			t.Fatalf("2025 changed: %v", got)
		}
	})
}

func TestNewCalendarInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		overrides []Override
		schedules []YearSchedule
		field     string
		msg       string
	}{
		{"override in an uncovered year", []Override{{Date: d("2031-05-01"), Reason: "x"}}, nil,
			"overrides[0].date", "unknown calendar: no working-day schedule for year 2031"},
		{"override without reason", []Override{{Date: d("2026-05-01")}}, nil, "overrides[0].reason", "required"},
		{"override with bad date", []Override{{Date: Date{2026, 2, 30}, Reason: "x"}}, nil, "overrides[0].date", "invalid date"},
		{"duplicate override", []Override{{Date: d("2026-05-06"), Reason: "x"}, {Date: d("2026-05-06"), Working: true, Reason: "y"}}, nil,
			"overrides[1].date", "second override"},
		{"schedule without source", nil, []YearSchedule{{Year: 2031}}, "schedules[0].source", "required"},
		{"schedule day in another year", nil, []YearSchedule{{Year: 2031, Source: "s", RestDays: []Date{d("2030-01-01")}}},
			"schedules[0].rest_days[0]", "not in year 2031"},
		{"working weekend on a weekday", nil, []YearSchedule{{Year: 2031, Source: "s", WorkingWeekends: []Date{d("2031-01-06")}}},
			"schedules[0].working_weekends[0]", "not a Saturday or Sunday"},
		{"day listed twice", nil, []YearSchedule{{Year: 2031, Source: "s", RestDays: []Date{d("2031-01-04")}, WorkingWeekends: []Date{d("2031-01-04")}}},
			"schedules[0].working_weekends[0]", "listed twice"},
		{"two schedules for a year", nil, []YearSchedule{{Year: 2031, Source: "a"}, {Year: 2031, Source: "b"}}, "schedules[1].year", "second schedule"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewCalendar(tt.overrides, tt.schedules...)
			if c != nil || !fault.Is(err, fault.Invalid) {
				t.Fatalf("NewCalendar = %v, %v; want fault.Invalid", c, err)
			}
			fs := fault.FieldsOf(err)
			if len(fs) == 0 || fs[0].Field != tt.field || !strings.Contains(fs[0].Message, tt.msg) {
				t.Fatalf("fields = %+v, want %s: ...%s...", fs, tt.field, tt.msg)
			}
		})
	}
}

func containsLine(lines []string, want string) bool { return slices.Contains(lines, want) }
