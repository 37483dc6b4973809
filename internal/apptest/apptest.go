// Package apptest boots the whole Gongkai application on 127.0.0.1:0 for
// tests, on a fresh SQLite or Postgres database, and tears it down after.
package apptest

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongkai/internal/app"
	"gongkai/internal/config"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
)

// AdminPassword is the platform administrator's password in booted apps.
const AdminPassword = "Secure-Test-Pass-2026"

// Boot starts the application on a fresh database of the dialect, with the
// demo city provisioned and job workers running, and stops it when the test
// ends. modify may change the options before start.
func Boot(t testing.TB, dialect db.Dialect, modify ...func(*config.Config, *app.Options)) *app.App {
	t.Helper()
	cfg := config.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.AdminPassword = AdminPassword
	cfg.PIIKey = "dGVzdC1rZXktZm9yLWdvbmdrYWktdGVzdHMtMzJieXQ=" // 32 bytes, tests only
	cfg.LogLevel = "warn"
	cfg.AttachmentsDir = filepath.Join(t.TempDir(), "attachments") // never under the package directory
	if dialect == db.Postgres {
		cfg.DatabaseURL = dbtest.URL(t, dialect)
	} else {
		cfg.DataDir = filepath.Dir(dbtest.URL(t, dialect))
	}
	opts := app.Options{Workers: true, HTTP: true, Provision: true, LogOutput: io.Discard}
	if testing.Verbose() {
		opts.LogOutput = os.Stderr
	}
	for _, m := range modify {
		m(&cfg, &opts)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, opts)
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatalf("app.Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Logf("shutdown: %v", err)
		}
	})
	return a
}

// Get fetches url and returns the response with its body read.
func Get(t testing.TB, url string) (*http.Response, string) {
	t.Helper()
	return Do(t, http.MethodGet, url, "", nil)
}

// Do sends a request with an optional body and headers and returns the
// response with its body read.
func Do(t testing.TB, method, url, body string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}
