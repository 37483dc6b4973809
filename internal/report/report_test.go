package report_test

import (
	"context"
	"testing"

	"gongkai/internal/app"
	"gongkai/internal/appeal"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/dbtest"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/workday"
)

func d(s string) workday.Date { return workday.MustParseDate(s) }

type fixture struct {
	t      *testing.T
	app    *app.App
	ctx    context.Context
	tenant int64
}

func (f *fixture) register(applicant string, received string) int64 {
	f.t.Helper()
	r, _, err := f.app.Requests.Register(f.ctx, f.tenant, request.NewRequest{Channel: "in_person", ArrivedOn: d(received),
		Applicant: request.Applicant{Type: applicant, Name: "申请人", Phone: "13800000000"}, Content: "申请公开某项政府信息"})
	if err != nil {
		f.t.Fatalf("register: %v", err)
	}
	return r.ID
}

func (f *fixture) act(id int64, kind deadline.EventKind, on string, days int) {
	f.t.Helper()
	if _, err := f.app.Requests.Act(f.ctx, f.tenant, id, request.Action{Kind: kind, On: d(on), Days: days, Reason: "测试"}); err != nil {
		f.t.Fatalf("%s on %s: %v", kind, on, err)
	}
}

func (f *fixture) reply(id int64, outcome, on string) {
	f.t.Helper()
	if _, err := f.app.Requests.Reply(f.ctx, f.tenant, id, request.Reply{On: d(on), Outcome: outcome, Basis: "条例相关条款", Withheld: "第三方个人信息", Text: "答复"}); err != nil {
		f.t.Fatalf("reply %s: %v", outcome, err)
	}
}

// TestTablesFromAYearOfRecords builds a year of varied records and checks
// every cell of Tables 2–4 against counts worked out by hand below.
func TestTablesFromAYearOfRecords(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect)
			ctx := authz.WithActor(context.Background(), authz.System)
			tn, err := a.Tenants.BySlug(ctx, "civil-affairs")
			if err != nil {
				t.Fatal(err)
			}
			f := &fixture{t: t, app: a, ctx: ctx, tenant: tn.ID}

			// 2025: one answered in 2025 (not in 2026 at all), two carried into 2026.
			f.reply(f.register("natural_person", "2025-11-03"), "granted", "2025-11-20")
			carriedReplied := f.register("natural_person", "2025-12-22")
			f.register("commercial_enterprise", "2025-12-23") // still open: carried into 2027 too
			f.reply(carriedReplied, "granted", "2026-01-12")

			// 2026: one natural-person request per reply outcome.
			for _, code := range request.ReplyOutcomeCodes() {
				f.reply(f.register("natural_person", "2026-03-02"), code, "2026-03-20")
			}
			// No supplement in time: row （六）1, research institution.
			id := f.register("research_institution", "2026-03-02")
			f.act(id, deadline.SupplementRequested, "2026-03-04", 0)
			f.act(id, deadline.SupplementLapsed, "2026-04-20", 0)
			// Fee unpaid: row （六）2, public-welfare organisation.
			id = f.register("public_welfare_organization", "2026-03-02")
			if _, err := a.Requests.Act(ctx, tn.ID, id, request.Action{Kind: deadline.FeeNotified, On: d("2026-03-05"), AmountYuan: 100, Reason: "第11件起按件计收"}); err != nil {
				t.Fatal(err)
			}
			f.act(id, deadline.FeeLapsed, "2026-04-20", 0)
			// Withdrawn by the applicant: row （六）3, other organisation.
			id = f.register("other_organization", "2026-05-06")
			f.act(id, deadline.Closed, "2026-05-08", 0)
			// Received late in the year, still open: carried to 2027.
			f.register("legal_service_institution", "2026-12-21")
			// An online application not yet confirmed counts nowhere.
			if _, err := a.Requests.Submit(ctx, tn.ID, request.NewRequest{Applicant: request.Applicant{Type: "natural_person", Name: "x", Phone: "1"}, Content: "x"}); err != nil {
				t.Fatal(err)
			}
			// Opening balance: 3 requests from before the service, all granted in 2026.
			for _, adj := range []report.Adjustment{
				{Year: 2026, RowCode: report.RowCarriedIn, ColumnCode: "natural_person", Delta: 3, Reason: "启用前结转"},
				{Year: 2026, RowCode: "granted", ColumnCode: "natural_person", Delta: 3, Reason: "启用前结转的申请已办结"},
			} {
				if _, err := a.Reports.Adjust(ctx, tn.ID, adj); err != nil {
					t.Fatal(err)
				}
			}
			// Appeals.
			mk := func(no, kind, filed string) int64 {
				c, err := a.Appeals.Create(ctx, tn.ID, appeal.NewCase{CaseNo: no, Body: "营口市人民政府", Kind: kind, FiledOn: d(filed)})
				if err != nil {
					t.Fatal(err)
				}
				return c.ID
			}
			decide := func(id int64, outcome, on string) {
				if _, err := a.Appeals.Decide(ctx, tn.ID, id, outcome, d(on), ""); err != nil {
					t.Fatal(err)
				}
			}
			mk("2025-复-1", appeal.Reconsideration, "2025-06-01") // filed 2025: not counted
			decide(mk("2026-复-1", appeal.Reconsideration, "2026-02-01"), appeal.Upheld, "2026-04-01")
			decide(mk("2026-复-2", appeal.Reconsideration, "2026-03-01"), appeal.Corrected, "2026-05-01")
			decide(mk("2026-诉-1", appeal.SuedDirectly, "2026-04-01"), appeal.Other, "2026-09-01")
			decide(mk("2026-诉-2", appeal.SuedDirectly, "2026-10-01"), appeal.Upheld, "2027-01-05") // pending on 31 Dec
			mk("2026-诉-3", appeal.SuedAfter, "2026-11-01")
			// Table 2 figures: licensing entered, penalty not applicable, enforcement zero.
			v := func(x float64) *float64 { return &x }
			for key, val := range map[string]*float64{report.FigureLicensing: v(12), report.FigurePenalty: nil, report.FigureEnforcement: v(0), report.FigureFeeIncome: v(3.5)} {
				if err := a.Reports.SetFigure(ctx, tn.ID, 2026, key, val, "行政审批系统"); err != nil {
					t.Fatal(err)
				}
			}

			tables, violations, err := a.Reports.Check(ctx, tn.ID, 2026)
			if err != nil {
				t.Fatal(err)
			}
			if len(violations) != 0 {
				t.Fatalf("violations: %+v", violations)
			}
			// Hand counts, columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.
			want := map[string][7]int{
				report.RowNew:            {19, 0, 1, 1, 1, 1, 23}, // 19 replies + 4 organisations
				report.RowCarriedIn:      {4, 1, 0, 0, 0, 0, 5},   // 1 from 2025 + 3 opening balance; 1 enterprise
				"granted":                {5, 0, 0, 0, 0, 0, 5},   // 1 new + 1 carried in + 3 opening balance
				"other_no_supplement":    {0, 0, 1, 0, 0, 0, 1},
				"other_fee_unpaid":       {0, 0, 0, 1, 0, 0, 1},
				"other":                  {1, 0, 0, 0, 0, 1, 2}, // a reply "other" + the withdrawal
				report.RowTotal:          {23, 0, 1, 1, 0, 1, 26},
				report.RowCarriedForward: {0, 1, 0, 0, 1, 0, 2},
			}
			for _, o := range request.Outcomes {
				if _, set := want[o.Code]; !set && !o.Automatic {
					want[o.Code] = [7]int{1, 0, 0, 0, 0, 0, 1}
				}
			}
			for _, row := range tables.Table3.Rows {
				w, ok := want[row.Code]
				if !ok {
					t.Errorf("row %s: no expectation", row.Code)
					continue
				}
				if row.Values != w {
					t.Errorf("Table 3 %s %s: got %v, want %v", row.Group, row.Label, row.Values, w)
				}
			}
			t4 := tables.Table4
			if t4.Reconsideration != [5]int{1, 1, 0, 0, 2} || t4.SuedDirectly != [5]int{0, 0, 1, 1, 2} || t4.SuedAfter != [5]int{0, 0, 0, 1, 1} {
				t.Errorf("Table 4 = %+v", t4)
			}
			t2 := tables.Table2
			if t2.Licensing.Text() != "12" || t2.Penalty.Text() != "/" || t2.Enforcement.Text() != "0" || t2.FeeIncome.Text() != "3.5" || t2.Rules.Made.Text() != "/" {
				t.Errorf("Table 2 = licensing %s penalty %s enforcement %s fee %s rules %s", t2.Licensing.Text(), t2.Penalty.Text(), t2.Enforcement.Text(), t2.FeeIncome.Text(), t2.Rules.Made.Text())
			}

			// Across years: 2025's carried forward equals 2026's carried in, but
			// for the opening balance, which the check then reports.
			prev, err := a.Reports.Compute(ctx, tn.ID, 2025)
			if err != nil {
				t.Fatal(err)
			}
			if got := prev.Table3.Row(report.RowCarriedForward).Values; got != [7]int{1, 1, 0, 0, 0, 0, 2} {
				t.Errorf("2025 carried forward = %v", got)
			}
		})
	}
}
