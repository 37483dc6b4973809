package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/apptest"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
)

// TestMain lets the test binary stand in for the gongkai command: with
// GONGKAI_TEST_RUN_MAIN set to a JSON list of arguments it runs them and
// exits, so a test can start, kill and restart a real server process.
func TestMain(m *testing.M) {
	if raw := os.Getenv("GONGKAI_TEST_RUN_MAIN"); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := run(context.Background(), args, os.Stdout, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "gongkai: "+oneLine(err))
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// server is a gongkai serve process started by a test.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	base string
	env  []string
}

func startServer(t *testing.T, env []string) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &server{t: t, base: "http://" + addr, env: env}
	s.cmd = exec.Command(os.Args[0], "-test.run=^$")
	s.cmd.Env = append(append(os.Environ(), env...), `GONGKAI_TEST_RUN_MAIN=["serve"]`, "GONGKAI_ADDR="+addr)
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, os.Stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.cmd.Process.Kill(); _ = s.cmd.Wait() })
	deadline := time.Now().Add(90 * time.Second)
	for {
		res, err := http.Get(s.base + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server at %s not ready", s.base)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestKilledMidRequestLosesNothing kills the server with SIGKILL while
// clients register requests with idempotency keys, and restarts it: every
// acknowledged registration is there, once, with the same tracking code;
// every unanswered one can be retried with its key and then exists exactly
// once; no request lacks its receipt event.
func TestKilledMidRequestLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) { killMidRequest(t, dialect) })
	}
}

func killMidRequest(t *testing.T, dialect db.Dialect) {
	{
		u := dbtest.URL(t, dialect)
		env := []string{"GONGKAI_ADMIN_PASSWORD=" + apptest.AdminPassword, "GONGKAI_PII_KEY=dGVzdC1rZXktZm9yLWdvbmdrYWktdGVzdHMtMzJieXQ=", "GONGKAI_LOG_LEVEL=error"}
		opts := db.Options{URL: u}
		if dialect == db.Postgres {
			env = append(env, "GONGKAI_DATABASE_URL="+u, "DATABASE_URL="+u, "GONGKAI_DATA_DIR="+t.TempDir())
		} else {
			env = append(env, "GONGKAI_DATA_DIR="+filepath.Dir(u), "GONGKAI_DATABASE_URL=", "DATABASE_URL=")
			opts = db.Options{Path: u}
		}
		srv := startServer(t, env)

		// Sign in as the platform admin; the session works after a restart.
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := client.Get(srv.base + "/console/login")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		res, err = client.PostForm(srv.base+"/console/login", url.Values{"username": {"admin"}, "password": {apptest.AdminPassword}})
		if err != nil || res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: %v %v", res, err)
		}
		res.Body.Close()
		res, err = client.Get(srv.base + "/console/settings")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
		if m == nil {
			t.Fatalf("no CSRF token on the settings page:\n%s", page)
		}
		csrf := string(m[1])
		register := func(base, key string) (int, string, error) {
			body := `{"channel":"in_person","arrived_on":"2026-03-02","applicant":{"type":"natural_person","name":"张三","phone":"13800000000"},"content":"低保资金发放情况"}`
			req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/bureaus/civil-affairs/requests", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", csrf)
			req.Header.Set("Idempotency-Key", key)
			res, err := client.Do(req)
			if err != nil {
				return 0, "", err
			}
			defer res.Body.Close()
			var out struct {
				TrackingCode string `json:"tracking_code"`
			}
			b, _ := io.ReadAll(res.Body)
			_ = json.Unmarshal(b, &out)
			if out.TrackingCode == "" {
				return res.StatusCode, string(b), nil
			}
			return res.StatusCode, out.TrackingCode, nil
		}

		var (
			mu       sync.Mutex
			acked    = map[string]string{} // key -> tracking code
			inflight []string              // keys sent without an answer
			killed   atomic.Bool
			wg       sync.WaitGroup
		)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; !killed.Load(); i++ {
					key := fmt.Sprintf("kill-%d-%d", w, i)
					status, code, err := register(srv.base, key)
					mu.Lock()
					switch {
					case err == nil && (status == http.StatusCreated || status == http.StatusOK):
						acked[key] = code
					case err != nil || killed.Load():
						inflight = append(inflight, key)
					default:
						t.Errorf("register %s: %d %s", key, status, code)
					}
					mu.Unlock()
					if err != nil {
						return
					}
				}
			}()
		}
		for {
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n >= 40 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		killed.Store(true)
		_ = srv.cmd.Wait()
		wg.Wait()
		t.Logf("killed with %d registrations acknowledged and %d unanswered", len(acked), len(inflight))

		srv = startServer(t, env)
		for key, code := range acked {
			status, again, err := register(srv.base, key)
			if err != nil || (status != http.StatusOK && status != http.StatusCreated) || again != code {
				t.Fatalf("acknowledged %s (%s) after the restart: %d %q %v", key, code, status, again, err)
			}
		}
		for _, key := range inflight {
			if status, code, err := register(srv.base, key); err != nil || (status != http.StatusOK && status != http.StatusCreated) {
				t.Fatalf("retry of unanswered %s: %d %s %v", key, status, code, err)
			}
		}
		if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		_ = srv.cmd.Wait()

		d, err := db.Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		var stored, distinct, withoutReceipt int
		err = d.InTx(context.Background(), db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
			if err := tx.NewRaw("SELECT count(*), count(DISTINCT idempotency_key) FROM requests WHERE idempotency_key LIKE 'kill-%'").Scan(ctx, &stored, &distinct); err != nil {
				return err
			}
			return tx.NewRaw(`SELECT count(*) FROM requests AS r WHERE r.idempotency_key LIKE 'kill-%'
				AND NOT EXISTS (SELECT 1 FROM request_events AS e WHERE e.tenant_id = r.tenant_id AND e.request_id = r.id AND e.kind = 'received')`).Scan(ctx, &withoutReceipt)
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := len(acked) + len(inflight); stored != want || distinct != want || withoutReceipt != 0 {
			t.Fatalf("want %d requests once each: stored %d (%d distinct), %d without their receipt event", want, stored, distinct, withoutReceipt)
		}
	}
}
