package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
)

type tenantRow struct {
	bun.BaseModel `bun:"table:tenants"`
	ID            int64 `bun:",pk,autoincrement"`
	Slug          string
	Name          string
	Kind          string
	CreditCode    string
	Spec          string `bun:"type:jsonb"`
	SpecHash      string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func TestMigrateIsIdempotentAndReady(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		applied, err := d.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v, want nothing", applied)
		}
		if err := d.Ready(ctx); err != nil {
			t.Fatalf("ready: %v", err)
		}
		st, riverPending, err := d.Status(ctx)
		if err != nil || riverPending != 0 || len(st) == 0 {
			t.Fatalf("status = %v, %d, %v", st, riverPending, err)
		}
	})
}

func TestInTxRollsBackAndTranslatesErrors(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		row := func(slug, code string) *tenantRow {
			return &tenantRow{Slug: slug, Name: "测试局", Kind: "civil_affairs", CreditCode: code, Spec: "{}", SpecHash: "x", CreatedAt: now, UpdatedAt: now}
		}
		// A failing function rolls back what it wrote.
		err := d.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewInsert().Model(row("a", "A1")).Exec(ctx); err != nil {
				return err
			}
			return fault.New(fault.Conflict, "stop")
		})
		if !fault.Is(err, fault.Conflict) {
			t.Fatalf("err = %v, want the function's conflict", err)
		}
		n, err := d.Bun.NewSelect().Model((*tenantRow)(nil)).Count(ctx)
		if err != nil || n != 0 {
			t.Fatalf("after rollback count = %d, %v; want 0", n, err)
		}
		// A unique violation becomes a Conflict.
		err = d.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewInsert().Model(row("a", "A1")).Exec(ctx); err != nil {
				return err
			}
			_, err := tx.NewInsert().Model(row("a", "A2")).Exec(ctx)
			return err
		})
		if !fault.Is(err, fault.Conflict) {
			t.Fatalf("duplicate slug: err = %v, want conflict", err)
		}
		// A missing row becomes NotFound naming the thing.
		err = db.NotFound(d.Bun.NewSelect().Model(new(tenantRow)).Where("slug = ?", "none").Scan(ctx), "bureau")
		if !fault.Is(err, fault.NotFound) || fault.MessageOf(err) != "bureau not found" {
			t.Fatalf("err = %v, want bureau not found", err)
		}
	})
}

// TestOptimizeGathersSQLiteStatistics: after Optimize, a table that grew
// has statistics (sqlite_stat1), so the planner knows how selective its
// indexes are; on Postgres it does nothing.
func TestOptimizeGathersSQLiteStatistics(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t, db.SQLite)
	ctx := context.Background()
	if _, err := d.SQL.ExecContext(ctx, `CREATE TABLE grown (tenant_id INTEGER, v TEXT);
CREATE INDEX grown_tenant_idx ON grown (tenant_id);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) INSERT INTO grown SELECT i % 3, 'x' FROM n`); err != nil {
		t.Fatal(err)
	}
	if err := d.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := d.SQL.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'grown'`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("statistics of the grown table: %d rows (%v)", n, err)
	}
}
