package workday

import (
	"testing"
)

func BenchmarkAddWorkingDays20(b *testing.B) {
	c := mustDefault(b)
	from := d("2026-02-13")
	var due Date
	for b.Loop() {
		var err error
		due, err = c.AddWorkingDays(from, 20)
		if err != nil {
			b.Fatal(err)
		}
	}
	if due != d("2026-03-19") {
		b.Fatal(due)
	}
}

// BenchmarkDueDates1M computes 1,000,000 reply, supplement and extended
// deadlines (20, 7 and 40 working days) for receipt dates spread over 2025
// and 2026, as a full recomputation after a calendar change would.
func BenchmarkDueDates1M(b *testing.B) {
	c := mustDefault(b)
	const count = 1_000_000
	start := d("2025-01-01")
	froms := make([]Date, 730)
	for i := range froms {
		froms[i] = start.AddDays(i)
	}
	ns := [3]int{20, 7, 40}
	for b.Loop() {
		for i := range count {
			if _, err := c.AddWorkingDays(froms[i%len(froms)], ns[i%3]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/count, "ns/due-date")
}

func BenchmarkExplainAdd20(b *testing.B) {
	c := mustDefault(b)
	from := d("2026-02-13")
	for b.Loop() {
		if _, _, err := c.ExplainAdd(from, 20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewCalendarWithOverride(b *testing.B) {
	o := []Override{{Date: d("2026-03-05"), Reason: "local"}}
	for b.Loop() {
		if _, err := NewCalendar(o); err != nil {
			b.Fatal(err)
		}
	}
}
