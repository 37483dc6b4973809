package request_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/authz"
	"gongkai/internal/calendar"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/jobs"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/workday"
)

// benchSize is the number of requests seeded for the benchmarks
// (GONGKAI_BENCH_REQUESTS, default 100,000).
func benchSize() int {
	if n, err := strconv.Atoi(os.Getenv("GONGKAI_BENCH_REQUESTS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// seedRequests bulk-inserts n open requests of one bureau with a received
// event each, spread over 2026.
func seedRequests(b *testing.B, d *db.DB, tid int64, n int) {
	b.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	start := workday.MustParseDate("2026-01-05")
	const batch = 2000
	for off := 0; off < n; off += batch {
		m := min(batch, n-off)
		rs := make([]request.Request, m)
		for i := range rs {
			recv := start.AddDays((off + i) % 300)
			rs[i] = request.Request{TenantID: tid, TrackingCode: fmt.Sprintf("B-%08d", off+i), Channel: "in_person", ArrivedOn: recv, ReceivedOn: recv,
				ApplicantType: "natural_person", ApplicantName: "申请人", Content: "申请公开养老服务补贴发放情况", State: "open", DueOn: recv.AddDays(28),
				CreatedAt: now, UpdatedAt: now}
		}
		err := d.InTx(ctx, db.Tenant(tid), func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewInsert().Model(&rs).Returning("id").Exec(ctx); err != nil {
				return err
			}
			evs := make([]request.Event, m)
			for i := range evs {
				evs[i] = request.Event{TenantID: tid, RequestID: rs[i].ID, Kind: deadline.Received, Day: rs[i].ReceivedOn, Actor: "seed", ActorName: "seed", CreatedAt: now}
			}
			_, err := tx.NewInsert().Model(&evs).Exec(ctx)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWorklist(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.Open(b, dialect)
			svc, tid := newRequests(b, d)
			seedRequests(b, d, tid, benchSize())
			ctx := authz.WithActor(context.Background(), authz.System)
			b.ResetTimer()
			for b.Loop() {
				page, err := svc.List(ctx, tid, request.Filter{States: []string{"open", "paused"}, Limit: 50})
				if err != nil || len(page.Items) != 50 || !page.HasMore {
					b.Fatalf("list: %d, %v", len(page.Items), err)
				}
			}
		})
	}
}

// BenchmarkRecomputeAll measures the recomputation after a calendar change:
// a rest day declared in the middle of the seeded deadlines (alternately
// removed again), moving the due date of every request whose period spans it.
func BenchmarkRecomputeAll(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.Open(b, dialect)
			svc, tid := newRequests(b, d)
			seedRequests(b, d, tid, benchSize())
			ctx := authz.WithActor(context.Background(), authz.System)
			if _, err := svc.RecomputeAll(ctx); err != nil {
				b.Fatal(err)
			}
			jc, _ := jobs.New(d, jobs.Options{})
			az, _ := authz.New(ctx, d)
			cal := calendar.NewService(d, az, jc, time.Now)
			day := workday.MustParseDate("2026-06-10")
			rest := true
			moved := 0
			b.ResetTimer()
			for b.Loop() {
				if _, err := cal.Set(ctx, day, !rest, "基准测试"); err != nil {
					b.Fatal(err)
				}
				rest = !rest
				n, err := svc.RecomputeAll(ctx)
				if err != nil {
					b.Fatal(err)
				}
				moved = n
			}
			b.ReportMetric(float64(benchSize()), "open_requests")
			b.ReportMetric(float64(moved), "moved")
		})
	}
}
