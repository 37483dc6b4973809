package deadline

import (
	"testing"

	"gongkai/internal/workday"
)

// typicalLog is a five-event case: received, consultation started and
// ended, extended, replied.
func typicalLog() []Event {
	return []Event{
		received,
		{Kind: ConsultationStarted, On: d("2026-03-02"), Reason: "第三方：某公司"},
		ev(ConsultationEnded, "2026-03-05"),
		ext("2026-03-10", 10, "需要调取档案"),
		ev(Replied, "2026-04-01"),
	}
}

func BenchmarkCompute(b *testing.B) {
	c := cal(b)
	book := DefaultRuleBook()
	events := typicalLog()
	today := d("2026-04-02")
	for b.Loop() {
		if _, err := Compute(events, book, c, today); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkComputeDue(b *testing.B) {
	c := cal(b)
	book := DefaultRuleBook()
	events := typicalLog()
	today := d("2026-04-02")
	for b.Loop() {
		if _, err := ComputeDue(events, book, c, today); err != nil {
			b.Fatal(err)
		}
	}
}

// appLogs returns n distinct five-event logs (the typical log shifted over
// 2025–2026; every third one still open and paused), as a bulk
// recomputation after a calendar change would see them.
func appLogs(n int) [][]Event {
	base := typicalLog()
	logs := make([][]Event, n)
	for i := range logs {
		shift := i % 600
		l := make([]Event, len(base))
		for j, e := range base {
			e.On = d("2025-01-02").AddDays(shift + dayOffset(base[0].On, e.On))
			l[j] = e
		}
		if i%3 == 0 {
			l = l[:2] // consultation still open
		}
		logs[i] = l
	}
	return logs
}

// dayOffset returns the number of calendar days from from to to (to >= from).
func dayOffset(from, to workday.Date) int {
	n := 0
	for x := from; x.Before(to); x = x.AddDays(1) {
		n++
	}
	return n
}

// BenchmarkCompute1M recomputes the due dates of 1,000,000 applications
// (ComputeDue; 4,096 distinct logs cycled) per op. The target is under 10 s
// on 2 cores; the ns/app metric is the single-core cost of one.
func BenchmarkCompute1M(b *testing.B) {
	c := cal(b)
	book := DefaultRuleBook()
	logs := appLogs(4096)
	today := d("2026-12-31")
	const count = 1_000_000
	for b.Loop() {
		for i := range count {
			if _, err := ComputeDue(logs[i%len(logs)], book, c, today); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/count, "ns/app")
}
