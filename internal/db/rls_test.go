package db_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/dbtest"
)

// TestRowLevelSecurityBlocksUnscopedQueries shows that on Postgres a query
// that forgets its tenant filter still sees only the transaction's tenant,
// because the service connects as an ordinary role under forced RLS.
func TestRowLevelSecurityBlocksUnscopedQueries(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t, db.Postgres)
	ctx := context.Background()
	var super, bypass bool
	if err := d.SQL.QueryRowContext(ctx, "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user").Scan(&super, &bypass); err != nil {
		t.Fatal(err)
	}
	if super || bypass {
		t.Fatalf("the service role is superuser=%v bypassrls=%v; RLS would not hold", super, bypass)
	}
	now := time.Now().UTC()
	insert := "INSERT INTO audit_events (tenant_id, at, actor, actor_name, action, object_type, object_id, summary, request_id, ip) VALUES (?, ?, 'x', 'x', 'test', 't', '1', '', '', '')"
	err := d.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		for _, tenant := range []int64{1, 2, 2} {
			if _, err := tx.ExecContext(ctx, insert, tenant, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func(s *db.Scope) int {
		var n int
		if s == nil {
			if err := d.SQL.QueryRowContext(ctx, "SELECT count(*) FROM audit_events").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		err := d.InTx(ctx, *s, func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT count(*) FROM audit_events").Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(nil); n != 0 {
		t.Errorf("a query outside any tenant scope saw %d rows, want 0", n)
	}
	t1, t2 := db.Tenant(1), db.Tenant(2)
	if n := count(&t1); n != 1 {
		t.Errorf("tenant 1 saw %d rows, want 1", n)
	}
	if n := count(&t2); n != 2 {
		t.Errorf("tenant 2 saw %d rows, want 2", n)
	}
	// Writing another tenant's row is refused too.
	err = d.InTx(ctx, t1, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, insert, 2, now)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Errorf("tenant 1 writing a tenant 2 row: %v, want a row-level security refusal", err)
	}
}
