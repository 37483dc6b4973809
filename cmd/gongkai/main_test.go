package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/tenants"
)

// cli runs the command line with a fresh environment for the settings.
func cli(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	for _, k := range []string{"GONGKAI_DATABASE_URL", "DATABASE_URL", "GONGKAI_DATA_DIR", "GONGKAI_TENANTS_DIR", "GONGKAI_ADMIN_PASSWORD", "GONGKAI_LOG_LEVEL"} {
		t.Setenv(k, env[k])
	}
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestBadSettingStopsWithOneLine(t *testing.T) {
	_, err := cli(t, nil, "migrate", "status", "--time-zone", "Mars/Base")
	if err == nil || !strings.Contains(err.Error(), "time-zone") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("err = %v, want one line naming time-zone", err)
	}
	_, err = cli(t, map[string]string{"DATABASE_URL": "mysql://x"}, "migrate", "status")
	if err == nil || !strings.Contains(err.Error(), "database-url") {
		t.Fatalf("err = %v, want one naming database-url", err)
	}
}

func TestTenantsApplyIsIdempotentAndAllOrNothing(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			env := map[string]string{"GONGKAI_LOG_LEVEL": "error"}
			u := dbtest.URL(t, dialect)
			if dialect == db.Postgres {
				env["DATABASE_URL"] = u
			} else {
				env["GONGKAI_DATA_DIR"] = filepath.Dir(u)
			}
			out, err := cli(t, env, "tenants", "apply")
			if err != nil || !strings.Contains(out, "6 created, 0 changed, 0 unchanged") {
				t.Fatalf("first apply: %v\n%s", err, out)
			}
			out, err = cli(t, env, "tenants", "apply")
			if err != nil || !strings.Contains(out, "0 created, 0 changed, 6 unchanged") {
				t.Fatalf("second apply: %v\n%s", err, out)
			}

			// A directory with one good new bureau and one bad file: nothing applied.
			dir := t.TempDir()
			good, err := tenants.FS.ReadFile("welfare-home.yaml")
			if err != nil {
				t.Fatal(err)
			}
			changed := strings.Replace(string(good), "营口市养老院", "营口市第二养老院", 1)
			changed = strings.Replace(changed, "slug: welfare-home", "slug: welfare-home-2", 1)
			writeFile(t, filepath.Join(dir, "a.yaml"), changed)
			bad := strings.Replace(string(good), "slug: welfare-home", "slug: welfare-home-3", 1)
			bad = strings.Replace(bad, "parent: civil-affairs", "parent: no-such-bureau", 1)
			writeFile(t, filepath.Join(dir, "b.yaml"), bad)
			out, err = cli(t, env, "tenants", "apply", dir)
			if err == nil || !strings.Contains(err.Error(), "b.yaml") || !strings.Contains(err.Error(), "parent") {
				t.Fatalf("bad dir: err = %v, want file and field named\n%s", err, out)
			}
			out, err = cli(t, env, "tenants", "list")
			if err != nil || strings.Contains(out, "welfare-home-2") || !strings.Contains(out, "营口市养老院") {
				t.Fatalf("after rejected apply: %v\n%s", err, out)
			}
		})
	}
}

func TestWorkdayAdd(t *testing.T) {
	out, err := cli(t, nil, "workday", "add", "--from", "2026-02-13", "--days", "20")
	if err != nil || strings.TrimSpace(out) != "2026-03-19" {
		t.Fatalf("workday add = %q, %v", out, err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestHealthcheck(t *testing.T) {
	t.Parallel()
	a := apptest.Boot(t, db.SQLite)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"healthcheck", a.URL() + "/readyz"}, &out, &out); err != nil || !strings.Contains(out.String(), "ready") {
		t.Fatalf("healthcheck: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"healthcheck", "http://127.0.0.1:1/readyz"}, &out, &out); err == nil {
		t.Fatal("healthcheck of nothing succeeded")
	}
}

func TestBackupAndRestoreRoundTrip(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"GONGKAI_DATA_DIR": filepath.Join(dir, "live"), "GONGKAI_ADMIN_PASSWORD": "Secure-Test-Pass-2026", "GONGKAI_LOG_LEVEL": "error"}
	if out, err := cli(t, env, "seed", "--demo"); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	backup := filepath.Join(dir, "backup.db")
	if out, err := cli(t, env, "backup", "--out", backup); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	if _, err := cli(t, env, "backup", "--out", backup); err == nil {
		t.Fatal("backup over an existing file")
	}
	restored := map[string]string{"GONGKAI_DATA_DIR": filepath.Join(dir, "restored"), "GONGKAI_LOG_LEVEL": "error"}
	if out, err := cli(t, restored, "restore", "--from", backup); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	if _, err := cli(t, restored, "restore", "--from", backup); err == nil {
		t.Fatal("restore over existing data")
	}
	// The restored database holds the same rows.
	count := func(dataDir string) string {
		d, err := db.Open(context.Background(), db.Options{Path: filepath.Join(dataDir, "gongkai.db")})
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var out strings.Builder
		for _, table := range []string{"tenants", "users", "requests", "request_events", "appeals", "inquiries", "reports", "audit_events"} {
			var n int
			if err := d.SQL.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&out, "%s=%d ", table, n)
		}
		return out.String()
	}
	live, back := count(env["GONGKAI_DATA_DIR"]), count(restored["GONGKAI_DATA_DIR"])
	if live != back || !strings.Contains(live, "requests=") || strings.Contains(live, "requests=0 ") {
		t.Fatalf("live %s\nrestored %s", live, back)
	}
}
