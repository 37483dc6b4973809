package deadline

import (
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

func d(s string) workday.Date { return workday.MustParseDate(s) }

func ev(k EventKind, on string) Event { return Event{Kind: k, On: d(on)} }

func ext(on string, days int, reason string) Event {
	return Event{Kind: Extended, On: d(on), Days: days, Reason: reason}
}

func cal(tb testing.TB) *workday.Calendar {
	tb.Helper()
	c, err := workday.Default()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// summary is the part of a Result every case checks exactly.
type summary struct {
	State      string
	Start, Due string
	DaysLeft   int
	Overdue    bool
	Paused     bool
	PausedDays int
	ExtDays    int
}

func summarize(r Result) summary {
	ds := func(x workday.Date) string {
		if x.IsZero() {
			return ""
		}
		return x.String()
	}
	return summary{r.State, ds(r.EffectiveStart), ds(r.DueOn), r.DaysLeft, r.Overdue, r.Paused, r.PausedDays, r.ExtensionDays}
}

// hasLines fails unless every want line appears in lines, in this order.
func hasLines(t *testing.T, lines, want []string) {
	t.Helper()
	at := -1
	for _, w := range want {
		i := slices.Index(lines[at+1:], w)
		if i < 0 {
			t.Fatalf("line %q missing or out of order in:\n%s", w, strings.Join(lines, "\n"))
		}
		at += i + 1
	}
}

// The worked example of workdays.md: received Fri 2026-02-13; Sat 14 Feb is a
// make-up working day (day 1), 15–23 Feb are the Spring Festival rest days,
// and the 20th working day is Thu 2026-03-19. The supplement window (7) ends
// Mon 2026-03-02. The hand counts of the other cases build on it:
//
//	Feb 14 (1) · Feb 24–27 (2–5) · Sat Feb 28 (6) · Mar 2–6 (7–11) ·
//	Mar 9–13 (12–16) · Mar 16–19 (17–20) · Mar 20 (21) · Mar 23–27 (22–26)
//
// Qingming 2026 is 4–6 Apr; Sat 9 May is a make-up working day.
var received = ev(Received, "2026-02-13")

func TestCompute(t *testing.T) {
	t.Parallel()
	c := cal(t)
	book := DefaultRuleBook()
	tests := []struct {
		name   string
		events []Event
		today  string
		want   summary
		lines  []string
		check  func(t *testing.T, r Result)
	}{
		{
			name:   "worked example",
			events: []Event{received},
			today:  "2026-02-13",
			want:   summary{StateOpen, "2026-02-13", "2026-03-19", 20, false, false, 0, 0},
			lines: []string{
				"2026-02-13 周五 收到申请",
				"自次日起算 20 个工作日：2026-03-19 周四（第三十三条）",
				"补正告知期限 7 个工作日：2026-03-02 周一（第三十条）",
				"当前答复期限：2026-03-19 周四；今日 2026-02-13 周五，剩余 20 个工作日",
			},
			check: func(t *testing.T, r Result) {
				if r.SupplementDueOn != d("2026-03-02") || r.ReceivedOn != d("2026-02-13") {
					t.Errorf("supplement due %v, received %v", r.SupplementDueOn, r.ReceivedOn)
				}
				if r.RulesName != Rules2019().Name || r.CalendarVersion != c.Version() {
					t.Errorf("rules %q, calendar %q", r.RulesName, r.CalendarVersion)
				}
				last := r.Explanation[len(r.Explanation)-1]
				if !strings.Contains(last, Rules2019().Name) || !strings.Contains(last, c.Version()) {
					t.Errorf("last line %q should name the rules and calendar version", last)
				}
			},
		},
		{
			// Sun 15 Feb is inside the Spring Festival (15–23 Feb): treated as
			// received on the next working day, Tue 24 Feb (Art. 31); counting
			// starts Wed 25 Feb: Feb 25–27 (1–3), Sat Feb 28 (4), Mar 2–6 (5–9),
			// Mar 9–13 (10–14), Mar 16–20 (15–19), Mon Mar 23 (20). The
			// supplement window: Feb 25–27, 28, Mar 2, 3, 4 → Wed 2026-03-04.
			name:   "rest-day arrival during Spring Festival",
			events: []Event{ev(Received, "2026-02-15")},
			today:  "2026-02-24",
			want:   summary{StateOpen, "2026-02-24", "2026-03-23", 20, false, false, 0, 0},
			lines: []string{
				"2026-02-15 周日 收到申请",
				"收到之日为休息日，视为 2026-02-24 周二 收到（第三十一条，通常做法）",
				"自次日起算 20 个工作日：2026-03-23 周一（第三十三条）",
			},
			check: func(t *testing.T, r Result) {
				if r.SupplementDueOn != d("2026-03-04") || r.ReceivedOn != d("2026-02-15") {
					t.Errorf("supplement due %v, received %v", r.SupplementDueOn, r.ReceivedOn)
				}
			},
		},
		{
			// Restart (Art. 30): supplement arrives Tue 3 Mar; from Mar 4:
			// Mar 4–6 (1–3), 9–13 (4–8), 16–20 (9–13), 23–27 (14–18),
			// Mar 30 (19), Tue Mar 31 (20).
			name:   "supplement restarts the period",
			events: []Event{received, ev(SupplementRequested, "2026-02-25"), ev(SupplementReceived, "2026-03-03")},
			today:  "2026-03-03",
			want:   summary{StateOpen, "2026-03-03", "2026-03-31", 20, false, false, 0, 0},
			lines: []string{
				"2026-02-25 周三 告知补正，暂停计算，收到补正后重新起算（第三十条）",
				"2026-03-03 周二 收到补正",
				"自次日起重新计算 20 个工作日 → 2026-03-31 周二（第三十条）",
			},
		},
		{
			// Supplement arrives Sun 8 Mar → treated as Mon 9 Mar; from Mar 10:
			// Mar 10–13 (1–4), 16–20 (5–9), 23–27 (10–14), Mar 30–Apr 3
			// (15–19), Apr 4–6 Qingming, Tue Apr 7 (20).
			name:   "supplement arriving on a rest day",
			events: []Event{received, ev(SupplementRequested, "2026-02-25"), ev(SupplementReceived, "2026-03-08")},
			today:  "2026-03-09",
			want:   summary{StateOpen, "2026-03-09", "2026-04-07", 20, false, false, 0, 0},
			lines:  []string{"收到补正之日为休息日，视为 2026-03-09 周一 收到"},
		},
		{
			// Outstanding supplement on Fri 27 Feb: shown as if it arrived
			// today; from Sat Feb 28 (1, make-up day): Mar 2–6 (2–6), 9–13
			// (7–11), 16–20 (12–16), Mar 23–26 (17–20) → Thu 2026-03-26.
			name:   "supplement outstanding",
			events: []Event{received, ev(SupplementRequested, "2026-02-25")},
			today:  "2026-02-27",
			want:   summary{StatePaused, "2026-02-27", "2026-03-26", 20, false, true, 0, 0},
			lines:  []string{"补正尚未收到（自 2026-02-25 起暂停）；如今日 2026-02-27 周五 收到补正，答复期限为 2026-03-26 周四"},
			check: func(t *testing.T, r Result) {
				if r.PausedBy != SupplementRequested {
					t.Errorf("PausedBy = %q", r.PausedBy)
				}
			},
		},
		{
			name:   "supplement lapse",
			events: []Event{received, ev(SupplementRequested, "2026-02-25"), ev(SupplementLapsed, "2026-03-20")},
			today:  "2026-03-25",
			want:   summary{StateLapsed, "2026-02-13", "", 0, false, false, 0, 0},
			lines:  []string{"2026-03-20 周五 申请人无正当理由逾期不补正，视为放弃申请（第三十条；年度报告 （六）1）"},
			check: func(t *testing.T, r Result) {
				if r.LapsedBy != SupplementLapsed || r.LapsedOn != d("2026-03-20") {
					t.Errorf("lapsed by %q on %v", r.LapsedBy, r.LapsedOn)
				}
			},
		},
		{
			// Consultation Mon 2 Mar – Thu 5 Mar: Mar 3, 4, 5 are excluded (the
			// start day counts, as a receipt day does not): 3 working days,
			// due Thu 19 Mar + 3 = Fri 20, Mon 23, Tue 24 Mar. On Thu 5 Mar 7
			// days have run (Feb 14, Feb 24–28, Mar 2): 13 left. The third
			// party's 15 days from Mar 2: Mar 3–6, 9–13, 16–20, 23 → Mar 23.
			name: "consultation pause",
			events: []Event{received,
				{Kind: ConsultationStarted, On: d("2026-03-02"), Reason: "第三方：某公司"},
				ev(ConsultationEnded, "2026-03-05")},
			today: "2026-03-05",
			want:  summary{StateOpen, "2026-02-13", "2026-03-24", 13, false, false, 3, 0},
			lines: []string{
				"2026-03-02 周一 开始征求意见（第三方：某公司），暂停计算；答复期限 15 个工作日：2026-03-23 周一（第三十二条、第三十四条）",
				"2026-03-02 至 2026-03-05 征求意见（第三方：某公司），暂停 3 个工作日 → 2026-03-24 周二",
			},
			check: func(t *testing.T, r Result) {
				if r.ConsultationDueOn != d("2026-03-23") {
					t.Errorf("consultation due %v", r.ConsultationDueOn)
				}
			},
		},
		{
			// Open since Mon 2 Mar, today Tue 10 Mar: Mar 3–6, 9, 10 = 6 days
			// paused so far; due 19 Mar + 6 = Fri 27 Mar; 13 days left.
			name:   "open consultation shown as if it ended today",
			events: []Event{received, ev(ConsultationStarted, "2026-03-02")},
			today:  "2026-03-10",
			want:   summary{StatePaused, "2026-02-13", "2026-03-27", 13, false, true, 6, 0},
			lines:  []string{"征求意见尚未结束（自 2026-03-02 起）；按今日 2026-03-10 周二 结束计，共暂停 6 个工作日，答复期限为 2026-03-27 周五"},
			check: func(t *testing.T, r Result) {
				if r.PausedBy != ConsultationStarted {
					t.Errorf("PausedBy = %q", r.PausedBy)
				}
			},
		},
		{
			// Due Tue 24 Mar after the consultation; + 10: Mar 25–27 (3),
			// Mar 30–Apr 3 (8), Apr 4–6 Qingming, Apr 7, 8 (10) → Wed 8 Apr.
			// On 10 Mar: 10 days of the period left + 10 = 20.
			name: "extension once",
			events: []Event{received, ev(ConsultationStarted, "2026-03-02"), ev(ConsultationEnded, "2026-03-05"),
				ext("2026-03-10", 10, "需要调取档案")},
			today: "2026-03-10",
			want:  summary{StateOpen, "2026-02-13", "2026-04-08", 20, false, false, 3, 10},
			lines: []string{
				"2026-03-02 至 2026-03-05 征求意见，暂停 3 个工作日 → 2026-03-24 周二",
				"2026-03-10 周二 延期 10 个工作日（理由：需要调取档案）→ 2026-04-08 周三（第三十三条）",
			},
		},
		{
			name: "second extension ignored",
			events: []Event{received, ev(ConsultationStarted, "2026-03-02"), ev(ConsultationEnded, "2026-03-05"),
				ext("2026-03-10", 10, "需要调取档案"), ext("2026-03-12", 5, "再次延期")},
			today: "2026-03-12",
			want:  summary{StateOpen, "2026-02-13", "2026-04-08", 18, false, false, 3, 10},
			lines: []string{"2026-03-12 周四 再次延期，未计入（第三十三条：只能延期一次）"},
			check: func(t *testing.T, r Result) {
				if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "already extended on 2026-03-10") || !strings.HasSuffix(r.Warnings[0], "; ignored") {
					t.Errorf("warnings = %q", r.Warnings)
				}
			},
		},
		{
			// Capped at 20: due 19 Mar + 20: Mar 20 (1), 23–27 (6), Mar 30–Apr 3
			// (11), Apr 7–10 (15), Apr 13–17 (20) → Fri 17 Apr.
			name:   "too long extension capped",
			events: []Event{received, ext("2026-03-16", 25, "材料较多")},
			today:  "2026-03-16",
			want:   summary{StateOpen, "2026-02-13", "2026-04-17", 23, false, false, 0, 20},
			lines:  []string{"2026-03-16 周一 延期 25 个工作日超过上限 20 个工作日，按 20 个工作日计"},
			check: func(t *testing.T, r Result) {
				if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "at most 20 working days") {
					t.Errorf("warnings = %q", r.Warnings)
				}
			},
		},
		{
			name:   "extension after the due date does not move it",
			events: []Event{received, ext("2026-03-20", 10, "迟延")},
			today:  "2026-03-20",
			want:   summary{StateOpen, "2026-02-13", "2026-03-19", -1, true, false, 0, 0},
			lines:  []string{"2026-03-20 周五 延期决定晚于答复期限 2026-03-19 周四，不予顺延（第三十三条）"},
			check: func(t *testing.T, r Result) {
				if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "too late to extend") {
					t.Errorf("warnings = %q", r.Warnings)
				}
			},
		},
		{
			// Notice received Mon 9 Mar, paid Mon 16 Mar: Mar 10–13, 16 = 5
			// days paused; due 19 Mar + 5 = Mar 20, 23–26 → Thu 26 Mar. By
			// 9 Mar 12 days have run, 8 left on 16 Mar. Payment period: 20
			// from Mar 10: Mar 10–13 (4), 16–20 (9), 23–27 (14), Mar 30–Apr 3
			// (19), Apr 7 (20).
			name:   "fee pause",
			events: []Event{received, ev(FeeNotified, "2026-03-09"), ev(FeePaid, "2026-03-16")},
			today:  "2026-03-16",
			want:   summary{StateOpen, "2026-02-13", "2026-03-26", 8, false, false, 5, 0},
			lines: []string{
				"2026-03-09 周一 收费通知送达申请人，缴费期限 20 个工作日：2026-04-07 周二；缴费期间暂停计算（国办函〔2020〕109号）",
				"2026-03-09 至 2026-03-16 等待缴费，暂停 5 个工作日 → 2026-03-26 周四",
			},
			check: func(t *testing.T, r Result) {
				if r.FeePaymentDueOn != d("2026-04-07") {
					t.Errorf("fee due %v", r.FeePaymentDueOn)
				}
			},
		},
		{
			name:   "fee outstanding",
			events: []Event{received, ev(FeeNotified, "2026-03-09")},
			today:  "2026-03-12",
			want:   summary{StatePaused, "2026-02-13", "2026-03-24", 8, false, true, 3, 0},
			check: func(t *testing.T, r Result) {
				if r.PausedBy != FeeNotified {
					t.Errorf("PausedBy = %q", r.PausedBy)
				}
			},
		},
		{
			name:   "fee lapse",
			events: []Event{received, ev(FeeNotified, "2026-03-09"), ev(FeeLapsed, "2026-04-08")},
			today:  "2026-04-08",
			want:   summary{StateLapsed, "2026-02-13", "", 0, false, false, 0, 0},
			lines:  []string{"2026-04-08 周三 申请人逾期未缴纳费用，视为放弃申请（国办函〔2020〕109号；年度报告 （六）2）"},
			check: func(t *testing.T, r Result) {
				if r.LapsedBy != FeeLapsed {
					t.Errorf("LapsedBy = %q", r.LapsedBy)
				}
			},
		},
		{
			name:   "replied on the due date",
			events: []Event{received, ev(Replied, "2026-03-19")},
			today:  "2026-03-30",
			want:   summary{StateReplied, "2026-02-13", "2026-03-19", 0, false, false, 0, 0},
			lines:  []string{"2026-03-19 周四 答复，在答复期限 2026-03-19 周四 内"},
			check: func(t *testing.T, r Result) {
				if r.RepliedOn != d("2026-03-19") || r.RepliedLate {
					t.Errorf("replied %v late %v", r.RepliedOn, r.RepliedLate)
				}
			},
		},
		{
			name:   "replied late",
			events: []Event{received, ev(Replied, "2026-03-20")},
			today:  "2026-03-30",
			want:   summary{StateReplied, "2026-02-13", "2026-03-19", 0, true, false, 0, 0},
			lines:  []string{"2026-03-20 周五 答复，超过答复期限 2026-03-19 周四 1 个工作日"},
			check: func(t *testing.T, r Result) {
				if !r.RepliedLate {
					t.Error("RepliedLate = false")
				}
			},
		},
		{
			name:   "reply during a consultation ends it",
			events: []Event{received, ev(ConsultationStarted, "2026-03-02"), ev(Replied, "2026-03-05")},
			today:  "2026-03-06",
			want:   summary{StateReplied, "2026-02-13", "2026-03-24", 0, false, false, 3, 0},
			check: func(t *testing.T, r Result) {
				if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "cannot reply: the request is paused for a consultation") {
					t.Errorf("warnings = %q", r.Warnings)
				}
			},
		},
		{
			// Reopened Fri 8 May: Sat 9 May (1, make-up day), May 11–15 (2–6),
			// 18–22 (7–11), 25–29 (12–16), Jun 1–4 (17–20) → Thu 4 Jun.
			name: "reopen starts a new period",
			events: []Event{received, ext("2026-03-10", 5, "材料较多"), ev(Replied, "2026-03-18"), ev(Closed, "2026-03-18"),
				{Kind: Reopened, On: d("2026-05-08"), Reason: "复议决定责令重新答复"}},
			today: "2026-05-08",
			want:  summary{StateOpen, "2026-05-08", "2026-06-04", 20, false, false, 0, 0},
			lines: []string{
				"2026-05-08 周五 重新办理（复议决定责令重新答复）",
				"自次日起重新计算 20 个工作日 → 2026-06-04 周四",
			},
			check: func(t *testing.T, r Result) {
				if !r.RepliedOn.IsZero() || !r.ClosedOn.IsZero() {
					t.Errorf("replied %v closed %v after reopen", r.RepliedOn, r.ClosedOn)
				}
				if a := Allowed([]Event{received, ev(Replied, "2026-03-18"), ev(Reopened, "2026-05-08")}); !slices.Contains(a, Extended) || slices.Contains(a, SupplementRequested) {
					t.Errorf("allowed after reopen = %v", a)
				}
			},
		},
		{
			name:   "closed after reply",
			events: []Event{received, ev(Replied, "2026-03-20"), ev(Closed, "2026-03-23")},
			today:  "2026-04-01",
			want:   summary{StateClosed, "2026-02-13", "2026-03-19", 0, true, false, 0, 0},
		},
		{
			name:   "withdrawn while paused",
			events: []Event{received, ev(ConsultationStarted, "2026-03-02"), {Kind: Closed, On: d("2026-03-05"), Reason: "申请人撤回"}},
			today:  "2026-04-01",
			want:   summary{StateClosed, "2026-02-13", "2026-03-24", 0, false, false, 3, 0},
		},
		{
			// 2008 Regulations (15 working days) for Thu 2018-09-20: Sep 21
			// (1), Sep 22–24 Mid-Autumn, Sep 25–28 (2–5), Sat 29 and Sun 30
			// Sep make-up days (6, 7), Oct 1–7 National Day, Oct 8–12 (8–12),
			// Oct 15–17 (13–15) → Wed 2018-10-17.
			name:   "2008 rules for a 2018 receipt",
			events: []Event{ev(Received, "2018-09-20")},
			today:  "2018-09-20",
			want:   summary{StateOpen, "2018-09-20", "2018-10-17", 15, false, false, 0, 0},
			lines:  []string{"自次日起算 15 个工作日：2018-10-17 周三（第三十三条）"},
			check: func(t *testing.T, r Result) {
				if r.RulesName != Rules2008().Name {
					t.Errorf("rules %q", r.RulesName)
				}
			},
		},
		{
			// Today Tue 24 Mar, due Thu 19 Mar: Mar 20, 23, 24 → 3 days late.
			name:   "overdue",
			events: []Event{received},
			today:  "2026-03-24",
			want:   summary{StateOpen, "2026-02-13", "2026-03-19", -3, true, false, 0, 0},
			lines:  []string{"今日 2026-03-24 周二，已超过答复期限 2026-03-19 周四，逾期 3 个工作日"},
		},
		{
			name:   "due today",
			events: []Event{received},
			today:  "2026-03-19",
			want:   summary{StateOpen, "2026-02-13", "2026-03-19", 0, false, false, 0, 0},
			lines:  []string{"今日 2026-03-19 周四 为答复期限的最后一日"},
		},
		{
			name:   "overdue on a Saturday",
			events: []Event{received},
			today:  "2026-03-21",
			want:   summary{StateOpen, "2026-02-13", "2026-03-19", -1, true, false, 0, 0},
		},
		{
			// A one-day consultation (Mar 3 excluded) moves the due date to
			// Fri 20 Mar; on Sat 21 Mar no working day has passed since, yet
			// the request is overdue.
			name:   "overdue on a rest day right after the due date",
			events: []Event{received, ev(ConsultationStarted, "2026-03-02"), ev(ConsultationEnded, "2026-03-03")},
			today:  "2026-03-21",
			want:   summary{StateOpen, "2026-02-13", "2026-03-20", 0, true, false, 1, 0},
			lines:  []string{"今日 2026-03-21 周六 为休息日，答复期限 2026-03-20 周五 已过"},
		},
		{
			name:   "events out of order are sorted",
			events: []Event{received, ev(ConsultationEnded, "2026-03-05"), ev(ConsultationStarted, "2026-03-02")},
			today:  "2026-03-05",
			want:   summary{StateOpen, "2026-02-13", "2026-03-24", 13, false, false, 3, 0},
			check: func(t *testing.T, r Result) {
				if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "sorted by date") {
					t.Errorf("warnings = %q", r.Warnings)
				}
			},
		},
		{
			name:   "late supplement request applied with a warning",
			events: []Event{received, ev(SupplementRequested, "2026-03-03"), ev(SupplementReceived, "2026-03-03")},
			today:  "2026-03-03",
			want:   summary{StateOpen, "2026-03-03", "2026-03-31", 20, false, false, 0, 0},
			check: func(t *testing.T, r Result) {
				if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "too late to request a supplement") {
					t.Errorf("warnings = %q", r.Warnings)
				}
			},
		},
		{
			name:   "events before the receipt and stray events ignored",
			events: []Event{ev(Replied, "2026-02-10"), received, ev(ConsultationEnded, "2026-03-02"), ev(Received, "2026-03-03")},
			today:  "2026-03-03",
			want:   summary{StateOpen, "2026-02-13", "2026-03-19", 12, false, false, 0, 0},
			lines:  []string{"2026-03-02 周一 记录“consultation_ended”与当前状态不符，未计入"},
			check: func(t *testing.T, r Result) {
				if len(r.Warnings) != 3 {
					t.Errorf("warnings = %q", r.Warnings)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := Compute(tt.events, book, c, d(tt.today))
			if err != nil {
				t.Fatal(err)
			}
			if got := summarize(r); got != tt.want {
				t.Errorf("got  %+v\nwant %+v\n%s", got, tt.want, strings.Join(r.Explanation, "\n"))
			}
			hasLines(t, r.Explanation, tt.lines)
			if tt.check != nil {
				tt.check(t, r)
			}
			// ComputeDue gives the same answer without the text.
			fast, err := ComputeDue(tt.events, book, c, d(tt.today))
			if err != nil {
				t.Fatal(err)
			}
			r.Explanation, r.Warnings = nil, nil
			if !reflect.DeepEqual(fast, r) {
				t.Errorf("ComputeDue = %+v\nCompute    = %+v", fast, r)
			}
			if _, err := json.Marshal(r); err != nil {
				t.Errorf("json: %v", err)
			}
		})
	}
}

// The rest-day rule is configurable: without it, Sun 15 Feb is the receipt
// date and counting starts Mon 16 Feb; the first working day is Tue 24 Feb
// (day 1), so day 20 is one working day earlier: Fri 2026-03-20.
func TestRestDayArrivalConfigurable(t *testing.T) {
	t.Parallel()
	r19 := Rules2019()
	r19.RestDayArrivalNextWorkingDay = false
	r, err := Compute([]Event{ev(Received, "2026-02-15")}, RuleBook{r19}, cal(t), d("2026-02-24"))
	if err != nil {
		t.Fatal(err)
	}
	if r.EffectiveStart != d("2026-02-15") || r.DueOn != d("2026-03-20") || r.DaysLeft != 19 {
		t.Errorf("start %v due %v left %d", r.EffectiveStart, r.DueOn, r.DaysLeft)
	}
}

// Without the fee pause the payment period runs with the clock.
func TestFeeWithoutPause(t *testing.T) {
	t.Parallel()
	r19 := Rules2019()
	r19.PauseWhileFeeUnpaid = false
	book := RuleBook{r19}
	events := []Event{received, ev(FeeNotified, "2026-03-09")}
	r, err := Compute(events, book, cal(t), d("2026-03-12"))
	if err != nil {
		t.Fatal(err)
	}
	if r.State != StateOpen || r.Paused || r.DueOn != d("2026-03-19") || r.FeePaymentDueOn != d("2026-04-07") {
		t.Errorf("%+v", summarize(r))
	}
	hasLines(t, r.Explanation, []string{"2026-03-09 周一 收费通知送达申请人，缴费期限 20 个工作日：2026-04-07 周二；缴费期间不暂停计算（国办函〔2020〕109号）"})
	// Waiting for the fee, the bureau cannot reply yet.
	if err := CanAppend(events, ev(Replied, "2026-03-12"), book, cal(t)); !fault.Is(err, fault.Conflict) ||
		!strings.Contains(err.Error(), "waiting for the fee to be paid; allowed: fee_paid, fee_lapsed, closed") {
		t.Errorf("CanAppend = %v", err)
	}
	r, err = Compute(append(events, ev(FeePaid, "2026-03-16")), book, cal(t), d("2026-03-16"))
	if err != nil || r.DueOn != d("2026-03-19") || r.PausedDays != 0 {
		t.Errorf("after payment: %+v, %v", summarize(r), err)
	}
}

func TestComputeUnknownYear(t *testing.T) {
	t.Parallel()
	c := cal(t)
	last := c.Covered()[len(c.Covered())-1] // 2027 with lunar-go v1.4.7
	after := last + 1
	tests := []struct {
		name   string
		events []Event
		today  workday.Date
	}{
		// Received in mid-December of the last covered year: the due date
		// falls in the next year, which the calendar does not know.
		{"due date in an uncovered year", []Event{{Kind: Received, On: workday.Date{Year: last, Month: 12, Day: 20}}}, workday.Date{Year: last, Month: 12, Day: 20}},
		{"receipt in an uncovered year", []Event{{Kind: Received, On: workday.Date{Year: after, Month: 3, Day: 1}}}, workday.Date{Year: after, Month: 3, Day: 1}},
		{"today in an uncovered year", []Event{{Kind: Received, On: workday.Date{Year: last, Month: 3, Day: 1}}}, workday.Date{Year: after, Month: 1, Day: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, f := range []func([]Event, RuleBook, *workday.Calendar, workday.Date) (Result, error){Compute, ComputeDue} {
				_, err := f(tt.events, DefaultRuleBook(), c, tt.today)
				var uy *workday.UnknownYearError
				if !errors.As(err, &uy) || uy.Year != after || !fault.Is(err, fault.Invalid) ||
					!strings.Contains(fault.MessageOf(err), "unknown calendar") {
					t.Fatalf("err = %v; want unknown calendar for %d", err, after)
				}
			}
		})
	}
}

func TestComputeErrors(t *testing.T) {
	t.Parallel()
	c := cal(t)
	tests := []struct {
		name   string
		events []Event
		rules  RuleBook
		cal    *workday.Calendar
		today  workday.Date
		want   string
	}{
		{"empty log", nil, DefaultRuleBook(), c, d("2026-03-01"), "no received event"},
		{"no receipt", []Event{ev(Replied, "2026-03-01")}, DefaultRuleBook(), c, d("2026-03-01"), "no received event"},
		{"before any rules", []Event{ev(Received, "2007-03-01")}, DefaultRuleBook(), c, d("2007-03-01"), "no deadline rules in force on 2007-03-01: the earliest rule set takes effect on 2008-05-01"},
		{"invalid rule book", []Event{received}, RuleBook{{Name: "x"}}, c, d("2026-03-01"), "rules[0].effective_from"},
		{"no calendar", []Event{received}, DefaultRuleBook(), nil, d("2026-03-01"), "no working-day calendar"},
		{"bad today", []Event{received}, DefaultRuleBook(), c, workday.Date{}, "today: invalid date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Compute(tt.events, tt.rules, tt.cal, tt.today)
			if !fault.Is(err, fault.Invalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want invalid containing %q", err, tt.want)
			}
		})
	}
}

// Compute does not modify the caller's log, even when it sorts it.
func TestComputeDoesNotModifyEvents(t *testing.T) {
	t.Parallel()
	events := []Event{received, ev(ConsultationEnded, "2026-03-05"), ev(ConsultationStarted, "2026-03-02")}
	before := slices.Clone(events)
	if _, err := Compute(events, DefaultRuleBook(), cal(t), d("2026-03-05")); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(events, before) {
		t.Errorf("events changed: %v", events)
	}
}

// TestComputeDueDoesNotAllocate is not parallel: AllocsPerRun counts the
// allocations of the whole process.
func TestComputeDueDoesNotAllocate(t *testing.T) {
	c := cal(t)
	book := DefaultRuleBook()
	events := typicalLog()
	today := d("2026-03-20")
	n := testing.AllocsPerRun(100, func() {
		if _, err := ComputeDue(events, book, c, today); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Errorf("ComputeDue allocates %v times per run", n)
	}
}

func TestResultJSON(t *testing.T) {
	t.Parallel()
	r, err := Compute([]Event{received, ev(Replied, "2026-03-19")}, DefaultRuleBook(), cal(t), d("2026-03-20"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"state":"replied"`, `"due_on":"2026-03-19"`, `"replied_on":"2026-03-19"`, `"supplement_due_on":"2026-03-02"`} {
		if !strings.Contains(s, want) {
			t.Errorf("%s lacks %s", s, want)
		}
	}
	if strings.Contains(s, "consultation_due_on") || strings.Contains(s, "lapsed_on") {
		t.Errorf("zero dates not omitted: %s", s)
	}
}
