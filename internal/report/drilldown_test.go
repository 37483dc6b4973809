package report_test

import (
	"context"
	"slices"
	"testing"

	"gongkai/internal/appeal"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
)

// TestRecordsBehindEveryCell: for a year of varied records (carried in and
// out, several outcomes and applicant types, a lapse, adjustments, appeals of
// each kind), the records listed behind every number of Tables 3 and 4 add
// up to the number, and name the right requests and cases.
func TestRecordsBehindEveryCell(t *testing.T) {
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
			carried := f.register("natural_person", "2025-12-22")
			f.register("commercial_enterprise", "2025-12-23") // open: carried in and forward
			f.reply(carried, "granted", "2026-01-12")
			granted := f.register("natural_person", "2026-03-02")
			f.reply(granted, "granted", "2026-03-20")
			f.reply(f.register("research_institution", "2026-03-02"), "refused_third_party", "2026-03-20")
			f.reply(f.register("natural_person", "2026-04-01"), "unavailable_not_held", "2026-04-20")
			lapsed := f.register("public_welfare_organization", "2026-03-02")
			f.act(lapsed, deadline.SupplementRequested, "2026-03-04", 0)
			f.act(lapsed, deadline.SupplementLapsed, "2026-04-20", 0)
			open := f.register("legal_service_institution", "2026-12-21")
			if _, err := a.Requests.Submit(ctx, tn.ID, request.NewRequest{Applicant: request.Applicant{Type: "natural_person", Name: "x", Phone: "1"}, Content: "x"}); err != nil {
				t.Fatal(err)
			}
			for _, adj := range []report.Adjustment{
				{Year: 2026, RowCode: report.RowCarriedIn, ColumnCode: "natural_person", Delta: 2, Reason: "启用前结转"},
				{Year: 2026, RowCode: "granted", ColumnCode: "natural_person", Delta: 2, Reason: "启用前结转的申请已办结"},
			} {
				if _, err := a.Reports.Adjust(ctx, tn.ID, adj); err != nil {
					t.Fatal(err)
				}
			}
			mk := func(no, kind, filed string) int64 {
				c, err := a.Appeals.Create(ctx, tn.ID, appeal.NewCase{CaseNo: no, Body: "营口市人民政府", Kind: kind, FiledOn: d(filed)})
				if err != nil {
					t.Fatal(err)
				}
				return c.ID
			}
			mk("2025-复-1", appeal.Reconsideration, "2025-06-01")
			upheld := mk("2026-复-1", appeal.Reconsideration, "2026-02-01")
			if _, err := a.Appeals.Decide(ctx, tn.ID, upheld, appeal.Upheld, d("2026-04-01"), ""); err != nil {
				t.Fatal(err)
			}
			late := mk("2026-诉-1", appeal.SuedDirectly, "2026-10-01")
			if _, err := a.Appeals.Decide(ctx, tn.ID, late, appeal.Corrected, d("2027-01-05"), ""); err != nil {
				t.Fatal(err)
			}
			mk("2026-诉-2", appeal.SuedAfter, "2026-11-01")

			tables, err := a.Reports.Compute(ctx, tn.ID, 2026)
			if err != nil {
				t.Fatal(err)
			}
			nonzero := 0
			check := func(c report.Cell) *report.CellRecords {
				t.Helper()
				recs, err := a.Reports.Records(ctx, tn.ID, 2026, c)
				if err != nil {
					t.Fatalf("%+v: %v", c, err)
				}
				if want := tables.Value(c); recs.Value != want || recs.Listed() != want {
					t.Errorf("%+v: cell %d, records say value %d and list %d", c, want, recs.Value, recs.Listed())
				}
				if recs.Value != 0 {
					nonzero++
				}
				return recs
			}
			for _, row := range tables.Table3.Rows {
				for _, col := range report.Columns {
					check(report.Cell{Table: 3, Row: row.Code, Column: col.Code})
				}
			}
			for _, g := range report.Table4Groups {
				for _, r := range report.Table4Results {
					check(report.Cell{Table: 4, Row: g, Column: r})
				}
			}
			if nonzero < 20 {
				t.Fatalf("only %d cells are not zero: the fixture does not exercise the drill-down", nonzero)
			}

			ids := func(rs []report.CellRequest) []int64 {
				var out []int64
				for _, r := range rs {
					out = append(out, r.ID)
				}
				return out
			}
			// Named records, with the adjustment listed beside them.
			g := check(report.Cell{Table: 3, Row: "granted", Column: "natural_person"})
			if got := ids(g.Requests); !slices.Equal(got, []int64{carried, granted}) || len(g.Adjustments) != 1 || g.Value != 4 {
				t.Errorf("granted natural persons: requests %v adjustments %+v value %d", got, g.Adjustments, g.Value)
			}
			if got := ids(check(report.Cell{Table: 3, Row: "other_no_supplement", Column: report.ColumnTotal}).Requests); !slices.Equal(got, []int64{lapsed}) {
				t.Errorf("no supplement: %v", got)
			}
			if got := ids(check(report.Cell{Table: 3, Row: report.RowCarriedForward, Column: "legal_service_institution"}).Requests); !slices.Equal(got, []int64{open}) {
				t.Errorf("carried forward: %v", got)
			}
			tot := check(report.Cell{Table: 3, Row: report.RowTotal, Column: report.ColumnTotal})
			if len(tot.Requests) != 5 || len(tot.Adjustments) != 1 || tot.Value != 7 {
				t.Errorf("（七）总计: %d requests, %d adjustments, value %d", len(tot.Requests), len(tot.Adjustments), tot.Value)
			}
			pending := check(report.Cell{Table: 4, Row: appeal.SuedDirectly, Column: appeal.Pending})
			if len(pending.Appeals) != 1 || pending.Appeals[0].ID != late || pending.Appeals[0].CountedAs != appeal.Pending {
				t.Errorf("pending on 31 December: %+v", pending.Appeals)
			}
			if recs := check(report.Cell{Table: 4, Row: appeal.Reconsideration, Column: report.ColumnTotal}); len(recs.Appeals) != 1 || recs.Appeals[0].CaseNo != "2026-复-1" {
				t.Errorf("reconsideration total: %+v", recs.Appeals)
			}

			// A cell that is not one.
			for _, c := range []report.Cell{{Table: 3, Row: "nope", Column: "total"}, {Table: 3, Row: "granted", Column: "nope"}, {Table: 4, Row: "granted", Column: "total"}, {Table: 2}} {
				if _, err := a.Reports.Records(ctx, tn.ID, 2026, c); !fault.Is(err, fault.Invalid) {
					t.Errorf("%+v: %v", c, err)
				}
			}
			adjs, err := a.Reports.Adjustments(ctx, tn.ID, 2026)
			if err != nil || len(adjs) != 2 || adjs[0].Reason != "启用前结转" {
				t.Errorf("adjustments: %+v %v", adjs, err)
			}
		})
	}
}
