package workday

import (
	"slices"
	"testing"
)

func TestExplainAdd(t *testing.T) {
	t.Parallel()
	c := mustDefault(t)
	tests := []struct {
		name string
		from string
		n    int
		due  string
		want []string // lines that must appear, in this order
	}{
		{"worked example, reply deadline", "2026-02-13", 20, "2026-03-19", []string{
			"自 2026-02-13 周五 次日起算，计 20 个工作日",
			"2026-02-14 周六 调休上班 第1个工作日",
			"2026-02-15 至 2026-02-23 休息日（春节）",
			"2026-02-24 至 2026-02-27 第2–5个工作日",
			"2026-02-28 周六 调休上班 第6个工作日",
			"2026-03-01 周日 休息日（周末）",
			"2026-03-16 至 2026-03-19 第17–20个工作日",
			"第20个工作日：2026-03-19 周四",
		}},
		{"worked example, supplement request", "2026-02-13", 7, "2026-03-02", []string{
			"2026-02-14 周六 调休上班 第1个工作日",
			"2026-03-02 周一 第7个工作日",
			"第7个工作日：2026-03-02 周一",
		}},
		{"National Day and Mid-Autumn 2025", "2025-09-26", 7, "2025-10-13", []string{
			"2025-09-28 周日 调休上班 第1个工作日",
			"2025-10-01 至 2025-10-08 休息日（国庆中秋）",
			"2025-10-11 周六 调休上班 第6个工作日",
			"第7个工作日：2025-10-13 周一",
		}},
		{"rest run across holiday and weekend", "2026-04-02", 2, "2026-04-07", []string{
			"2026-04-03 周五 第1个工作日",
			"2026-04-04 至 2026-04-06 休息日（清明节）",
			"第2个工作日：2026-04-07 周二",
		}},
		{"zero days", "2026-02-13", 0, "2026-02-13", []string{
			"0 个工作日：即 2026-02-13 周五",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			due, lines, err := c.ExplainAdd(d(tt.from), tt.n)
			if err != nil || due.String() != tt.due {
				t.Fatalf("ExplainAdd = %v, %v; want %s", due, err, tt.due)
			}
			at := -1
			for _, w := range tt.want {
				i := slices.Index(lines, w)
				if i <= at {
					t.Fatalf("line %q missing or out of order in:\n%s", w, joinLines(lines))
				}
				at = i
			}
			if tt.n > 0 && lines[len(lines)-1] != tt.want[len(tt.want)-1] {
				t.Fatalf("last line = %q", lines[len(lines)-1])
			}
		})
	}
}

func TestExplainAddOverrideReasons(t *testing.T) {
	t.Parallel()
	c, err := NewCalendar([]Override{
		{Date: d("2026-03-07"), Working: true, Reason: "平台更正"},
		{Date: d("2026-03-09"), Working: false, Reason: "三月三（地方）"},
		{Date: d("2026-03-10"), Working: false, Reason: "三月三（地方）"},
		{Date: d("2026-02-23"), Working: true, Reason: "更正"},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, lines, err := c.ExplainAdd(d("2026-03-05"), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"自 2026-03-05 周四 次日起算，计 3 个工作日",
		"2026-03-06 周五 第1个工作日",
		"2026-03-07 周六 调休上班（平台更正） 第2个工作日",
		"2026-03-08 至 2026-03-10 休息日（周末、三月三（地方））",
		"2026-03-11 周三 第3个工作日",
		"第3个工作日：2026-03-11 周三",
	}
	if !slices.Equal(lines, want) {
		t.Fatalf("lines:\n%s\nwant:\n%s", joinLines(lines), joinLines(want))
	}
	_, lines, _ = c.ExplainAdd(d("2026-02-20"), 1)
	if !slices.Contains(lines, "2026-02-23 周一 工作日（更正） 第1个工作日") {
		t.Fatalf("weekday override missing:\n%s", joinLines(lines))
	}
}

func joinLines(lines []string) string {
	s := ""
	for _, l := range lines {
		s += "  " + l + "\n"
	}
	return s
}
