package tenant_test

import (
	"context"
	"testing"
	"time"

	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/tenant"
)

// TestListFollowsChangesFromAnotherProcess: List reuses its decoded bureaus
// only while the table is unchanged, so a bureau provisioned or renamed by
// another process (another Service on the same database) shows at once.
func TestListFollowsChangesFromAnotherProcess(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		at := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
		now := func() time.Time { at = at.Add(time.Second); return at }
		server, other := tenant.NewService(d, now), tenant.NewService(d, now)
		specs, err := tenant.LoadFiles("")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Apply(ctx, specs[:2]); err != nil {
			t.Fatal(err)
		}
		first, err := server.List(ctx)
		if err != nil || len(first) != 2 {
			t.Fatalf("first list: %d, %v", len(first), err)
		}
		if _, err := other.Apply(ctx, specs); err != nil { // the rest of the city
			t.Fatal(err)
		}
		all, err := server.List(ctx)
		if err != nil || len(all) != len(specs) {
			t.Fatalf("after provisioning: %d bureaus, want %d (%v)", len(all), len(specs), err)
		}
		renamed := specs[0]
		renamed.Name += "（更名）"
		if _, err := other.Apply(ctx, []tenant.Spec{renamed}); err != nil {
			t.Fatal(err)
		}
		again, err := server.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, b := range again {
			if b.Slug == renamed.Slug {
				found = b.Name == renamed.Name
			}
		}
		if !found {
			t.Fatalf("the rename of %s is not in the list", renamed.Slug)
		}
	})
}
