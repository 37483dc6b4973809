// Package dbtest gives tests real, migrated, isolated databases: a fresh
// SQLite file per test always, and a fresh Postgres database per test (cloned
// from a migrated template) when Postgres is reachable.
//
// GONGKAI_TEST_DATABASE_URL names the Postgres server (default: the local
// server as user postgres); GONGKAI_TEST_REQUIRE_POSTGRES=1 turns an
// unreachable server into a test failure instead of a skip.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"gongkai/internal/db"
	"gongkai/migrations"
)

// DefaultPostgresURL is used when GONGKAI_TEST_DATABASE_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Dialects lists the databases tests run on; Postgres is always listed and
// skips (or fails, when required) if unreachable.
var Dialects = []db.Dialect{db.SQLite, db.Postgres}

// Each runs fn as one subtest per dialect, each with its own fresh database.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			fn(t, Open(t, dialect))
		})
	}
}

// Open returns a fresh migrated database of the dialect, closed and dropped
// when the test ends.
func Open(t testing.TB, dialect db.Dialect) *db.DB {
	t.Helper()
	u := URL(t, dialect)
	opts := db.Options{URL: u}
	if dialect == db.SQLite {
		opts = db.Options{Path: u}
	}
	d, err := db.Open(context.Background(), opts)
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(d.Close)
	if dialect == db.SQLite {
		if _, err := d.Migrate(context.Background()); err != nil {
			t.Fatalf("migrate sqlite: %v", err)
		}
	}
	return d
}

// URL returns where a fresh database of the dialect is: for SQLite a file
// path in the test's temporary directory (not yet migrated), for Postgres the
// URL of a new, migrated database dropped when the test ends.
func URL(t testing.TB, dialect db.Dialect) string {
	t.Helper()
	if dialect == db.SQLite {
		return filepath.Join(t.TempDir(), "gongkai.db")
	}
	admin := adminURL()
	tmpl, err := template(admin)
	if err != nil {
		if os.Getenv("GONGKAI_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("Postgres is required (GONGKAI_TEST_REQUIRE_POSTGRES=1) but not usable at %s: %v", redact(admin), err)
		}
		t.Skipf("Postgres not reachable at %s (set GONGKAI_TEST_DATABASE_URL; GONGKAI_TEST_REQUIRE_POSTGRES=1 makes this a failure): %v", redact(admin), err)
	}
	name := "gk_test_" + randomHex(8)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect %s: %v", redact(admin), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
	})
	return asAppRole(withDatabase(admin, name))
}

// AppRole is the ordinary (not superuser, not owner) role tests connect as,
// as the service does in production.
const AppRole = "gongkai_app"

// AdminURL returns the URL of a test database as the superuser that owns it,
// for tests that must act outside the application's privileges.
func AdminURL(appURL string) string {
	parsed, err := url.Parse(appURL)
	if err != nil {
		return appURL
	}
	admin, _ := url.Parse(adminURL())
	parsed.User = admin.User
	return parsed.String()
}

func asAppRole(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return u
	}
	parsed.User = url.UserPassword(AppRole, AppRole)
	return parsed.String()
}

func adminURL() string {
	if u := os.Getenv("GONGKAI_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

// template returns the name of a database holding every migration, created
// once per migration set (its name carries a hash of the migration files) and
// shared by every test process under an advisory lock.
func template(admin string) (string, error) {
	templateOnce.Do(func() {
		templateName, templateErr = makeTemplate(admin)
	})
	return templateName, templateErr
}

func makeTemplate(admin string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	connectCtx, cancelConnect := context.WithTimeout(ctx, 3*time.Second)
	defer cancelConnect()
	conn, err := pgx.Connect(connectCtx, admin)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	name := "gk_tmpl_" + migrationsHash()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(727002)"); err != nil {
		return "", err
	}
	defer conn.Exec(context.Background(), "SELECT pg_advisory_unlock(727002)") //nolint:errcheck
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf(`DO $$ BEGIN
		IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%[1]s') THEN
			CREATE ROLE %[1]s LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '%[1]s';
		END IF;
	END $$`, AppRole)); err != nil {
		return "", fmt.Errorf("create role %s: %w", AppRole, err)
	}
	building := name + "_wip"
	if _, err := conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", building)); err != nil {
		return "", err
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s", building)); err != nil {
		return "", err
	}
	d, err := db.Open(ctx, db.Options{URL: withDatabase(admin, building), MaxConns: 2})
	if err != nil {
		return "", err
	}
	_, err = d.Migrate(ctx, AppRole)
	d.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := conn.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, name)); err != nil {
		return "", err
	}
	return name, nil
}

// migrationsHash identifies the migration set, so a changed migration gets a
// new template database.
func migrationsHash() string {
	h := sha256.New()
	_ = fs.WalkDir(migrations.FS, ".", func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, _ := migrations.FS.ReadFile(path)
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func withDatabase(u, name string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return u
	}
	parsed.Path = "/" + name
	return parsed.String()
}

func redact(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return parsed.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
