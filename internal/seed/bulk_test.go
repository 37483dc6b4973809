package seed_test

import (
	"context"
	"testing"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/dbtest"
	"gongkai/internal/request"
	"gongkai/internal/seed"
	"gongkai/internal/workday"
)

func TestBulkDataIsConsistent(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect)
			today := workday.MustParseDate("2026-11-26")
			res, err := seed.Bulk(context.Background(), a, today, seed.BulkOptions{Bureaus: 2, Applications: 3000, Items: 600, Years: 2, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Bureaus != 2 || res.Requests != 6000 || res.Items != 1200 {
				t.Fatalf("bulk = %+v", res)
			}
			ctx := authz.WithActor(context.Background(), authz.System)
			tn, err := a.Tenants.BySlug(ctx, "synthetic-0002")
			if err != nil {
				t.Fatal(err)
			}
			// The synthetic year satisfies every report invariant.
			tables, violations, err := a.Reports.Check(ctx, tn.ID, 2026)
			if err != nil || len(violations) != 0 {
				t.Fatalf("check: %v %v", violations, err)
			}
			if got := tables.Table3.Row("new").Values[6]; got < 1000 {
				t.Fatalf("2026 received %d", got)
			}
			// Some requests are overdue.
			page, err := a.Requests.List(ctx, tn.ID, request.Filter{OverdueOn: today, Limit: 10})
			if err != nil || len(page.Items) == 0 {
				t.Fatalf("overdue: %d, %v", len(page.Items), err)
			}
			checkBulkCatalog(t, a, tn.ID, today)
		})
	}
}

// checkBulkCatalog: the bureau's 600 synthetic items are public and
// searchable, their index numbers gapless per year over two years, the
// categories skewed (the first leaf holds more than the last), and the
// workflow's next publication continues the numbering.
func checkBulkCatalog(t *testing.T, a *app.App, tenantID int64, today workday.Date) {
	t.Helper()
	ctx := authz.WithActor(context.Background(), authz.System)
	all, err := a.Catalog.PublicSearch(ctx, tenantID, catalog.Query{PerPage: 1})
	if err != nil || all.Total != 600 {
		t.Fatalf("public items: %v, %v", all, err)
	}
	if res, err := a.Catalog.PublicSearch(ctx, tenantID, catalog.Query{Q: "养老"}); err != nil || res.Total == 0 || res.Total == 600 {
		t.Fatalf("search 养老: %v, %v", res, err)
	}
	years, err := a.Catalog.PublicYears(ctx, tenantID)
	if err != nil || len(years) < 2 {
		t.Fatalf("years %v, %v", years, err)
	}
	for _, y := range years {
		seen := map[int]bool{}
		total := 0
		for page := 1; ; page++ {
			res, err := a.Catalog.PublicSearch(ctx, tenantID, catalog.Query{Year: y, Page: page, PerPage: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				if h.IndexYear != y || h.IndexSeq < 1 || h.IndexSeq > res.Total || seen[h.IndexSeq] {
					t.Fatalf("%s in year %d of %d items (taken twice: %v)", h.IndexNo, y, res.Total, seen[h.IndexSeq])
				}
				seen[h.IndexSeq] = true
			}
			total = res.Total
			if page >= res.Pages() {
				break
			}
		}
		if len(seen) == 0 || len(seen) != total {
			t.Fatalf("year %d: %d distinct index numbers of %d items", y, len(seen), total)
		}
	}
	tree, err := a.Catalog.Categories(ctx, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	leaves := catalog.Leaves(tree)
	count := func(code string) int {
		res, err := a.Catalog.PublicSearch(ctx, tenantID, catalog.Query{Category: code, PerPage: 1})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	if first, last := count(leaves[0].Code), count(leaves[len(leaves)-1].Code); first <= last {
		t.Fatalf("categories not skewed: first %d, last %d", first, last)
	}
}
