package seed_test

import (
	"context"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/authz"
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
			res, err := seed.Bulk(context.Background(), a, today, seed.BulkOptions{Bureaus: 2, Applications: 3000, Years: 2, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Bureaus != 2 || res.Requests != 6000 {
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
		})
	}
}
