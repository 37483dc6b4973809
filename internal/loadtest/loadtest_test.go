package loadtest

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/seed"
	"gongkai/internal/workday"
)

// TestLoadTest boots the application, seeds the demo city (its catalog
// included), and runs every scenario for a second with two clients: each must make requests without an error, and each read's SQL
// twin must run without an error too.
func TestLoadTest(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			a := apptest.Boot(t, dialect)
			ctx := context.Background()
			today := workday.FromTime(time.Now(), a.Config.Location)
			if _, err := seed.Demo(ctx, a, today, nil, false); err != nil {
				t.Fatal(err)
			}

			opts := Options{URL: a.URL(), Bureau: "civil-affairs", Clients: 2, Duration: time.Second, Year: today.Year,
				Query: "养老", Password: DefaultPassword, ServerPID: os.Getpid()}
			var progress bytes.Buffer
			rep, err := Run(ctx, a, opts, &progress)
			if err != nil {
				t.Fatalf("run: %v\n%s", err, progress.String())
			}
			var out bytes.Buffer
			if err := rep.Print(&out); err != nil {
				t.Fatal(err)
			}
			t.Log(out.String())
			if rep.Dataset.PublishedItems < 20 || rep.Dataset.SearchMatches < 1 || rep.Dataset.BureauRequests == 0 {
				t.Errorf("data set: %+v", rep.Dataset)
			}
			want := []string{"catalog-list", "catalog-search", "catalog-item", "console-worklist", "api-register", "report-tables", "oversight-dashboard"}
			if len(rep.Results) != len(want) {
				t.Fatalf("%d results, want %d", len(rep.Results), len(want))
			}
			for i, res := range rep.Results {
				if res.Name != want[i] {
					t.Errorf("result %d is %s, want %s", i, res.Name, want[i])
				}
				if res.Skipped != "" || res.HTTP.Requests == 0 || res.HTTP.Errors > 0 {
					t.Errorf("%s over HTTP: skipped %q, %d requests, %d errors (%s)", res.Name, res.Skipped, res.HTTP.Requests, res.HTTP.Errors, res.HTTP.FirstError)
				}
				if res.RSSKiB <= 0 {
					t.Errorf("%s: no RSS", res.Name)
				}
				if res.Name == "api-register" {
					if res.SQL != nil {
						t.Errorf("a write has a SQL twin")
					}
					continue
				}
				if res.SQL == nil || res.SQL.Requests == 0 || res.SQL.Errors > 0 {
					t.Errorf("%s SQL twin: %+v", res.Name, res.SQL)
				}
			}
			// Every registration was stored (unique idempotency keys).
			n := count(t, a, "SELECT count(*) FROM requests WHERE idempotency_key LIKE 'loadtest-%'")
			if n != rep.Results[4].HTTP.Requests {
				t.Errorf("%d registered requests stored, want %d", n, rep.Results[4].HTTP.Requests)
			}
			// Each twin's SQL is the service's, text for text.
			checkTwins(t, a, opts)
			// A second run reuses the accounts; the first run's token was revoked.
			opts.Duration, opts.Scenarios = 200*time.Millisecond, []string{"console-worklist"}
			rep, err = Run(ctx, a, opts, &progress)
			if err != nil || len(rep.Results) != 1 || rep.Results[0].HTTP.Errors > 0 {
				t.Fatalf("second run: %v %+v", err, rep)
			}
			if n := count(t, a, "SELECT count(*) FROM api_tokens WHERE name LIKE 'load test %' AND revoked_at IS NULL"); n != 0 {
				t.Errorf("%d load test tokens left active", n)
			}
		})
	}
}

// count runs a count over every bureau's rows.
func count(t *testing.T, a *app.App, query string) int {
	t.Helper()
	var n int
	err := a.DB.InTx(context.Background(), db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, query).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRSSOfThisProcess(t *testing.T) {
	kb, err := RSS(os.Getpid())
	if err != nil || kb <= 0 {
		t.Fatalf("RSS = %d, %v", kb, err)
	}
	if _, err := RSS(-1); err == nil || !strings.Contains(err.Error(), "-1") {
		t.Fatalf("RSS(-1) = %v", err)
	}
}
