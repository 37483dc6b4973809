package seed_test

import (
	"context"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/request"
	"gongkai/internal/seed"
	"gongkai/internal/workday"
)

func TestDemoIsIdempotentAndRefusesRealData(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect)
			today := workday.MustParseDate("2026-11-26")
			res, err := seed.Demo(context.Background(), a, today, false)
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests < 100 || res.Appeals != 4 || res.Inquiries < 100 || res.Reports < 10 {
				t.Fatalf("demo created %+v", res)
			}
			again, err := seed.Demo(context.Background(), a, today, false)
			if err != nil || again != (seed.Result{}) {
				t.Fatalf("second run: %+v, %v", again, err)
			}
			// The published 2025 report passes every invariant.
			ctx := authz.WithActor(context.Background(), authz.System)
			tn, _ := a.Tenants.BySlug(ctx, "civil-affairs")
			if _, v, err := a.Reports.Check(ctx, tn.ID, 2025); err != nil || len(v) != 0 {
				t.Fatalf("2025 check: %v %v", v, err)
			}
			// A database with real requests is refused without --force.
			b := apptest.Boot(t, dialect)
			tb, _ := b.Tenants.BySlug(ctx, "welfare-home")
			if _, _, err := b.Requests.Register(ctx, tb.ID, request.NewRequest{Channel: "in_person", ArrivedOn: today,
				Applicant: request.Applicant{Type: "natural_person", Name: "真实申请人", Phone: "1"}, Content: "x"}); err != nil {
				t.Fatal(err)
			}
			if _, err := seed.Demo(context.Background(), b, today, false); !fault.Is(err, fault.Conflict) {
				t.Fatalf("seeding real data: %v", err)
			}
		})
	}
}
