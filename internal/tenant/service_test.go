package tenant_test

import (
	"context"
	"testing"
	"time"

	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/tenant"
)

// TestListFollowsChangesFromAnotherProcess: List reuses its decoded bureaus
// while the table is unchanged, so a bureau provisioned or renamed by
// another process (another Service on the same database) shows within a
// second, and a bureau looked up by its slug or id is found at once.
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
		if _, err := server.BySlug(ctx, specs[2].Slug); !fault.Is(err, fault.NotFound) {
			t.Fatalf("a bureau not provisioned yet: %v", err)
		}
		if _, err := other.Apply(ctx, specs); err != nil { // the rest of the city
			t.Fatal(err)
		}
		if b, err := server.BySlug(ctx, specs[2].Slug); err != nil || b.Name != specs[2].Name {
			t.Fatalf("a bureau just provisioned elsewhere: %+v, %v", b, err)
		}
		wait := func() { time.Sleep(1100 * time.Millisecond) } // the listing's freshness
		wait()
		all, err := server.List(ctx)
		if err != nil || len(all) != len(specs) {
			t.Fatalf("after provisioning: %d bureaus, want %d (%v)", len(all), len(specs), err)
		}
		renamed := specs[0]
		renamed.Name += "（更名）"
		if _, err := other.Apply(ctx, []tenant.Spec{renamed}); err != nil {
			t.Fatal(err)
		}
		wait()
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
