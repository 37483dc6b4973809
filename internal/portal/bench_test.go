package portal_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"gongkai/internal/apptest"
	"gongkai/internal/dbtest"
	"gongkai/internal/seed"
	"gongkai/internal/workday"
)

// BenchmarkPublicCatalogPages measures the public catalog's pages over
// HTTP — the whole stack: routing, the bureau lookup, the queries,
// rendering and the ETag — on a bureau with 10,000 published items
// (seed.Bulk), one client at a time and 32 concurrent clients (issue #5:
// p95 under 50 ms on two cores). Run with
//
//	go test ./internal/portal/ -run '^$' -bench PublicCatalog -benchtime 3s
func BenchmarkPublicCatalogPages(b *testing.B) {
	for _, dialect := range dbtest.Dialects {
		b.Run(string(dialect), func(b *testing.B) {
			a := apptest.Boot(b, dialect)
			today := workday.FromTime(time.Now(), a.Config.Location)
			if _, err := seed.Bulk(context.Background(), a, today, seed.BulkOptions{Bureaus: 1, Items: 10_000, Years: 3, Seed: 1}); err != nil {
				b.Fatal(err)
			}
			base := a.URL() + "/b/synthetic-0001/catalog"
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			get := func(b *testing.B, u string) {
				res, err := client.Get(u)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					b.Fatalf("GET %s: %d", u, res.StatusCode)
				}
			}
			pages := map[string]string{
				"list":        base,
				"list-page-5": base + "?page=5",
				"search-养老":   base + "?q=" + url.QueryEscape("养老"),
			}
			for _, name := range []string{"list", "list-page-5", "search-养老"} {
				u := pages[name]
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						get(b, u)
					}
				})
				b.Run(name+"/32-clients", func(b *testing.B) {
					var mu sync.Mutex
					var lat []time.Duration
					b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
					b.RunParallel(func(pb *testing.PB) {
						var mine []time.Duration
						for pb.Next() {
							t0 := time.Now()
							get(b, u)
							mine = append(mine, time.Since(t0))
						}
						mu.Lock()
						lat = append(lat, mine...)
						mu.Unlock()
					})
					slices.Sort(lat)
					if len(lat) > 0 {
						b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
						b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
					}
				})
			}
		})
	}
}
