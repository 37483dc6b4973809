// Package db opens the database (SQLite by default, Postgres when a URL is
// given), applies migrations (River's, then ours), runs transactions scoped to
// a tenant, and translates driver errors into fault errors.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/extra/bunotel"
	"github.com/uptrace/bun/migrate"
	"go.opentelemetry.io/otel/trace"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver

	"gongkai/internal/fault"
	"gongkai/migrations"
)

// Dialect names the database engine in use.
type Dialect string

// The supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is an open database: the bun handle for queries, the raw pool, and on
// Postgres a small separate pool for River's LISTEN connection.
type DB struct {
	Bun     *bun.DB
	SQL     *sql.DB
	Dialect Dialect

	pool     *pgxpool.Pool // Postgres only
	listener *pgxpool.Pool // Postgres only
}

// Options says which database to open.
type Options struct {
	// URL is a postgres:// URL; empty opens SQLite at Path.
	URL string
	// Path is the SQLite database file, used when URL is empty.
	Path string
	// MaxConns caps the Postgres pool (default 20).
	MaxConns int32
	// Tracer, when set, receives a span per query (without arguments, which
	// are tenant data).
	Tracer trace.TracerProvider
}

// Open opens the database described by opts and checks that it answers.
func Open(ctx context.Context, opts Options) (*DB, error) {
	var d *DB
	var err error
	if opts.URL != "" {
		d, err = openPostgres(ctx, opts)
	} else {
		d, err = openSQLite(opts.Path)
	}
	if err != nil {
		return nil, err
	}
	if opts.Tracer != nil {
		d.Bun = d.Bun.WithQueryHook(bunotel.NewQueryHook(bunotel.WithFormattedQueries(false), bunotel.WithTracerProvider(opts.Tracer), bunotel.WithDBName(string(d.Dialect))))
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := d.SQL.PingContext(pingCtx); err != nil {
		d.Close()
		return nil, fault.Wrap(err, fault.Unavailable, "database is not reachable")
	}
	return d, nil
}

func openPostgres(ctx context.Context, opts Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(opts.URL)
	if err != nil {
		return nil, fault.Wrap(err, fault.Invalid, "database-url: cannot parse")
	}
	cfg.MaxConns = 20
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fault.Wrap(err, fault.Unavailable, "cannot open Postgres pool")
	}
	lcfg := cfg.Copy()
	lcfg.MaxConns = 2
	listener, err := pgxpool.NewWithConfig(ctx, lcfg)
	if err != nil {
		pool.Close()
		return nil, fault.Wrap(err, fault.Unavailable, "cannot open Postgres listener pool")
	}
	sqldb := stdlib.OpenDBFromPool(pool)
	return &DB{Bun: bun.NewDB(sqldb, pgdialect.New()), SQL: sqldb, Dialect: Postgres, pool: pool, listener: listener}, nil
}

func openSQLite(path string) (*DB, error) {
	if path == "" {
		return nil, fault.New(fault.Invalid, "data-dir: no SQLite path given")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fault.Wrap(err, fault.Unavailable, "cannot create data directory %s", filepath.Dir(path))
	}
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fault.Wrap(err, fault.Unavailable, "cannot open SQLite database %s", path)
	}
	// One connection: SQLite allows one writer, and every query inside a
	// transaction must use that transaction.
	sqldb.SetMaxOpenConns(1)
	sqldb.SetConnMaxIdleTime(0)
	return &DB{Bun: bun.NewDB(sqldb, sqlitedialect.New()), SQL: sqldb, Dialect: SQLite}, nil
}

// Optimize refreshes SQLite's table statistics where they are missing or
// out of date (PRAGMA optimize, bounded by analysis_limit), as SQLite
// recommends when a connection opens. Without statistics its planner
// guessed that a bureau's rows were few and, for instance, read a
// bureau's 10,000 catalog items through the bureau index instead of 20 of
// them by id (twenty times slower). Postgres keeps its own statistics
// (autovacuum); there it does nothing.
func (d *DB) Optimize(ctx context.Context) error {
	if d.Dialect != SQLite {
		return nil
	}
	_, err := d.SQL.ExecContext(ctx, "PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002")
	return Translate(err)
}

// Close releases every connection.
func (d *DB) Close() {
	if d.Bun != nil {
		_ = d.Bun.Close()
	}
	if d.pool != nil {
		d.pool.Close()
	}
	if d.listener != nil {
		d.listener.Close()
	}
}

// RiverDriver returns the River driver over this database; both dialects give
// a driver on *sql.Tx, so jobs are enqueued inside bun transactions the same way.
func (d *DB) RiverDriver() riverdriver.Driver[*sql.Tx] {
	if d.Dialect == Postgres {
		return riverdatabasesql.NewWithPgxListener(d.SQL, d.listener)
	}
	return riversqlite.New(d.SQL)
}

// ListenerPool returns the Postgres pool reserved for LISTEN connections (nil on SQLite).
func (d *DB) ListenerPool() *pgxpool.Pool { return d.listener }

// migrationLockKey is the Postgres advisory lock held while migrating, so that
// several instances starting together migrate once.
const migrationLockKey = 727_001

func (d *DB) migrations() (*migrate.Migrations, error) {
	sub, err := fs.Sub(migrations.FS, string(d.Dialect))
	if err != nil {
		return nil, err
	}
	ms := migrate.NewMigrations()
	if err := ms.Discover(sub); err != nil {
		return nil, fmt.Errorf("discover migrations: %w", err)
	}
	return ms, nil
}

func (d *DB) migrator() (*migrate.Migrator, error) {
	ms, err := d.migrations()
	if err != nil {
		return nil, err
	}
	return migrate.NewMigrator(d.Bun, ms, migrate.WithTableName("gongkai_migrations"), migrate.WithLocksTableName("gongkai_migration_locks"), migrate.WithMarkAppliedOnSuccess(true)), nil
}

// upToDate reports whether every migration is applied, without writing
// anything, so that a process connected as the unprivileged application role
// can start on a database migrated by the owner.
func (d *DB) upToDate(ctx context.Context) bool {
	m, err := d.migrator()
	if err != nil {
		return false
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return false
	}
	for _, mg := range ms {
		if !mg.IsApplied() {
			return false
		}
	}
	rm, err := rivermigrate.New(d.RiverDriver(), nil)
	if err != nil {
		return false
	}
	existing, err := rm.ExistingVersions(ctx)
	return err == nil && len(existing) == len(rm.AllVersions())
}

// Migrate applies River's migrations and then Gongkai's, and returns the names
// of the Gongkai migrations it applied. On Postgres, when appRole is not
// empty, it grants that role the data privileges (and nothing else) on every
// table: the service then connects as appRole, which is neither a superuser
// nor the tables' owner, so row-level security holds for it.
func (d *DB) Migrate(ctx context.Context, appRole ...string) ([]string, error) {
	granting := false
	for _, r := range appRole {
		granting = granting || r != ""
	}
	if !granting && d.upToDate(ctx) {
		return nil, nil
	}
	if d.Dialect == Postgres {
		conn, err := d.SQL.Conn(ctx)
		if err != nil {
			return nil, Translate(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
			return nil, Translate(err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey) //nolint:errcheck
	}
	rm, err := rivermigrate.New(d.RiverDriver(), nil)
	if err != nil {
		return nil, fmt.Errorf("river migrator: %w", err)
	}
	if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("river migrations: %w", err)
	}
	m, err := d.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("init migrations table: %w", err)
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("apply migrations: %w", err)
	}
	var names []string
	for _, mg := range group.Migrations {
		names = append(names, mg.Name+"_"+mg.Comment)
	}
	if d.Dialect == Postgres {
		for _, role := range appRole {
			if role == "" {
				continue
			}
			if !validRoleName.MatchString(role) {
				return names, fault.New(fault.Invalid, "db-app-role: %q is not a plain role name", role)
			}
			for _, q := range []string{
				"GRANT USAGE ON SCHEMA public TO " + role,
				"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role,
				"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + role,
			} {
				if _, err := d.SQL.ExecContext(ctx, q); err != nil {
					return names, fmt.Errorf("grant to %s: %w", role, err)
				}
			}
		}
	}
	return names, nil
}

var validRoleName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// MigrationStatus is one migration and whether it has been applied.
type MigrationStatus struct {
	Name    string
	Applied bool
}

// Status lists Gongkai's migrations with whether each is applied, and
// reports River's pending migration count.
func (d *DB) Status(ctx context.Context) ([]MigrationStatus, int, error) {
	m, err := d.migrator()
	if err != nil {
		return nil, 0, err
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		// No migrations table yet: nothing is applied. Status writes nothing,
		// so it also works for the unprivileged application role.
		if err := d.SQL.PingContext(ctx); err != nil {
			return nil, 0, Translate(err)
		}
		all, err := d.migrations()
		if err != nil {
			return nil, 0, err
		}
		ms = all.Sorted()
	}
	out := make([]MigrationStatus, 0, len(ms))
	for _, mg := range ms {
		out = append(out, MigrationStatus{Name: mg.Name + "_" + mg.Comment, Applied: mg.IsApplied()})
	}
	rm, err := rivermigrate.New(d.RiverDriver(), nil)
	if err != nil {
		return nil, 0, err
	}
	existing, err := rm.ExistingVersions(ctx)
	if err != nil {
		return out, len(rm.AllVersions()), nil
	}
	return out, len(rm.AllVersions()) - len(existing), nil
}

// Ready reports whether the database answers and every migration is applied;
// the error says which is not the case.
func (d *DB) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := d.SQL.PingContext(ctx); err != nil {
		return fault.Wrap(err, fault.Unavailable, "database is not reachable")
	}
	st, riverPending, err := d.Status(ctx)
	if err != nil {
		return err
	}
	for _, s := range st {
		if !s.Applied {
			return fault.New(fault.Unavailable, "migration %s is not applied", s.Name)
		}
	}
	if riverPending > 0 {
		return fault.New(fault.Unavailable, "%d job-queue migrations are not applied", riverPending)
	}
	return nil
}

// Scope says whose rows a transaction may touch. On Postgres it is written to
// the transaction-local settings that row-level security policies read.
type Scope struct {
	// TenantID is the tenant whose rows are visible; 0 means none.
	TenantID int64
	// AllTenants makes every tenant's rows visible: for platform work such as
	// provisioning and for the oversight office's read-only queries.
	AllTenants bool
}

// Tenant returns the scope of one tenant.
func Tenant(id int64) Scope { return Scope{TenantID: id} }

// AllTenants is the scope of platform-wide work.
var AllTenants = Scope{AllTenants: true}

// InTx runs fn in one transaction scoped to s, committing when fn returns nil
// and rolling back otherwise. Every query inside fn must use tx.
func (d *DB) InTx(ctx context.Context, s Scope, fn func(ctx context.Context, tx bun.Tx) error) error {
	err := d.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if d.Dialect == Postgres {
			all := "off"
			if s.AllTenants {
				all = "on"
			}
			if _, err := tx.ExecContext(ctx, "SELECT set_config('app.tenant_id', ?, true), set_config('app.all_tenants', ?, true)", strconv.FormatInt(s.TenantID, 10), all); err != nil {
				return err
			}
		}
		return fn(ctx, tx)
	})
	return Translate(err)
}

// ErrNoRows is returned by bun for a missing row; stores turn it into a
// fault.NotFound with the name of what is missing.
var ErrNoRows = sql.ErrNoRows

// NotFound translates sql.ErrNoRows into a fault.NotFound naming what, and
// any other error through Translate.
func NotFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fault.New(fault.NotFound, "%s not found", what)
	}
	return Translate(err)
}
