package authz_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
)

// TestPolicySnapshot: within one request's snapshot the roles stay as they
// were at its first check, even when another instance changes them; a new
// request sees the change at once, and so does the request that made it.
func TestPolicySnapshot(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		server := mustNew(t, d)
		bob := authz.Actor{Subject: "user:bob"}
		setRoles := func(ctx context.Context, roles []string) {
			t.Helper()
			if err := d.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
				return authz.SetRolesTx(ctx, tx, time.Now(), bob.Subject, 0, roles)
			}); err != nil {
				t.Fatal(err)
			}
		}
		allowed := func(ctx context.Context) bool {
			t.Helper()
			ok, err := server.Allowed(ctx, bob, 0, "oversight", "read")
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		setRoles(ctx, []string{authz.CityOverseer})
		request := authz.WithPolicySnapshot(ctx)
		if !allowed(request) {
			t.Fatal("an overseer may not read oversight")
		}
		setRoles(ctx, nil) // revoked by another instance
		if !allowed(request) {
			t.Fatal("the roles changed within the request's snapshot")
		}
		if allowed(authz.WithPolicySnapshot(ctx)) || allowed(ctx) {
			t.Fatal("a new request still sees the revoked role")
		}
		// The request that changes the roles sees its change.
		mine := authz.WithPolicySnapshot(ctx)
		if allowed(mine) {
			t.Fatal("revoked role allowed")
		}
		setRoles(mine, []string{authz.CityOverseer})
		if !allowed(mine) {
			t.Fatal("the request does not see the role it granted")
		}
	})
}

func mustNew(t *testing.T, d *db.DB) *authz.Authorizer {
	t.Helper()
	a, err := authz.New(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
