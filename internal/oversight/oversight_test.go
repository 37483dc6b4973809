package oversight_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"gongkai/internal/app"
	"gongkai/internal/appeal"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/config"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/identity"
	"gongkai/internal/oversight"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/workday"
)

func d(s string) workday.Date { return workday.MustParseDate(s) }

// clock is "now" in these tests: Wednesday 15 July 2026, 10:00 in the city.
var clock = time.Date(2026, time.July, 15, 10, 0, 0, 0, workday.ChinaTime)

// city is a booted app with a small, hand-counted set of records in the
// civil affairs bureau and two of its affiliated units.
type city struct {
	t   *testing.T
	app *app.App
	ctx context.Context
	ids map[string]int64 // bureau slug -> tenant id
	req map[string]int64 // request name -> id
}

func (c *city) register(slug, name, applicant, received string) {
	c.t.Helper()
	r, _, err := c.app.Requests.Register(c.ctx, c.ids[slug], request.NewRequest{Channel: "in_person", ArrivedOn: d(received),
		Applicant: request.Applicant{Type: applicant, Name: "申请人" + name, Phone: "13800000000"}, Content: "申请公开" + name})
	if err != nil {
		c.t.Fatalf("register %s: %v", name, err)
	}
	c.req[name] = r.ID
}

func (c *city) act(slug, name string, kind deadline.EventKind, on string, days int) {
	c.t.Helper()
	if _, err := c.app.Requests.Act(c.ctx, c.ids[slug], c.req[name], request.Action{Kind: kind, On: d(on), Days: days, Reason: "测试"}); err != nil {
		c.t.Fatalf("%s %s: %v", name, kind, err)
	}
}

func (c *city) reply(slug, name, outcome, on string) {
	c.t.Helper()
	if _, err := c.app.Requests.Reply(c.ctx, c.ids[slug], c.req[name], request.Reply{On: d(on), Outcome: outcome, Basis: "条例相关条款", Withheld: "第三方个人信息", Text: "答复"}); err != nil {
		c.t.Fatalf("reply %s: %v", name, err)
	}
}

// newCity boots the app at clock and records, by bureau:
//
// civil-affairs (A): a1 received 2026-03-02, granted 03-09 (5 working days,
// on time); a2 received 03-02, refused 03-31 (21, due 03-30: late); a3
// commercial enterprise, received 03-02, extended 03-20 by 10 days,
// unavailable 03-31 (21, on time); a4 received 06-01, open, due 06-30:
// overdue by 11 working days; a5 received 2025-12-22, granted 2026-01-12 (14
// working days over New Year, on time); a6 received and answered in 2025;
// a reconsideration filed 2026-04-01 about a2, upheld 05-10, and a lawsuit
// filed 05-01, pending. Its 2025 report is published today (late).
//
// welfare-home (W, unit of A): w1 received 03-02, partially granted 03-09 (5,
// on time); w2 received 06-01, waiting for a supplement since 06-03 (paused,
// not overdue); an online application not yet confirmed (not counted). Its
// 2025 report is a draft.
//
// funeral-home (F, unit of A): f1 research institution, received 03-02,
// supplement asked 03-04, lapsed 04-20 (closed as （六）1, no reply).
func newCity(t *testing.T, dialect db.Dialect) *city {
	t.Helper()
	a := apptest.Boot(t, dialect, func(_ *config.Config, o *app.Options) { o.Now = func() time.Time { return clock } })
	c := &city{t: t, app: a, ctx: authz.WithActor(context.Background(), authz.System), ids: map[string]int64{}, req: map[string]int64{}}
	ts, err := a.Tenants.List(c.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range ts {
		c.ids[tn.Slug] = tn.ID
	}
	const A, W, F = "civil-affairs", "welfare-home", "funeral-home"
	c.register(A, "a6", "natural_person", "2025-11-03")
	c.reply(A, "a6", "granted", "2025-11-20")
	c.register(A, "a5", "natural_person", "2025-12-22")
	c.reply(A, "a5", "granted", "2026-01-12")
	c.register(A, "a1", "natural_person", "2026-03-02")
	c.reply(A, "a1", "granted", "2026-03-09")
	c.register(A, "a2", "natural_person", "2026-03-02")
	c.reply(A, "a2", "refused_third_party", "2026-03-31")
	c.register(A, "a3", "commercial_enterprise", "2026-03-02")
	c.act(A, "a3", deadline.Extended, "2026-03-20", 10)
	c.reply(A, "a3", "unavailable_not_held", "2026-03-31")
	c.register(A, "a4", "natural_person", "2026-06-01")
	c.register(W, "w1", "natural_person", "2026-03-02")
	c.reply(W, "w1", "partially_granted", "2026-03-09")
	c.register(W, "w2", "natural_person", "2026-06-01")
	c.act(W, "w2", deadline.SupplementRequested, "2026-06-03", 0)
	if _, err := a.Requests.Submit(context.Background(), c.ids[W], request.NewRequest{Applicant: request.Applicant{Type: "natural_person", Name: "王五", Phone: "13800000000"}, Content: "申请公开收费标准"}); err != nil {
		t.Fatal(err)
	}
	c.register(F, "f1", "research_institution", "2026-03-02")
	c.act(F, "f1", deadline.SupplementRequested, "2026-03-04", 0)
	c.act(F, "f1", deadline.SupplementLapsed, "2026-04-20", 0)

	a2 := c.req["a2"]
	rc, err := a.Appeals.Create(c.ctx, c.ids[A], appeal.NewCase{CaseNo: "营政复〔2026〕1号", RequestID: a2, Body: "营口市人民政府", Kind: appeal.Reconsideration, FiledOn: d("2026-04-01")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Appeals.Decide(c.ctx, c.ids[A], rc.ID, appeal.Upheld, d("2026-05-10"), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Appeals.Create(c.ctx, c.ids[A], appeal.NewCase{CaseNo: "（2026）辽0802行初1号", Body: "站前区人民法院", Kind: appeal.SuedDirectly, FiledOn: d("2026-05-01")}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []func(context.Context, int64, int) (*report.Stored, error){a.Reports.Draft, a.Reports.Submit, a.Reports.Publish} {
		if _, err := step(c.ctx, c.ids[A], 2025); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Reports.Draft(c.ctx, c.ids[W], 2025); err != nil {
		t.Fatal(err)
	}
	return c
}

// overseer returns a context acting as a city overseer (role in "*").
func (c *city) overseer() context.Context {
	c.t.Helper()
	m, err := c.app.Identity.AddMember(c.ctx, 0, identity.NewMember{Username: "olga", DisplayName: "olga", Password: "Correct-Horse-9-Battery", Roles: []string{authz.CityOverseer}})
	if err != nil {
		c.t.Fatal(err)
	}
	return authz.WithActor(context.Background(), authz.Actor{Subject: authz.UserSubject(m.User.ID), UserID: m.User.ID, Name: "olga"})
}

func ptr[T any](v T) *T { return &v }

// figures is the part of a row the tests compare.
type figures struct {
	Received, Closed, Open, Overdue, Replied, OnTime, Late int
	Percent                                                *float64
	Median, P90                                            *int
	Sample, Extended                                       int
	Outcomes                                               oversight.OutcomeMix
	Appeals                                                oversight.AppealCounts
}

func figuresOf(r oversight.DashboardRow) figures {
	return figures{r.Received, r.Closed, r.Open, r.Overdue, r.Replied, r.RepliedOnTime, r.RepliedLate, r.OnTimePercent,
		r.ReplyDaysMedian, r.ReplyDaysP90, r.ReplyDays, r.Extended, r.Outcomes, r.Appeals}
}

func show(f figures) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func rowOf(t *testing.T, rows []oversight.DashboardRow, slug string) oversight.DashboardRow {
	t.Helper()
	for _, r := range rows {
		if r.Bureau.Slug == slug {
			return r
		}
	}
	t.Fatalf("no row for %s", slug)
	return oversight.DashboardRow{}
}

func TestDashboardAgainstHandCountedFigures(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			c := newCity(t, dialect)
			ctx := c.overseer()
			ov := c.app.Oversight

			dash, err := ov.Dashboard(ctx, 2026, workday.Date{}, workday.Date{}, false)
			if err != nil {
				t.Fatal(err)
			}
			if len(dash.Rows) != 5 {
				t.Fatalf("rows: %d, want the 5 bureaus without the oversight office", len(dash.Rows))
			}
			for _, r := range dash.Rows {
				if r.Bureau.Slug == "oversight" {
					t.Fatal("the oversight office has a row")
				}
			}
			want := map[string]figures{
				// received a1–a4; closed a1, a2, a3, a5; replies 5, 21, 21, 14 days.
				"civil-affairs": {Received: 4, Closed: 4, Open: 1, Overdue: 1, Replied: 4, OnTime: 3, Late: 1, Percent: ptr(75.0), Median: ptr(14), P90: ptr(21), Sample: 4, Extended: 1,
					Outcomes: oversight.OutcomeMix{Granted: 2, Refused: 1, Unavailable: 1}, Appeals: oversight.AppealCounts{Total: 2, Upheld: 1, Pending: 1}},
				"welfare-home": {Received: 2, Closed: 1, Open: 1, Replied: 1, OnTime: 1, Percent: ptr(100.0), Median: ptr(5), P90: ptr(5), Sample: 1,
					Outcomes: oversight.OutcomeMix{PartiallyGranted: 1}},
				"funeral-home":   {Received: 1, Closed: 1, Outcomes: oversight.OutcomeMix{Other: 1}},
				"rescue-station": {},
				"veteran-center": {},
			}
			for slug, w := range want {
				if got := figuresOf(rowOf(t, dash.Rows, slug)); show(got) != show(w) {
					t.Errorf("%s:\n got %s\nwant %s", slug, show(got), show(w))
				}
			}
			// Totals pool the replies 5, 5, 14, 21, 21: median rank 3, p90 rank 5.
			wantTotal := figures{Received: 7, Closed: 6, Open: 2, Overdue: 1, Replied: 5, OnTime: 4, Late: 1, Percent: ptr(80.0), Median: ptr(14), P90: ptr(21), Sample: 5, Extended: 1,
				Outcomes: oversight.OutcomeMix{Granted: 2, PartiallyGranted: 1, Refused: 1, Unavailable: 1, Other: 1}, Appeals: oversight.AppealCounts{Total: 2, Upheld: 1, Pending: 1}}
			if got := figuresOf(dash.Totals); show(got) != show(wantTotal) {
				t.Errorf("totals:\n got %s\nwant %s", show(got), show(wantTotal))
			}
			for slug, st := range map[string]string{"civil-affairs": oversight.ReportNotStarted, "welfare-home": oversight.ReportNotStarted} {
				if r := rowOf(t, dash.Rows, slug).Report; r.State != st || r.Timeliness != oversight.NotDue || r.DueOn != d("2027-01-31") {
					t.Errorf("%s 2026 report: %+v", slug, r)
				}
			}

			// Rolled up: one row, the bureau with its four units, equal to the totals.
			up, err := ov.Dashboard(ctx, 2026, workday.Date{}, workday.Date{}, true)
			if err != nil {
				t.Fatal(err)
			}
			if len(up.Rows) != 1 || up.Rows[0].Bureau.Slug != "civil-affairs" || len(up.Rows[0].Children) != 4 {
				t.Fatalf("rolled up: %d rows, %+v", len(up.Rows), up.Rows)
			}
			if got := figuresOf(up.Rows[0]); show(got) != show(wantTotal) {
				t.Errorf("rolled-up civil-affairs:\n got %s\nwant %s", show(got), show(wantTotal))
			}
			if ch := rowOf(t, up.Rows[0].Children, "welfare-home"); show(figuresOf(ch)) != show(want["welfare-home"]) || ch.Bureau.Parent != "civil-affairs" {
				t.Errorf("child welfare-home: %s", show(figuresOf(ch)))
			}

			// March only: a1–a3 (replies 5, 21, 21 days); a5 and the lapse are outside.
			march, err := ov.Dashboard(ctx, 2026, d("2026-03-01"), d("2026-03-31"), false)
			if err != nil {
				t.Fatal(err)
			}
			wantMarch := figures{Received: 3, Closed: 3, Open: 1, Overdue: 1, Replied: 3, OnTime: 2, Late: 1, Percent: ptr(66.7), Median: ptr(21), P90: ptr(21), Sample: 3, Extended: 1,
				Outcomes: oversight.OutcomeMix{Granted: 1, Refused: 1, Unavailable: 1}}
			if got := figuresOf(rowOf(t, march.Rows, "civil-affairs")); show(got) != show(wantMarch) {
				t.Errorf("civil-affairs in March:\n got %s\nwant %s", show(got), show(wantMarch))
			}
			if _, err := ov.Dashboard(ctx, 2026, d("2026-04-01"), d("2026-03-01"), false); !fault.Is(err, fault.Invalid) {
				t.Errorf("reversed period: %v", err)
			}

			// 2025 reports: A published today (after 31 January: late), W a
			// draft and the others not started (overdue).
			d25, err := ov.Dashboard(ctx, 2025, workday.Date{}, workday.Date{}, false)
			if err != nil {
				t.Fatal(err)
			}
			for slug, w := range map[string][2]string{
				"civil-affairs":  {report.StatePublished, oversight.Late},
				"welfare-home":   {report.StateDraft, oversight.Overdue},
				"funeral-home":   {oversight.ReportNotStarted, oversight.Overdue},
				"veteran-center": {oversight.ReportNotStarted, oversight.Overdue},
			} {
				r := rowOf(t, d25.Rows, slug).Report
				if r.State != w[0] || r.Timeliness != w[1] || r.DueOn != d("2026-01-31") {
					t.Errorf("%s 2025 report: %+v, want %v", slug, r, w)
				}
			}
			if r := rowOf(t, d25.Rows, "civil-affairs").Report; r.PublishedOn != d("2026-07-15") || r.SubmittedOn != d("2026-07-15") || r.Version != 1 {
				t.Errorf("civil-affairs 2025 report dates: %+v", r)
			}

			// Sorting: most received first, ties by slug; no replies last for a percentage.
			if err := oversight.SortRows(dash.Rows, "received", true); err != nil {
				t.Fatal(err)
			}
			var order []string
			for _, r := range dash.Rows {
				order = append(order, r.Bureau.Slug)
			}
			if strings.Join(order, " ") != "civil-affairs welfare-home funeral-home rescue-station veteran-center" {
				t.Errorf("sorted by received: %v", order)
			}
			if err := oversight.SortRows(dash.Rows, "on_time_percent", false); err != nil || dash.Rows[0].Bureau.Slug != "civil-affairs" || dash.Rows[1].Bureau.Slug != "welfare-home" {
				t.Errorf("sorted by on-time percentage: %v %s %s", err, dash.Rows[0].Bureau.Slug, dash.Rows[1].Bureau.Slug)
			}
			if err := oversight.SortRows(dash.Rows, "nonsense", false); !fault.Is(err, fault.Invalid) {
				t.Errorf("bad sort key: %v", err)
			}
		})
	}
}

func TestRecordsBehindFigures(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			c := newCity(t, dialect)
			ctx := c.overseer()
			ov := c.app.Oversight
			A := c.ids["civil-affairs"]
			names := func(rs *oversight.Records) string {
				byID := map[int64]string{}
				for n, id := range c.req {
					byID[id] = n
				}
				var out []string
				for _, r := range rs.Items {
					s := byID[r.ID]
					if r.Kind == "appeal" {
						s = r.Ref
					}
					if r.WorkingDays != nil {
						s += fmt.Sprintf("=%d", *r.WorkingDays)
					}
					out = append(out, s)
				}
				return fmt.Sprintf("%d:%s", rs.Total, strings.Join(out, ","))
			}
			for _, tc := range []struct {
				tenant int64
				metric string
				rollUp bool
				want   string
			}{
				{A, "received", false, "4:a1,a2,a3,a4"},
				{A, "closed", false, "4:a5,a1,a2,a3"},
				{A, "reply_days", false, "4:a5=14,a1=5,a2=21,a3=21"},
				{A, "replied_late", false, "1:a2"},
				{A, "replied_on_time", false, "3:a5,a1,a3"},
				{A, "extended", false, "1:a3"},
				{A, "outcome.granted", false, "2:a5,a1"},
				{A, "received", true, "7:a1,a2,a3,a4,f1,w1,w2"},
				{0, "overdue", false, "1:a4=11"},
				{0, "open", false, "2:a4,w2"},
				{0, "outcome.other", false, "1:f1"},
				{0, "appeals", false, "2:营政复〔2026〕1号,（2026）辽0802行初1号"},
				{0, "appeals.pending", false, "1:（2026）辽0802行初1号"},
			} {
				rs, err := ov.Records(ctx, tc.tenant, tc.metric, 2026, oversight.RecordOptions{RollUp: tc.rollUp})
				if err != nil {
					t.Fatalf("%s: %v", tc.metric, err)
				}
				// Within a bureau the records come by id; across bureaus by bureau.
				if got := names(rs); got != tc.want {
					t.Errorf("records %s (tenant %d, rollup %v) = %s, want %s", tc.metric, tc.tenant, tc.rollUp, got, tc.want)
				}
			}
			page, err := ov.Records(ctx, A, "received", 2026, oversight.RecordOptions{Limit: 2, Offset: 2})
			if err != nil || names(page) != "4:a3,a4" {
				t.Errorf("second page: %v %s", err, names(page))
			}
			if _, err := ov.Records(ctx, A, "nonsense", 2026, oversight.RecordOptions{}); !fault.Is(err, fault.Invalid) {
				t.Errorf("unknown metric: %v", err)
			}
			if _, err := ov.Records(ctx, c.ids["oversight"], "received", 2026, oversight.RecordOptions{}); !fault.Is(err, fault.NotFound) {
				t.Errorf("the oversight office's own records: %v", err)
			}
			// Every metric that names a records key can be listed.
			for _, m := range oversight.Metrics {
				if m.Records == "" {
					continue
				}
				if _, err := ov.Records(ctx, 0, m.Records, 2026, oversight.RecordOptions{}); err != nil {
					t.Errorf("records of metric %s (%s): %v", m.Key, m.Records, err)
				}
			}
		})
	}
}

func TestTrendsListsAndPermissions(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			c := newCity(t, dialect)
			ctx := c.overseer()
			ov := c.app.Oversight

			tr, err := ov.Trends(ctx, 2026, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			want := struct{ r, c, rl, cl [12]int }{
				r:  [12]int{2: 5, 5: 2},
				c:  [12]int{0: 1, 2: 4, 3: 1},
				rl: [12]int{10: 1, 11: 1},
				cl: [12]int{10: 1},
			}
			if tr.Received != want.r || tr.Closed != want.c || tr.ReceivedLastYear != want.rl || tr.ClosedLastYear != want.cl {
				t.Errorf("trends: %+v", tr)
			}
			if svg := tr.ReceivedChart(); !strings.Contains(svg, "<title id=\"t\">全市新收政府信息公开申请") || !strings.Contains(svg, "3月") {
				t.Errorf("received chart: %s", svg)
			}
			wt, err := ov.Trends(ctx, 2026, c.ids["welfare-home"], false)
			if err != nil || wt.Received != [12]int{2: 1, 5: 1} || wt.Bureau == nil || wt.Bureau.Slug != "welfare-home" {
				t.Errorf("welfare-home trends: %v %+v", err, wt)
			}

			od, err := ov.Overdue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(od.Items) != 1 || od.Items[0].RequestID != c.req["a4"] || od.Items[0].Bureau.Slug != "civil-affairs" ||
				od.Items[0].DueOn != d("2026-06-30") || od.Items[0].DaysOverdue == nil || *od.Items[0].DaysOverdue != 11 || od.Items[0].TrackingCode == "" {
				t.Errorf("overdue: %+v", od.Items)
			}

			// Anyone without the cross-bureau permission is refused everything.
			stranger := authz.WithActor(context.Background(), authz.Actor{Subject: authz.UserSubject(987654), Name: "x"})
			for name, call := range map[string]func(context.Context) error{
				"dashboard": func(ctx context.Context) error {
					_, err := ov.Dashboard(ctx, 2026, workday.Date{}, workday.Date{}, false)
					return err
				},
				"records": func(ctx context.Context) error {
					_, err := ov.Records(ctx, 0, "received", 2026, oversight.RecordOptions{})
					return err
				},
				"trends":      func(ctx context.Context) error { _, err := ov.Trends(ctx, 2026, 0, false); return err },
				"overdue":     func(ctx context.Context) error { _, err := ov.Overdue(ctx); return err },
				"city report": func(ctx context.Context) error { _, err := ov.CityReport(ctx, 2026); return err },
				"issues":      func(ctx context.Context) error { _, err := ov.ReportIssues(ctx, 2026); return err },
				"dictionary":  func(ctx context.Context) error { _, _, err := ov.Dictionary(ctx); return err },
				"bureau":      func(ctx context.Context) error { _, err := ov.Bureau(ctx, "civil-affairs"); return err },
			} {
				if err := call(stranger); !fault.Is(err, fault.Forbidden) {
					t.Errorf("%s as a stranger: %v", name, err)
				}
				if err := call(context.Background()); !fault.Is(err, fault.Unauthenticated) {
					t.Errorf("%s without an actor: %v", name, err)
				}
			}
		})
	}
}

// row3 returns the values of a Table 3 row.
func row3(t *report.Tables, code string) [report.NumColumns]int {
	return t.Table3.Row(code).Values
}

func TestCityReportSumsTheBureaus(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			c := newCity(t, dialect)
			ctx := c.overseer()
			ov := c.app.Oversight

			cr, err := ov.CityReport(ctx, 2026)
			if err != nil {
				t.Fatal(err)
			}
			if cr.Office.Slug != "oversight" || len(cr.Annex) != 5 {
				t.Fatalf("office %+v, %d annex rows", cr.Office, len(cr.Annex))
			}
			// Columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
			tb := &cr.Tables
			for code, want := range map[string][report.NumColumns]int{
				report.RowNew:            {5, 1, 1, 0, 0, 0, 7}, // a1 a2 a4 w1 w2 · a3 · f1
				report.RowCarriedIn:      {1, 0, 0, 0, 0, 0, 1}, // a5
				"granted":                {2, 0, 0, 0, 0, 0, 2}, // a1 a5
				"partially_granted":      {1, 0, 0, 0, 0, 0, 1}, // w1
				"refused_third_party":    {1, 0, 0, 0, 0, 0, 1}, // a2
				"unavailable_not_held":   {0, 1, 0, 0, 0, 0, 1}, // a3
				"other_no_supplement":    {0, 0, 1, 0, 0, 0, 1}, // f1
				report.RowTotal:          {4, 1, 1, 0, 0, 0, 6},
				report.RowCarriedForward: {2, 0, 0, 0, 0, 0, 2}, // a4 w2
			} {
				if got := row3(tb, code); got != want {
					t.Errorf("city Table 3 %s = %v, want %v", code, got, want)
				}
			}
			if tb.Table4.Reconsideration != [5]int{1, 0, 0, 0, 1} || tb.Table4.SuedDirectly != [5]int{0, 0, 0, 1, 1} || tb.Table4.SuedAfter != [5]int{} {
				t.Errorf("city Table 4: %+v", tb.Table4)
			}
			if len(cr.Violations) != 0 {
				t.Errorf("city violations: %+v", cr.Violations)
			}
			// The annex is each bureau's own tables, which add up to the city's.
			sum := 0
			for _, a := range cr.Annex {
				sum += row3(&a.Tables, report.RowNew)[report.NumColumns-1]
				if a.Source != "computed" || len(a.Violations) != 0 {
					t.Errorf("annex %s: source %s, violations %+v", a.Bureau.Slug, a.Source, a.Violations)
				}
			}
			if sum != 7 {
				t.Errorf("annex received sum %d", sum)
			}

			// 2025: civil-affairs' published report supplies its frozen tables.
			c25, err := ov.CityReport(ctx, 2025)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range c25.Annex {
				if a.Bureau.Slug == "civil-affairs" && a.Source != "published v1" {
					t.Errorf("civil-affairs 2025 source %q", a.Source)
				}
			}
			if got := row3(&c25.Tables, report.RowNew); got != [report.NumColumns]int{2, 0, 0, 0, 0, 0, 2} {
				t.Errorf("city 2025 new: %v", got)
			}

			// Outputs: the official layout titled with the office's name, with the annex.
			var html, xlsx, js bytes.Buffer
			if err := cr.WriteHTML(&html); err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"营口市政务公开办公室2026年政府信息公开工作年度报告", "三、收到和处理政府信息公开申请情况", "附件：各部门、单位", "营口市养老院", "</body>"} {
				if !strings.Contains(html.String(), s) {
					t.Errorf("city HTML lacks %q", s)
				}
			}
			if strings.Index(html.String(), "附件") > strings.Index(html.String(), "</body>") {
				t.Error("annex after </body>")
			}
			if err := cr.WriteXLSX(&xlsx); err != nil || !bytes.HasPrefix(xlsx.Bytes(), []byte("PK")) {
				t.Errorf("xlsx: %v", err)
			}
			if err := cr.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			var doc oversight.CityDocument
			if err := json.Unmarshal(js.Bytes(), &doc); err != nil || doc.Bureau != "营口市政务公开办公室" || len(doc.Annex) != 5 || doc.Tables.Table3.Row(report.RowTotal).Values[6] != 6 {
				t.Errorf("json: %v %+v", err, doc.Document.Bureau)
			}

			// Report issues: after their 31 January deadline, every 2025 report
			// but civil-affairs' was never submitted.
			is, err := ov.ReportIssues(ctx, 2025)
			if err != nil {
				t.Fatal(err)
			}
			var missing []string
			for _, m := range is.Missing {
				missing = append(missing, m.Bureau.Slug)
			}
			if strings.Join(missing, " ") != "funeral-home rescue-station veteran-center welfare-home" || len(is.Failing) != 0 {
				t.Errorf("2025 issues: missing %v, failing %+v", missing, is.Failing)
			}
			// An unbalanced opening balance breaks 一 + 二 = （七）总计 + 四 for
			// the welfare home, and so for the city.
			if _, err := c.app.Reports.Adjust(c.ctx, c.ids["welfare-home"], report.Adjustment{Year: 2026, RowCode: report.RowCarriedIn, ColumnCode: "natural_person", Delta: 1, Reason: "测试"}); err != nil {
				t.Fatal(err)
			}
			is, err = ov.ReportIssues(ctx, 2026)
			if err != nil {
				t.Fatal(err)
			}
			if len(is.Missing) != 0 || len(is.Failing) != 1 || is.Failing[0].Bureau.Slug != "welfare-home" || is.Failing[0].Violations[0].Rule != "一 + 二 = （七）总计 + 四" {
				t.Errorf("2026 issues: %+v", is)
			}
			if cr, err := ov.CityReport(ctx, 2026); err != nil || len(cr.Violations) == 0 {
				t.Errorf("city 2026 after the adjustment: %v, %d violations", err, len(cr.Violations))
			}
		})
	}
}
