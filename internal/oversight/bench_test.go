package oversight_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/config"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/request"
	"gongkai/internal/seed"
	"gongkai/internal/workday"
)

// benchEnv reads a positive integer from the environment, or def.
func benchEnv(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// benchCity boots the app and bulk-seeds synthetic bureaus with requests
// received over the year up to today (seed.Bulk): GONGKAI_BENCH_BUREAUS
// (default 10) × GONGKAI_BENCH_APPLICATIONS (default 10,000). With
// GONGKAI_BENCH_DATABASE_URL the Postgres run uses that database as it is
// (seeded beforehand, e.g. gongkai seed --bureaus 100 --applications 10000)
// and SQLite is skipped.
func benchCity(b *testing.B, dialect db.Dialect) (*app.App, context.Context, int) {
	b.Helper()
	ctx := authz.WithActor(context.Background(), authz.System)
	today := workday.FromTime(time.Now(), workday.ChinaTime)
	if url := os.Getenv("GONGKAI_BENCH_DATABASE_URL"); url != "" {
		if dialect != db.Postgres {
			b.Skip("GONGKAI_BENCH_DATABASE_URL is a Postgres database")
		}
		a := apptest.Boot(b, dialect, func(c *config.Config, o *app.Options) { c.DatabaseURL, o.Workers = url, false })
		return a, ctx, today.Year
	}
	// No job workers: the background jobs of other parts (reminder scans)
	// would compete for the database and blur the figures.
	a := apptest.Boot(b, dialect, func(_ *config.Config, o *app.Options) { o.Workers = false })
	bureaus, apps := benchEnv("GONGKAI_BENCH_BUREAUS", 10), benchEnv("GONGKAI_BENCH_APPLICATIONS", 10_000)
	res, err := seed.Bulk(ctx, a, today, seed.BulkOptions{Bureaus: bureaus, Applications: apps, Years: 1, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	// Fresh statistics, as autovacuum would have them; on Postgres only the
	// owner may gather them (the service's role is not).
	if dialect == db.Postgres {
		conn, err := pgx.Connect(ctx, dbtest.AdminURL(a.Config.DatabaseURL))
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "VACUUM ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: seeded %d bureaus × %d requests in %s", dialect, res.Bureaus, apps, res.Elapsed.Round(time.Millisecond))
	return a, ctx, today.Year
}

// BenchmarkDashboard measures the dashboard for the current year over every
// bureau (the target: 100 bureaus × 10,000 requests under 500 ms on
// Postgres), and the rolled-up variant. A first dashboard, outside the
// timing, builds the reply-time summary for the calendar in force if it is
// not built yet (its time is logged: what the first dashboard after a
// calendar change costs).
func BenchmarkDashboard(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			a, ctx, year := benchCity(b, dialect)
			start := time.Now()
			if _, err := a.Oversight.Dashboard(ctx, year, workday.Date{}, workday.Date{}, false); err != nil {
				b.Fatal(err)
			}
			b.Logf("first dashboard (summary built if needed): %s", time.Since(start).Round(time.Millisecond))
			for _, rollUp := range []bool{false, true} {
				b.Run("rollup="+strconv.FormatBool(rollUp), func(b *testing.B) {
					for b.Loop() {
						d, err := a.Oversight.Dashboard(ctx, year, workday.Date{}, workday.Date{}, rollUp)
						if err != nil {
							b.Fatal(err)
						}
						if d.Totals.Received == 0 {
							b.Fatal("no requests counted")
						}
					}
				})
			}
		})
	}
}

// BenchmarkDashboardRaw is BenchmarkDashboard with every request figure
// counted from the requests themselves, as before the summary: the
// comparison on the same data.
func BenchmarkDashboardRaw(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			a, ctx, year := benchCity(b, dialect)
			for _, rollUp := range []bool{false, true} {
				b.Run("rollup="+strconv.FormatBool(rollUp), func(b *testing.B) {
					for b.Loop() {
						if _, err := a.Oversight.RawDashboard(ctx, year, workday.Date{}, workday.Date{}, rollUp); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkRequestWrites measures what the summary's triggers add to the
// writes that change it: registering a request (a receipt) and replying
// to one (a reply, an outcome, a reply time), through the services.
func BenchmarkRequestWrites(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			a := apptest.Boot(b, dialect, func(_ *config.Config, o *app.Options) { o.Workers = false })
			ctx := authz.WithActor(context.Background(), authz.System)
			t, err := a.Tenants.BySlug(ctx, "civil-affairs")
			if err != nil {
				b.Fatal(err)
			}
			today := workday.FromTime(time.Now(), workday.ChinaTime)
			recv := today.AddDays(-14)
			register := func() int64 {
				r, _, err := a.Requests.Register(ctx, t.ID, request.NewRequest{Channel: "in_person", ArrivedOn: recv,
					Applicant: request.Applicant{Type: "natural_person", Name: "张三", Phone: "13800000000"}, Content: "申请公开养老机构名单"})
				if err != nil {
					b.Fatal(err)
				}
				return r.ID
			}
			b.Run("register", func(b *testing.B) {
				for b.Loop() {
					register()
				}
			})
			b.Run("reply", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					id := register()
					b.StartTimer()
					if _, err := a.Requests.Reply(ctx, t.ID, id, request.Reply{On: today, Outcome: "granted", Text: "答复"}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkCityReport measures the city report tables (target: under 1 s
// for 100 bureaus × 10,000 requests on Postgres): every bureau's Tables 2–4
// for the year and the year before, checked and summed.
func BenchmarkCityReport(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			a, ctx, year := benchCity(b, dialect)
			for b.Loop() {
				cr, err := a.Oversight.CityReport(ctx, year)
				if err != nil {
					b.Fatal(err)
				}
				if len(cr.Violations) != 0 {
					b.Fatalf("violations: %+v", cr.Violations)
				}
			}
		})
	}
}

// BenchmarkCityTables measures the part of the city report that the
// summary request_year_counts serves: every bureau's Tables 2–4 for the year
// and the year before, eight at a time as CityReport computes them on
// Postgres (one at a time on SQLite), with Table 3 from the summary
// (report.Service.Compute) and counted from the requests as before it
// (report.Service.RawCompute), on the same data.
func BenchmarkCityTables(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			a, ctx, year := benchCity(b, dialect)
			ts, err := a.Tenants.List(ctx)
			if err != nil {
				b.Fatal(err)
			}
			workers := 1
			if dialect == db.Postgres {
				workers = 8
			}
			for _, raw := range []bool{false, true} {
				compute := a.Reports.Compute
				if raw {
					compute = a.Reports.RawCompute
				}
				b.Run("raw="+strconv.FormatBool(raw), func(b *testing.B) {
					for b.Loop() {
						next := make(chan [2]int64)
						errs := make(chan error, workers)
						for range workers {
							go func() {
								var first error
								for k := range next {
									if _, err := compute(ctx, k[0], int(k[1])); err != nil && first == nil {
										first = err
									}
								}
								errs <- first
							}()
						}
						for _, t := range ts {
							for _, y := range []int{year, year - 1} {
								next <- [2]int64{t.ID, int64(y)}
							}
						}
						close(next)
						for range workers {
							if err := <-errs; err != nil {
								b.Fatal(err)
							}
						}
					}
				})
			}
		})
	}
}
