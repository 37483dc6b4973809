package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"gongkai/internal/app"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/workday"
)

// recorder keeps the SQL text of every query while on.
type recorder struct {
	mu      sync.Mutex
	on      bool
	queries []string
}

func (r *recorder) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (r *recorder) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		r.queries = append(r.queries, strings.Join(strings.Fields(e.Query), " "))
	}
}

// record returns the queries fn runs.
func (r *recorder) record(fn func() error) ([]string, error) {
	r.mu.Lock()
	r.on, r.queries = true, nil
	r.mu.Unlock()
	err := fn()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.queries, err
}

// checkTwins asserts that every query of each SQL twin is, text for text,
// a query the service runs for the same page.
func checkTwins(t *testing.T, a *app.App, opts Options) {
	t.Helper()
	ctx := context.Background()
	rec := &recorder{}
	//lint:ignore SA1019 the recorder must see the application's own queries, which a clone (WithQueryHook) would not
	a.DB.Bun.AddQueryHook(rec)
	e, err := prepare(ctx, a, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer e.cleanup()
	sys := authz.WithActor(ctx, authz.System)
	id := e.bureau.ID
	search := func(q string) (func() error, func(context.Context) error) {
		other := *e
		other.opts.Query = q
		return func() error { _, err := a.Catalog.PublicListing(ctx, e.bureau, catalog.Query{Q: q}); return err }, other.sqlCatalogSearch
	}
	longService, longTwin := search("养老服务 通知") // bigram candidates, then a ranked scan
	oneService, oneTwin := search("养")         // no bigram: a scan
	for _, c := range []struct {
		name    string
		service func() error
		twin    func(context.Context) error
	}{
		{"catalog-list", func() error { _, err := a.Catalog.PublicListing(ctx, e.bureau, catalog.Query{}); return err }, e.sqlCatalogList},
		{"catalog-search", func() error {
			_, err := a.Catalog.PublicListing(ctx, e.bureau, catalog.Query{Q: opts.Query})
			return err
		}, e.sqlCatalogSearch},
		{"catalog-search (longer terms)", longService, longTwin},
		{"catalog-search (one character)", oneService, oneTwin},
		{"catalog-item", func() error { _, err := a.Catalog.PublicItem(ctx, id, e.itemKey); return err }, e.sqlCatalogItem},
		{"console-worklist", func() error { // the page itself: its twin is every read it makes
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, opts.URL+"/console/"+e.bureau.Slug+"/requests", nil)
			if err != nil {
				return err
			}
			req.Header.Set("Cookie", sessionCookie+"="+e.adminCk)
			res, err := e.client.Do(req)
			if err != nil {
				return err
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return fmt.Errorf("worklist page: %s", res.Status)
			}
			return nil
		}, e.sqlWorklist},
		{"report-tables", func() error { _, _, err := a.Reports.Check(sys, id, opts.Year); return err }, e.sqlReportTables},
		{"oversight-dashboard", func() error {
			_, err := a.Oversight.Dashboard(sys, opts.Year, workday.Date{}, workday.Date{}, false)
			return err
		}, e.sqlDashboard},
	} {
		want, err := rec.record(c.service)
		if err != nil {
			t.Fatalf("%s service: %v", c.name, err)
		}
		got, err := rec.record(func() error { return c.twin(ctx) })
		if err != nil {
			t.Fatalf("%s twin: %v", c.name, err)
		}
		if len(got) == 0 {
			t.Errorf("%s: the twin ran no query", c.name)
		}
		for _, q := range got {
			if !slices.Contains(want, q) {
				t.Errorf("%s: the twin runs a query the service does not:\n%s\nservice ran:\n%s", c.name, q, strings.Join(want, "\n"))
			}
		}
	}
}
