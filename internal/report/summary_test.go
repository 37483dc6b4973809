package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/uptrace/bun"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/config"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/seed"
)

// summaryYears are the years whose tables are compared: the seeded span,
// the years the direct updates move dates into, and a year with nothing.
var summaryYears = []int{2022, 2023, 2024, 2025, 2026, 2027, 2028}

// sameTablesAsRaw asserts that every bureau's tables of every compared year,
// Table 3 from the summary request_year_counts, equal the tables with
// Table 3 counted from the requests, and returns how many requests Table 3
// counted in all (一 + 二, every bureau and year) so that a test can tell
// that it compared something.
func sameTablesAsRaw(t *testing.T, ctx context.Context, a *app.App, tenants []int64, stage string) int {
	t.Helper()
	counted := 0
	for _, tid := range tenants {
		for _, y := range summaryYears {
			got, err := a.Reports.Compute(ctx, tid, y)
			if err != nil {
				t.Fatal(err)
			}
			want, err := a.Reports.RawCompute(ctx, tid, y)
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			if string(gj) != string(wj) {
				t.Errorf("%s, bureau %d, %d: the tables from the summary differ from the raw ones:\nsummary %s\nraw     %s", stage, tid, y, gj, wj)
				continue
			}
			for _, row := range want.Table3.Rows {
				if row.Code == report.RowNew || row.Code == report.RowCarriedIn {
					counted += row.Values[report.NumColumns-1]
				}
			}
		}
	}
	return counted
}

// TestTable3SummaryEqualsRawCounts checks that Table 3 read from
// request_year_counts equals Table 3 counted from the requests, for every
// bureau and several years, on both databases: after a bulk seed over three
// years (statement-level inserts) and varied records through the services
// (supplements lapsed, fees unpaid, withdrawals, unconfirmed online
// applications); after direct updates that move receipt and outcome dates
// across years, change outcomes and applicant types, set an outcome without
// its date and a date without its outcome, clear receipt dates, move
// requests between states and bureaus; after the same updates undone; and
// after deletes.
func TestTable3SummaryEqualsRawCounts(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect, func(_ *config.Config, o *app.Options) { o.Workers = false })
			ctx := authz.WithActor(context.Background(), authz.System)
			res, err := seed.Bulk(ctx, a, d("2026-11-20"), seed.BulkOptions{Bureaus: 3, Applications: 700, Years: 3, Seed: 11})
			if err != nil {
				t.Fatal(err)
			}
			tn, err := a.Tenants.BySlug(ctx, "civil-affairs")
			if err != nil {
				t.Fatal(err)
			}
			tenants := []int64{tn.ID}
			for i := 1; i <= res.Bureaus; i++ {
				s, err := a.Tenants.BySlug(ctx, fmt.Sprintf("synthetic-%04d", i))
				if err != nil {
					t.Fatal(err)
				}
				tenants = append(tenants, s.ID)
			}

			// Through the services, in one bureau: every path of a request.
			f := &fixture{t: t, app: a, ctx: ctx, tenant: tn.ID}
			codes := request.ReplyOutcomeCodes()
			types := []string{"natural_person", "commercial_enterprise", "research_institution", "public_welfare_organization", "legal_service_institution", "other_organization"}
			for i, code := range codes {
				recv := []string{"2024-12-20", "2025-06-02", "2025-12-22", "2026-03-02"}[i%4]
				reply := []string{"2025-01-10", "2025-06-20", "2026-01-12", "2026-03-20"}[i%4]
				f.reply(f.register(types[i%len(types)], recv), code, reply)
			}
			id := f.register("research_institution", "2025-12-15")
			f.act(id, deadline.SupplementRequested, "2025-12-17", 0)
			f.act(id, deadline.SupplementLapsed, "2026-02-10", 0)
			id = f.register("public_welfare_organization", "2026-03-02")
			if _, err := a.Requests.Act(ctx, tn.ID, id, request.Action{Kind: deadline.FeeNotified, On: d("2026-03-05"), AmountYuan: 100, Reason: "第11件起按件计收"}); err != nil {
				t.Fatal(err)
			}
			f.act(id, deadline.FeeLapsed, "2026-04-20", 0)
			f.act(f.register("other_organization", "2025-12-29"), deadline.Closed, "2026-01-06", 0)
			f.register("legal_service_institution", "2025-12-21") // open: carried forward from 2025 on
			for range 3 {
				if _, err := a.Requests.Submit(ctx, tn.ID, request.NewRequest{Applicant: request.Applicant{Type: "natural_person", Name: "网上", Phone: "1"}, Content: "x"}); err != nil {
					t.Fatal(err)
				}
			}
			if n := sameTablesAsRaw(t, ctx, a, tenants, "after the seed and the services"); n < 2000 {
				t.Fatalf("Table 3 counted %d requests in all: too few to compare", n)
			}

			// Any writer: direct updates, in one transaction each.
			exec := func(q string, args ...any) {
				t.Helper()
				err := a.DB.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
					_, err := tx.ExecContext(ctx, q, args...)
					return err
				})
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			date := "?"
			if dialect == db.Postgres {
				date = "CAST(? AS date)"
			}
			updates := []struct{ do, undo string }{
				// An outcome without its date, a date without its outcome.
				{"UPDATE requests SET outcome_on = NULL WHERE outcome <> '' AND id % 10 = 3", "UPDATE requests SET outcome_on = replied_on WHERE outcome <> '' AND outcome_on IS NULL AND id % 10 = 3"},
				{"UPDATE requests SET outcome = '' WHERE outcome_on IS NOT NULL AND id % 10 = 4", "UPDATE requests SET outcome = 'granted' WHERE outcome = '' AND outcome_on IS NOT NULL AND id % 10 = 4"},
				// Outcome dates into the next year and into an earlier one.
				{"UPDATE requests SET outcome_on = " + date + " WHERE outcome_on IS NOT NULL AND id % 10 = 5", "UPDATE requests SET outcome_on = replied_on WHERE outcome_on IS NOT NULL AND id % 10 = 5"},
				{"UPDATE requests SET outcome_on = " + date + " WHERE outcome_on IS NOT NULL AND id % 10 = 6", "UPDATE requests SET outcome_on = replied_on WHERE outcome_on IS NOT NULL AND id % 10 = 6"},
				// Receipt dates across years, and cleared.
				{"UPDATE requests SET received_on = " + date + " WHERE received_on IS NOT NULL AND id % 10 = 7", "UPDATE requests SET received_on = arrived_on WHERE id % 10 = 7"},
				{"UPDATE requests SET received_on = NULL WHERE id % 19 = 1", "UPDATE requests SET received_on = arrived_on WHERE id % 19 = 1"},
				// Outcomes and applicant types changed.
				{"UPDATE requests SET outcome = 'refused_state_secret' WHERE outcome <> '' AND id % 6 = 0", "UPDATE requests SET outcome = 'partially_granted' WHERE outcome <> '' AND id % 6 = 0"},
				{"UPDATE requests SET applicant_type = 'commercial_enterprise' WHERE id % 4 = 1", "UPDATE requests SET applicant_type = 'other_organization' WHERE id % 4 = 1"},
				// Unconfirmed and confirmed again; another bureau's.
				{"UPDATE requests SET state = 'submitted' WHERE id % 13 = 0", "UPDATE requests SET state = 'open' WHERE state = 'submitted'"},
				{"UPDATE requests SET tenant_id = ? WHERE id % 9 = 2", "UPDATE requests SET tenant_id = ? WHERE id % 9 = 2"},
				// A column Table 3 does not read.
				{"UPDATE requests SET due_on = NULL, handler_id = NULL WHERE id % 2 = 0", "UPDATE requests SET updated_at = updated_at WHERE id % 2 = 0"},
			}
			args := func(i int, undo bool) []any {
				switch {
				case i == 2 && !undo:
					return []any{d("2027-01-05")}
				case i == 3 && !undo:
					return []any{d("2023-12-31")}
				case i == 4 && !undo:
					return []any{d("2024-02-29")}
				case i == 9 && !undo:
					return []any{tenants[1]}
				case i == 9:
					return []any{tenants[2]}
				}
				return nil
			}
			// Requests moved to another bureau leave their events behind
			// (the foreign key names the bureau).
			exec("DELETE FROM request_events WHERE request_id % 9 = 2")
			for i, u := range updates {
				exec(u.do, args(i, false)...)
			}
			sameTablesAsRaw(t, ctx, a, tenants, "after direct updates")
			for i := len(updates) - 1; i >= 0; i-- {
				exec(updates[i].undo, args(i, true)...)
			}
			sameTablesAsRaw(t, ctx, a, tenants, "after the updates undone")
			// Both directions in one statement: the rows a statement moves
			// out of a summary row and into it net out.
			exec("UPDATE requests SET applicant_type = CASE applicant_type WHEN 'natural_person' THEN 'other_organization' ELSE 'natural_person' END WHERE id % 3 = 0")
			exec("DELETE FROM request_events WHERE request_id % 8 = 0")
			exec("DELETE FROM requests WHERE id % 8 = 0")
			if n := sameTablesAsRaw(t, ctx, a, tenants, "after deletes"); n < 1500 {
				t.Fatalf("Table 3 counted %d requests in all after the deletes: too few to compare", n)
			}
		})
	}
}
