package main

import (
	"bytes"
	"context"
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
