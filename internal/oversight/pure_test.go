package oversight

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"gongkai/internal/workday"
)

func TestBarChartSVGIsValidAccessibleXML(t *testing.T) {
	t.Parallel()
	months := []string{"1月", "2月", "3月"}
	svg := BarChartSVG(`新收申请 <2026> & "2025"`, months,
		Series{Name: "2026年", Values: []int{3, 0, 17}},
		Series{Name: "2025年", Values: []int{5}})
	dec := xml.NewDecoder(strings.NewReader(svg))
	var texts []string
	var title, desc string
	var stack []string
	rects := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not valid XML: %v\n%s", err, svg)
		}
		switch v := tok.(type) {
		case xml.StartElement:
			stack = append(stack, v.Name.Local)
			if v.Name.Local == "rect" {
				rects++
			}
			if len(stack) == 1 && (v.Name.Local != "svg" || v.Name.Space != "http://www.w3.org/2000/svg") {
				t.Fatalf("root element %v", v.Name)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			s := strings.TrimSpace(string(v))
			if s == "" || len(stack) == 0 {
				continue
			}
			switch {
			case stack[len(stack)-1] == "title" && len(stack) == 2:
				title = s
			case stack[len(stack)-1] == "desc":
				desc = s
			case stack[len(stack)-1] == "text":
				texts = append(texts, s)
			}
		}
	}
	if title != `新收申请 <2026> & "2025"` {
		t.Errorf("title %q", title)
	}
	for _, want := range []string{"1月", "2月", "3月", "2026年", "2025年", "17", "3"} {
		found := false
		for _, s := range texts {
			found = found || s == want
		}
		if !found {
			t.Errorf("no text label %q in %v", want, texts)
		}
	}
	// Every value is in the description, a missing value as 0.
	if desc != "2026年: 1月 3, 2月 0, 3月 17; 2025年: 1月 5, 2月 0, 3月 0" {
		t.Errorf("desc %q", desc)
	}
	if rects != 3*2+2 { // bars and legend keys
		t.Errorf("%d rects", rects)
	}
	if !strings.Contains(svg, `role="img"`) || strings.Contains(svg, "<script") {
		t.Error("not an accessible static image")
	}
	// An empty chart is still a valid document.
	if err := xml.Unmarshal([]byte(BarChartSVG("空", nil)), new(struct{})); err != nil {
		t.Errorf("empty chart: %v", err)
	}
}

func TestNiceCeil(t *testing.T) {
	t.Parallel()
	for v, want := range map[int]int{0: 4, 3: 4, 4: 4, 5: 8, 17: 20, 21: 40, 180: 200, 201: 400, 999: 2000} {
		if got := niceCeil(v); got != want {
			t.Errorf("niceCeil(%d) = %d, want %d", v, got, want)
		}
	}
}

func TestPercentileNearestRank(t *testing.T) {
	t.Parallel()
	h := histogram{}
	if _, ok := h.percentile(50); ok {
		t.Error("percentile of nothing")
	}
	for _, v := range []int{21, 5, 14, 21} { // sorted 5 14 21 21
		h[v]++
	}
	if m, _ := h.percentile(50); m != 14 { // rank ceil(2) = 2
		t.Errorf("median %d", m)
	}
	if p, _ := h.percentile(90); p != 21 { // rank ceil(3.6) = 4
		t.Errorf("p90 %d", p)
	}
	h[5]++ // 5 5 14 21 21
	if m, _ := h.percentile(50); m != 14 {
		t.Errorf("median of five %d", m)
	}
	one := histogram{7: 1}
	if p, _ := one.percentile(90); p != 7 {
		t.Errorf("p90 of one %d", p)
	}
	// 1..100: the p-th percentile is p.
	hundred := histogram{}
	for i := 1; i <= 100; i++ {
		hundred[i] = 1
	}
	for _, p := range []int{1, 50, 90, 100} {
		if v, _ := hundred.percentile(p); v != p {
			t.Errorf("p%d of 1..100 = %d", p, v)
		}
	}
}

// TestDayIndexMatchesCalendar checks the lookup table against
// workday.Calendar.WorkingDaysBetween over spans around holidays.
func TestDayIndexMatchesCalendar(t *testing.T) {
	t.Parallel()
	cal, err := workday.Default()
	if err != nil {
		t.Fatal(err)
	}
	idx := newDayIndex(cal)
	start := workday.MustParseDate("2025-12-01")
	for i := 0; i < 500; i += 3 {
		a := start.AddDays(i)
		for _, span := range []int{0, 1, 6, 30, 90} {
			b := a.AddDays(span)
			want, err := cal.WorkingDaysBetween(a, b)
			got, ok := idx.between(a, b)
			if (err == nil) != ok || got != want {
				t.Fatalf("between(%s, %s) = %d %v, calendar %d %v", a, b, got, ok, want, err)
			}
		}
	}
	if _, ok := idx.between(workday.Date{Year: 1900, Month: 1, Day: 1}, start); ok {
		t.Error("a day the calendar does not cover counted")
	}
	if !strings.HasPrefix(idx.literal, "{") || !strings.HasSuffix(idx.literal, "}") {
		t.Error("bad array literal")
	}
}

func TestTimeliness(t *testing.T) {
	t.Parallel()
	due := workday.MustParseDate("2026-01-31")
	for _, tc := range []struct {
		published, today string
		want             string
	}{
		{"2026-01-31", "2026-02-10", OnTime},
		{"2026-01-20", "2026-01-21", OnTime},
		{"2026-02-01", "2026-02-10", Late},
		{"", "2026-01-31", NotDue},
		{"", "2026-02-01", Overdue},
	} {
		st := &ReportStatus{DueOn: due}
		if tc.published != "" {
			st.PublishedOn = workday.MustParseDate(tc.published)
		}
		if got := timeliness(st, workday.MustParseDate(tc.today)); got != tc.want {
			t.Errorf("published %q today %s: %s, want %s", tc.published, tc.today, got, tc.want)
		}
	}
}

// TestMetricsDocumented keeps docs/metrics.md and the served dictionary
// together: every metric has a section there with the served definitions
// verbatim, and every records key is a metric.
func TestMetricsDocumented(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../docs/metrics.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	seen := map[string]bool{}
	for _, m := range Metrics {
		if seen[m.Key] {
			t.Errorf("metric %s twice", m.Key)
		}
		seen[m.Key] = true
		if !strings.Contains(doc, "### `"+m.Key+"`") {
			t.Errorf("docs/metrics.md has no section for `%s`", m.Key)
		}
		if !strings.Contains(doc, m.Definition) || !strings.Contains(doc, m.DefinitionZH) {
			t.Errorf("docs/metrics.md does not give the served definition of %s verbatim", m.Key)
		}
		if m.Definition == "" || m.DefinitionZH == "" || m.Label == "" || m.LabelEN == "" {
			t.Errorf("metric %s is not fully described", m.Key)
		}
		if _, ok := selectors[m.Records]; m.Records != "" && !ok {
			t.Errorf("metric %s names unknown records %s", m.Key, m.Records)
		}
	}
	for k := range selectors {
		if !seen[k] {
			t.Errorf("records key %s is not a metric", k)
		}
	}
	// Every outcome of package request is in exactly one group.
	n := 0
	for _, g := range OutcomeGroups {
		n += len(g.Codes)
	}
	if n != 21 {
		t.Errorf("%d outcome codes grouped, want 21", n)
	}
}
