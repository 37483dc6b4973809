package report_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// benchApplications is the number of requests of the benchmarked bureau-year
// (GONGKAI_BENCH_APPLICATIONS, default 100,000).
func benchApplications() int {
	if n, err := strconv.Atoi(os.Getenv("GONGKAI_BENCH_APPLICATIONS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// seedYear bulk-inserts n requests of 2026 into the bureau: applicant types
// and outcomes in turn, one in ten still open, a few from late 2025.
func seedYear(b *testing.B, d *db.DB, url string, tid int64, n int) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	outcomes := request.ReplyOutcomeCodes()
	types := []string{"natural_person", "commercial_enterprise", "research_institution", "social_welfare_organization", "legal_service_institution", "other"}
	start := workday.MustParseDate("2025-12-01")
	const batch = 2000
	for off := 0; off < n; off += batch {
		rs := make([]request.Request, min(batch, n-off))
		for i := range rs {
			k := off + i
			recv := start.AddDays(k % 380)
			r := request.Request{TenantID: tid, TrackingCode: fmt.Sprintf("R-%08d", k), Channel: "in_person", ArrivedOn: recv, ReceivedOn: recv,
				ApplicantType: types[k%len(types)], ApplicantName: "申请人", Content: "申请公开养老服务补贴发放情况", State: "open", DueOn: recv.AddDays(28),
				CreatedAt: now, UpdatedAt: now}
			if k%10 != 0 {
				done := recv.AddDays(15)
				r.State, r.Outcome, r.RepliedOn, r.OutcomeOn = "replied", outcomes[k%len(outcomes)], done, done
			}
			rs[i] = r
		}
		if err := d.InTx(ctx, db.Tenant(tid), func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.NewInsert().Model(&rs).Exec(ctx)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	// Statistics as autovacuum would have them; on Postgres only the owner
	// may gather them (the service's role is not).
	if d.Dialect == db.SQLite {
		if _, err := d.SQL.ExecContext(ctx, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
		return
	}
	conn, err := pgx.Connect(ctx, dbtest.AdminURL(url))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "VACUUM ANALYZE requests"); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAnnualReport measures one bureau-year with benchApplications
// requests: the tables (Tables 2–4), the tables with every invariant checked
// against last year's (as the report page computes them), and the HTML and
// XLSX documents.
func BenchmarkAnnualReport(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			a := apptest.Boot(b, dialect)
			ctx := authz.WithActor(context.Background(), authz.System)
			tn, err := a.Tenants.BySlug(ctx, "civil-affairs")
			if err != nil {
				b.Fatal(err)
			}
			seedYear(b, a.DB, a.Config.DatabaseURL, tn.ID, benchApplications())
			b.Run("tables", func(b *testing.B) {
				for b.Loop() {
					t, err := a.Reports.Compute(ctx, tn.ID, 2026)
					if err != nil || t.Table3.Row(report.RowNew).Values[report.NumColumns-1] == 0 {
						b.Fatalf("tables: %v", err)
					}
				}
			})
			b.Run("tables-checked", func(b *testing.B) {
				for b.Loop() {
					t, _, err := a.Reports.Check(ctx, tn.ID, 2026)
					if err != nil || t.Table3.Row(report.RowNew).Values[report.NumColumns-1] == 0 {
						b.Fatalf("tables: %v", err)
					}
				}
			})
			doc, err := a.Reports.Document(ctx, tn.ID, tn.Name, &report.Stored{Year: 2026, State: report.StateDraft, Narrative: map[string]string{}})
			if err != nil {
				b.Fatal(err)
			}
			b.Run("html", func(b *testing.B) {
				for b.Loop() {
					d, err := a.Reports.Document(ctx, tn.ID, tn.Name, &report.Stored{Year: 2026, State: report.StateDraft, Narrative: doc.Narrative})
					if err != nil {
						b.Fatal(err)
					}
					if err := report.WriteHTML(io.Discard, d); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("xlsx", func(b *testing.B) {
				for b.Loop() {
					d, err := a.Reports.Document(ctx, tn.ID, tn.Name, &report.Stored{Year: 2026, State: report.StateDraft, Narrative: doc.Narrative})
					if err != nil {
						b.Fatal(err)
					}
					if err := report.WriteXLSX(io.Discard, d); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
