package app_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/config"
	"gongkai/internal/db"
	"gongkai/internal/identity"
)

// ownPostgres is a Postgres server that belongs to one test, so the test
// can stop and start it without disturbing the others.
type ownPostgres struct {
	t       *testing.T
	bin     string   // directory of pg_ctl and initdb
	as      []string // runuser prefix when running as root (Postgres refuses root)
	dir     string
	port    int
	stopped bool
}

// startOwnPostgres initialises and starts a throw-away Postgres server on a
// free port. Without the server binaries the test skips, unless
// GONGKAI_TEST_REQUIRE_POSTGRES=1 (CI).
func startOwnPostgres(t *testing.T) *ownPostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		if os.Getenv("GONGKAI_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("Postgres server binaries are required (GONGKAI_TEST_REQUIRE_POSTGRES=1) but /usr/lib/postgresql/*/bin/pg_ctl is missing")
		}
		t.Skip("no Postgres server binaries (/usr/lib/postgresql/*/bin/pg_ctl); GONGKAI_TEST_REQUIRE_POSTGRES=1 makes this a failure")
	}
	sort.Strings(bins)
	p := &ownPostgres{t: t, bin: filepath.Dir(bins[len(bins)-1])}
	dir, err := os.MkdirTemp("", "gongkai-pg-")
	if err != nil {
		t.Fatal(err)
	}
	p.dir = dir
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres user to run the server: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		p.as = []string{"runuser", "-u", "postgres", "--"}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	p.run("initdb", "-D", p.data(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale", "C", "--no-sync")
	p.start()
	t.Cleanup(func() {
		if !p.stopped {
			p.run("pg_ctl", "-D", p.data(), "-m", "immediate", "-w", "stop")
		}
	})
	return p
}

func (p *ownPostgres) data() string { return filepath.Join(p.dir, "data") }

func (p *ownPostgres) run(tool string, args ...string) {
	p.t.Helper()
	argv := append(append([]string{}, p.as...), append([]string{filepath.Join(p.bin, tool)}, args...)...)
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
}

// start starts the server and waits until it accepts connections.
func (p *ownPostgres) start() {
	p.t.Helper()
	p.run("pg_ctl", "-D", p.data(), "-l", filepath.Join(p.dir, "log"), "-w", "-t", "60", "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50", p.port, p.dir), "start")
	p.stopped = false
}

// stop shuts the server down the way a restart does: clients are
// disconnected and in-flight transactions roll back.
func (p *ownPostgres) stop() {
	p.t.Helper()
	p.run("pg_ctl", "-D", p.data(), "-m", "fast", "-w", "stop")
	p.stopped = true
}

func (p *ownPostgres) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

// TestPostgresRestartUnderLoad stops and starts the Postgres server while
// clients register requests through the API with idempotency keys, retrying
// what fails. While it is down, requests fail fast with 503 and Retry-After
// and /readyz is red; afterwards the service recovers by itself, and every
// registration exists exactly once, with its receipt event (nothing lost,
// nothing duplicated, nothing half-written).
func TestPostgresRestartUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts its own Postgres server")
	}
	pg := startOwnPostgres(t)
	a := apptest.Boot(t, db.Postgres, func(c *config.Config, _ *app.Options) { c.DatabaseURL = pg.url() })
	ctx := authz.WithActor(context.Background(), authz.System)
	bureau, err := a.Tenants.BySlug(ctx, "civil-affairs")
	if err != nil {
		t.Fatal(err)
	}
	const pw = "Correct-Horse-9-Battery"
	if _, err := a.Identity.AddMember(ctx, bureau.ID, identity.NewMember{Username: "loader", DisplayName: "Loader", Password: pw, Roles: []string{authz.BureauAdmin}}); err != nil {
		t.Fatal(err)
	}
	secret, _, err := a.Identity.Login(context.Background(), "loader", pw, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	_, u, err := a.Identity.Authenticate(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	userCtx := authz.WithActor(context.Background(), authz.Actor{Subject: u.Subject(), UserID: u.ID, Name: u.DisplayName, TenantID: bureau.ID})
	token, _, err := a.Identity.CreateToken(userCtx, bureau.ID, "load", authz.InfoOfficer, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := a.URL()
	client := &http.Client{Timeout: 10 * time.Second}
	register := func(key string) (int, time.Duration, string) {
		body := `{"channel":"in_person","arrived_on":"2026-03-02","applicant":{"type":"natural_person","name":"张三","phone":"13800000000"},"content":"低保资金发放情况"}`
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/bureaus/civil-affairs/requests", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", key)
		start := time.Now()
		res, err := client.Do(req)
		if err != nil {
			return 0, time.Since(start), err.Error()
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusCreated && res.StatusCode != http.StatusOK && res.StatusCode != http.StatusServiceUnavailable {
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, time.Since(start), string(b)
		}
		return res.StatusCode, time.Since(start), res.Header.Get("Retry-After")
	}

	var (
		stop                  atomic.Bool
		done                  sync.WaitGroup
		mu                    sync.Mutex
		keys                  []string // every key registered (acknowledged with 201 or 200)
		unavailable, slow503s atomic.Int64
		other                 sync.Map // unexpected answers
	)
	const workers = 4
	for w := range workers {
		done.Add(1)
		go func() {
			defer done.Done()
			for i := 0; !stop.Load(); i++ {
				key := fmt.Sprintf("load-%d-%d", w, i)
				for attempt := 0; ; attempt++ {
					status, took, info := register(key)
					if status == http.StatusCreated || status == http.StatusOK {
						mu.Lock()
						keys = append(keys, key)
						mu.Unlock()
						break
					}
					if status == http.StatusServiceUnavailable {
						unavailable.Add(1)
						if info == "" {
							other.Store("503 without Retry-After", key)
						}
						if took > 3*time.Second {
							slow503s.Add(1)
						}
					} else {
						other.Store(fmt.Sprintf("%d %s", status, info), key)
					}
					if attempt > 600 {
						other.Store("gave up", key)
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		}()
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(keys)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				stop.Store(true)
				other.Range(func(k, v any) bool {
					t.Logf("unexpected answer %v (key %v)", k, v)
					return true
				})
				t.Fatalf("timed out waiting for %s (%d acknowledged, %d answers 503)", what, count(), unavailable.Load())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	ready := func() int {
		res, err := client.Get(base + "/readyz")
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}

	waitFor("registrations before the restart", func() bool { return count() >= 20 })
	pg.stop()
	before := count()
	waitFor("/readyz to go red", func() bool { return ready() == http.StatusServiceUnavailable })
	waitFor("503 answers while the database is down", func() bool { return unavailable.Load() >= workers })
	time.Sleep(time.Second)
	if n := count(); n > before+workers {
		t.Errorf("%d registrations acknowledged while the database was down", n-before)
	}
	pg.start()
	waitFor("/readyz to recover", func() bool { return ready() == http.StatusOK })
	after := count()
	waitFor("registrations after the restart", func() bool { return count() >= after+20 })
	stop.Store(true)
	done.Wait()

	other.Range(func(k, v any) bool {
		t.Errorf("unexpected answer %v (key %v)", k, v)
		return true
	})
	if n := slow503s.Load(); n > 0 {
		t.Errorf("%d answers took over 3 s to say the database is down", n)
	}
	var stored, distinct, withoutReceipt int
	err = a.DB.InTx(context.Background(), db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewRaw("SELECT count(*), count(DISTINCT idempotency_key) FROM requests WHERE idempotency_key LIKE 'load-%'").Scan(ctx, &stored, &distinct); err != nil {
			return err
		}
		return tx.NewRaw(`SELECT count(*) FROM requests AS r WHERE r.idempotency_key LIKE 'load-%'
			AND NOT EXISTS (SELECT 1 FROM request_events AS e WHERE e.tenant_id = r.tenant_id AND e.request_id = r.id AND e.kind = 'received')`).Scan(ctx, &withoutReceipt)
	})
	if err != nil {
		t.Fatal(err)
	}
	acknowledged := count()
	t.Logf("%d registrations acknowledged, %d answers 503 while the database was down", acknowledged, unavailable.Load())
	if stored != acknowledged || distinct != acknowledged || withoutReceipt != 0 {
		t.Fatalf("acknowledged %d, stored %d (%d distinct), %d without their receipt event", acknowledged, stored, distinct, withoutReceipt)
	}
}
