package catalog

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/tenant"
)

// benchItems is the size of the bureau's catalog in the benchmarks.
const benchItems = 10_000

// BenchmarkCatalog measures the public list and search (one client and 32
// concurrent ones), the staff list, the item page, and index number
// allocation on a bureau with 10,000 published items (and another bureau
// with as many, so the tenant filter is real), on both databases. Run with
//
//	go test ./internal/catalog/ -run '^$' -bench Catalog -benchtime 2s
//
// GONGKAI_BENCH_BUREAUS=N adds synthetic bureaus with 10,000 items each up
// to N bureaus in all.
func BenchmarkCatalog(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			f := benchFixture(b, dialect)
			ctx := context.Background()
			a := f.a.ID
			search := func(q Query) func(b *testing.B) {
				return func(b *testing.B) {
					for b.Loop() {
						res, err := f.svc.PublicSearch(ctx, a, q)
						if err != nil || res.Total == 0 {
							b.Fatalf("%v %v", err, res)
						}
					}
				}
			}
			b.Run("public-search/养老", search(Query{Q: "养老"}))
			b.Run("public-search/养老+〔2025〕", search(Query{Q: "养老 〔2025〕"}))
			b.Run("public-search/rare-doc-no", search(Query{Q: "〔2025〕9999号"}))
			b.Run("public-list/page-1", search(Query{}))
			b.Run("public-list/page-100", search(Query{Page: 100}))
			b.Run("public-list/category+year", search(Query{Category: "elderly_care", Year: 2025}))
			b.Run("staff-list/page-1", func(b *testing.B) {
				for b.Loop() {
					if _, err := f.svc.List(f.viewer, a, Query{}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("public-item/by-index", func(b *testing.B) {
				key := fmt.Sprintf("%s/2025-%05d", f.a.CreditCode, 4242)
				for b.Loop() {
					if _, err := f.svc.PublicItem(ctx, a, key); err != nil {
						b.Fatal(err)
					}
				}
			})
			// 32 concurrent clients (issue #5: p95 under 50 ms on two cores).
			b.Run("public-search/养老/32-clients", concurrent(f, Query{Q: "养老"}))
			b.Run("public-search/养老+〔2025〕/32-clients", concurrent(f, Query{Q: "养老 〔2025〕"}))
			b.Run("public-search/老/32-clients", concurrent(f, Query{Q: "老"}))
			b.Run("public-list/page-1/32-clients", concurrent(f, Query{}))
			b.Run("index-allocation", func(b *testing.B) {
				for b.Loop() {
					err := f.d.InTx(ctx, db.Tenant(a), func(ctx context.Context, tx bun.Tx) error {
						_, err := f.svc.nextIndexSeq(ctx, tx, a, 2027)
						return err
					})
					if err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("publish-workflow", func(b *testing.B) {
				in := input("基准测试发布")
				for b.Loop() {
					f.mustPublish(b, in)
				}
			})
		})
	}
}

// concurrent runs the public search for q from 32 concurrent clients and
// reports the p50 and p95 latency.
func concurrent(f *fixture, q Query) func(b *testing.B) {
	return func(b *testing.B) {
		ctx := context.Background()
		var mu sync.Mutex
		var lat []time.Duration
		b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0))) // 32 clients
		b.RunParallel(func(pb *testing.PB) {
			var mine []time.Duration
			for pb.Next() {
				t0 := time.Now()
				if _, err := f.svc.PublicSearch(ctx, f.a.ID, q); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
		reportPercentiles(b, lat)
	}
}

// benchFixture is a fixture whose bureaus A and B hold 10,000 published
// items each, with planner statistics gathered as a production database
// would have them (ANALYZE; on Postgres as the owner, with VACUUM so that
// index-only scans work).
func benchFixture(b *testing.B, dialect db.Dialect) *fixture {
	u := dbtest.URL(b, dialect)
	opts := db.Options{URL: u}
	if dialect == db.SQLite {
		opts = db.Options{Path: u}
	}
	d, err := db.Open(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(d.Close)
	if dialect == db.SQLite {
		if _, err := d.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	f := fixtureOn(b, d)
	bulkPublished(b, f, f.a, benchItems)
	bulkPublished(b, f, f.b, benchItems)
	for _, tn := range extraBureaus(b, f) {
		bulkPublished(b, f, tn, benchItems)
	}
	if dialect == db.SQLite {
		if _, err := d.SQL.Exec("ANALYZE"); err != nil {
			b.Fatal(err)
		}
		return f
	}
	conn, err := pgx.Connect(context.Background(), dbtest.AdminURL(u))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "VACUUM ANALYZE catalog_items, catalog_grams"); err != nil {
		b.Fatal(err)
	}
	return f
}

// extraBureaus provisions the synthetic bureaus that bring the number of
// bureaus to GONGKAI_BENCH_BUREAUS (2 when unset: A and B), so the catalog
// can be measured at the size of a city (100 bureaus × 10,000 items).
func extraBureaus(b *testing.B, f *fixture) []tenant.Tenant {
	n, _ := strconv.Atoi(os.Getenv("GONGKAI_BENCH_BUREAUS"))
	var specs []tenant.Spec
	for i := 1; i <= n-2; i++ {
		body := fmt.Sprintf("9%07d", i)
		first17 := "11210800" + body + string(orgCheckDigit(body))
		check, err := tenant.CreditCodeCheckChar(first17)
		if err != nil {
			b.Fatal(err)
		}
		spec, err := tenant.ParseSpec(fmt.Sprintf("bench-%04d", i), []byte(fmt.Sprintf(`slug: bench-%04d
name: 基准测试第%d局
kind: civil_affairs
credit_code: "%s"
contact:
  office: 基准测试第%d局政府信息公开办公室
  address: 辽宁省营口市站前区测试路%d号
  postcode: "115000"
  hours: 工作日 8:30—17:00
  phone: 0417-2800000
  email: bench%d@gongkai.example
`, i, i, first17+string(check), i, i, i)))
		if err != nil {
			b.Fatal(err)
		}
		specs = append(specs, spec)
	}
	if len(specs) == 0 {
		return nil
	}
	ts := tenant.NewService(f.d, func() time.Time { return testNow })
	if _, err := ts.Apply(f.sys, specs); err != nil {
		b.Fatal(err)
	}
	out := make([]tenant.Tenant, len(specs))
	for i, spec := range specs {
		tn, err := ts.BySlug(context.Background(), spec.Slug)
		if err != nil {
			b.Fatal(err)
		}
		out[i] = tn
	}
	return out
}

// orgCheckDigit is the GB 11714 check digit of an 8-digit organisation code
// body.
func orgCheckDigit(body string) byte {
	weights := []int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 8 {
		sum += int(body[i]-'0') * weights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// reportPercentiles reports the p50 and p95 latency of lat in milliseconds.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.95), "p95-ms")
}
