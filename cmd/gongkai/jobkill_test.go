package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
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
	"gongkai/internal/webhook"
)

// jobKillRescueAfter is the job rescue time of the test's processes: the
// shortest the setting accepts (longer than the one-minute job timeout),
// against a default of 15 minutes that would outlast the test.
const jobKillRescueAfter = "61s"

// TestKilledMidJobRunsItAgainOnce kills gongkai serve with SIGKILL while
// three webhook deliveries are in flight (the receiver holds their requests
// open, so each job is provably inside its work), and restarts it with a
// short job rescue time. Before the restart the database holds everything
// committed — the requests, their events, the endpoint, the pending
// deliveries and their running jobs — and nothing of the interrupted
// attempts. After it River rescues each job and runs it again: the receiver
// gets each event again, with the same event ID and delivery, and answers
// it once; the service records each event as one delivered delivery with one
// attempt; every job completes on its second attempt, marked as rescued.
// Without the rescue setting the jobs would stay running for 15 minutes and
// the test fails; a duplicated effect (a second delivery row, attempt or
// successful receipt) fails it too.
func TestKilledMidJobRunsItAgainOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel() // each waits about a minute for the rescue
			killMidJob(t, dialect)
		})
	}
}

// hookReceiver is a webhook receiver that, while hold is set, keeps each
// request open until the sender goes away (or the test ends), and otherwise
// answers 200.
type hookReceiver struct {
	secret  atomic.Value // string
	hold    atomic.Bool
	release chan struct{}

	mu       sync.Mutex
	received []receipt
	bad      []string
}

type receipt struct {
	eventID, delivery string
	answered          bool // answered 200 (not held)
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var p webhook.Payload
	err := json.Unmarshal(body, &p)
	if err == nil {
		secret, _ := h.secret.Load().(string)
		err = webhook.Verify(secret, r.Header.Get(webhook.SignatureHeader), body, time.Now(), 10*time.Minute)
	}
	if err == nil && p.ID != r.Header.Get("X-Gongkai-Event-Id") {
		err = fmt.Errorf("event id %q in the body, %q in the header", p.ID, r.Header.Get("X-Gongkai-Event-Id"))
	}
	held := h.hold.Load()
	h.mu.Lock()
	if err != nil {
		h.bad = append(h.bad, err.Error())
	}
	h.received = append(h.received, receipt{eventID: p.ID, delivery: r.Header.Get("X-Gongkai-Delivery"), answered: !held && err == nil})
	h.mu.Unlock()
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if held {
		select {
		case <-r.Context().Done(): // the sender was killed
		case <-h.release:
		}
		return
	}
	_, _ = io.WriteString(w, "ok")
}

// snapshot returns, per event ID, how many requests arrived, how many were
// answered 200, and the delivery ids they named.
func (h *hookReceiver) snapshot() (got, answered map[string]int, deliveries map[string]map[string]bool, bad []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	got, answered, deliveries = map[string]int{}, map[string]int{}, map[string]map[string]bool{}
	for _, r := range h.received {
		got[r.eventID]++
		if r.answered {
			answered[r.eventID]++
		}
		if deliveries[r.eventID] == nil {
			deliveries[r.eventID] = map[string]bool{}
		}
		deliveries[r.eventID][r.delivery] = true
	}
	return got, answered, deliveries, append([]string(nil), h.bad...)
}

// waitFor polls cond every 200 ms until it holds or the deadline passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s still waiting for %s: %s", within, what, state)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func killMidJob(t *testing.T, dialect db.Dialect) {
	const n = 3 // deliveries in flight at the kill
	u := dbtest.URL(t, dialect)
	env := []string{"GONGKAI_ADMIN_PASSWORD=" + apptest.AdminPassword, "GONGKAI_PII_KEY=dGVzdC1rZXktZm9yLWdvbmdrYWktdGVzdHMtMzJieXQ=", "GONGKAI_LOG_LEVEL=error",
		"GONGKAI_WEBHOOK_ALLOW_NETS=127.0.0.1", "GONGKAI_WEBHOOK_RETRY_BASE=1s", "GONGKAI_JOB_RESCUE_AFTER=" + jobKillRescueAfter}
	opts := db.Options{URL: u}
	if dialect == db.Postgres {
		env = append(env, "GONGKAI_DATABASE_URL="+u, "DATABASE_URL="+u, "GONGKAI_DATA_DIR="+t.TempDir())
	} else {
		env = append(env, "GONGKAI_DATA_DIR="+filepath.Dir(u), "GONGKAI_DATABASE_URL=", "DATABASE_URL=")
		opts = db.Options{Path: u}
	}

	recv := &hookReceiver{release: make(chan struct{})}
	recv.hold.Store(true)
	hooks := httptest.NewServer(recv)
	t.Cleanup(hooks.Close)
	t.Cleanup(func() { close(recv.release) }) // runs first: frees held handlers so Close returns

	srv := startServer(t, env)
	client, csrf := signInAdmin(t, srv.base)
	call := func(method, path, body string, headers ...string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", csrf)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}

	// A webhook endpoint for registrations, then n registrations: each
	// commits its request, its event and a delivery job together.
	status, b := call(http.MethodPost, "/api/v1/bureaus/civil-affairs/webhooks", fmt.Sprintf(`{"url":%q,"events":["request.registered"]}`, hooks.URL+"/hook"))
	var created struct {
		Webhook struct {
			ID int64 `json:"id"`
		} `json:"webhook"`
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(b, &created); status != http.StatusCreated || err != nil || created.Secret == "" {
		t.Fatalf("create webhook: %d %s %v", status, b, err)
	}
	recv.secret.Store(created.Secret)
	codes := map[string]string{} // idempotency key -> tracking code
	for i := range n {
		key := fmt.Sprintf("jobkill-%d", i)
		status, b := call(http.MethodPost, "/api/v1/bureaus/civil-affairs/requests",
			`{"channel":"in_person","arrived_on":"2026-03-02","applicant":{"type":"natural_person","name":"李四","phone":"13800000001"},"content":"养老机构补贴发放情况"}`,
			"Idempotency-Key", key)
		var out struct {
			TrackingCode string `json:"tracking_code"`
		}
		if err := json.Unmarshal(b, &out); status != http.StatusCreated || err != nil || out.TrackingCode == "" {
			t.Fatalf("register %s: %d %s %v", key, status, b, err)
		}
		codes[key] = out.TrackingCode
	}

	// Every delivery is in flight: the receiver holds n requests open, one per
	// event. Kill the process now, well within the 15 s the sender waits.
	var events []string
	waitFor(t, 60*time.Second, fmt.Sprintf("%d deliveries held by the receiver", n), func() (bool, string) {
		got, _, _, bad := recv.snapshot()
		if len(bad) > 0 {
			t.Fatalf("receiver refused a delivery: %v", bad)
		}
		events = events[:0]
		for id := range got {
			events = append(events, id)
		}
		return len(got) == n, fmt.Sprintf("%v", got)
	})
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = srv.cmd.Wait()
	recv.hold.Store(false)

	// What the restarted process finds: everything committed before the kill,
	// nothing of the interrupted attempts.
	d, err := db.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	type jobRow struct {
		State    string
		Attempt  int
		Rescued  bool
		Delivery int64
	}
	inTx := func(fn func(ctx context.Context, tx bun.Tx) error) {
		t.Helper()
		if err := d.InTx(context.Background(), db.AllTenants, fn); err != nil {
			t.Fatal(err)
		}
	}
	read := func() (deliveries map[string]webhook.Delivery, attempts []webhook.Attempt, jobs []jobRow, requests int) {
		t.Helper()
		deliveries = map[string]webhook.Delivery{}
		inTx(func(ctx context.Context, tx bun.Tx) error {
			var ds []webhook.Delivery
			if err := tx.NewSelect().Model(&ds).Where("endpoint_id = ?", created.Webhook.ID).Order("id").Scan(ctx); err != nil {
				return err
			}
			for _, x := range ds {
				if _, dup := deliveries[x.EventID]; dup {
					t.Errorf("event %s has more than one delivery row", x.EventID)
				}
				deliveries[x.EventID] = x
			}
			if len(ds) != len(deliveries) {
				t.Errorf("%d delivery rows for %d events", len(ds), len(deliveries))
			}
			if err := tx.NewSelect().Model(&attempts).Order("id").Scan(ctx); err != nil {
				return err
			}
			asText := "CAST(%s AS TEXT)"
			if dialect == db.SQLite {
				asText = "json(%s)" // River's SQLite driver stores JSONB
			}
			rows, err := tx.QueryContext(ctx, fmt.Sprintf(`SELECT state, attempt, %s LIKE '%%Stuck job rescued%%', %s FROM river_job WHERE kind = 'webhook_deliver' ORDER BY id`,
				fmt.Sprintf(asText, "errors"), fmt.Sprintf(asText, "args")))
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var j jobRow
				var rescued *bool
				var args []byte
				if err := rows.Scan(&j.State, &j.Attempt, &rescued, &args); err != nil {
					return err
				}
				j.Rescued = rescued != nil && *rescued
				var a webhook.DeliverArgs
				if err := json.Unmarshal(args, &a); err != nil {
					return err
				}
				j.Delivery = a.DeliveryID
				jobs = append(jobs, j)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			return tx.NewRaw(`SELECT count(*) FROM requests AS r WHERE r.idempotency_key LIKE 'jobkill-%'
				AND EXISTS (SELECT 1 FROM request_events AS e WHERE e.tenant_id = r.tenant_id AND e.request_id = r.id AND e.kind = 'received')`).Scan(ctx, &requests)
		})
		return deliveries, attempts, jobs, requests
	}
	deliveries, attempts, jobRows, requests := read()
	if requests != n || len(deliveries) != n || len(attempts) != 0 || len(jobRows) != n {
		t.Fatalf("after the kill: %d requests with their receipt, %d deliveries, %d recorded attempts (want 0), %d jobs; want %d each",
			requests, len(deliveries), len(attempts), len(jobRows), n)
	}
	for _, id := range events {
		if x, ok := deliveries[id]; !ok || x.State != webhook.StatePending || x.Attempts != 0 {
			t.Fatalf("after the kill, the delivery of event %s should be pending with no attempt: %+v", id, x)
		}
	}
	for _, j := range jobRows {
		if j.State != "running" || j.Attempt != 1 {
			t.Fatalf("after the kill every delivery job should be running its first attempt: %+v", jobRows)
		}
	}

	// Restart. River takes the jobs left running for interrupted once they
	// have run for the rescue time, and runs them again.
	started := time.Now()
	srv = startServer(t, env)
	waitFor(t, 5*time.Minute, "every event delivered and its job completed after the restart", func() (bool, string) {
		deliveries, _, jobRows, _ := read()
		done := 0
		for _, j := range jobRows {
			if j.State == "completed" {
				done++
			}
		}
		delivered := 0
		for _, x := range deliveries {
			if x.State == webhook.StateDelivered {
				delivered++
			}
		}
		return done == n && delivered == n, fmt.Sprintf("%d of %d delivered, jobs %+v", delivered, n, jobRows)
	})
	t.Logf("%s: delivered again %s after the restart", dialect, time.Since(started).Round(time.Second))
	// A graceful stop: whatever the process still does ends before counting.
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = srv.cmd.Wait()

	// Each event reached the receiver twice (the interrupted attempt and the
	// rescued one) as the same delivery, and was accepted once.
	got, answered, named, bad := recv.snapshot()
	if len(bad) > 0 {
		t.Fatalf("receiver refused a delivery: %v", bad)
	}
	if len(got) != n {
		t.Fatalf("receiver saw %d events, want %d: %v", len(got), n, got)
	}
	for _, id := range events {
		if got[id] != 2 || answered[id] != 1 || len(named[id]) != 1 {
			t.Errorf("event %s: received %d times (want 2), accepted %d times (want 1), as deliveries %v (want one)", id, got[id], answered[id], named[id])
		}
	}

	// The service's record: one delivered delivery per event with one
	// attempt (the interrupted one left none), each job completed on its
	// second attempt after a rescue; the requests are all there.
	deliveries, attempts, jobRows, requests = read()
	if requests != n || len(deliveries) != n || len(attempts) != n || len(jobRows) != n {
		t.Fatalf("after the restart: %d requests, %d deliveries, %d attempts, %d jobs; want %d each", requests, len(deliveries), len(attempts), len(jobRows), n)
	}
	byID := map[int64]webhook.Delivery{}
	for _, id := range events {
		x := deliveries[id]
		if x.State != webhook.StateDelivered || x.Attempts != 1 || x.LastStatus != http.StatusOK || x.DeliveredAt == nil || !named[id][fmt.Sprint(x.ID)] {
			t.Errorf("delivery of event %s: %+v", id, x)
		}
		byID[x.ID] = x
	}
	for _, a := range attempts {
		if _, ok := byID[a.DeliveryID]; !ok || a.Attempt != 1 || a.StatusCode != http.StatusOK {
			t.Errorf("attempt %+v", a)
		}
	}
	for _, j := range jobRows {
		if _, ok := byID[j.Delivery]; !ok || j.State != "completed" || j.Attempt != 2 || !j.Rescued {
			t.Errorf("job %+v: want completed on its second attempt after a rescue", j)
		}
	}
	var tracked int
	inTx(func(ctx context.Context, tx bun.Tx) error {
		for key, code := range codes {
			var c int
			if err := tx.NewRaw("SELECT count(*) FROM requests WHERE idempotency_key = ? AND tracking_code = ?", key, code).Scan(ctx, &c); err != nil {
				return err
			}
			tracked += c
		}
		return nil
	})
	if tracked != n {
		t.Errorf("%d of the %d acknowledged requests kept their tracking code", tracked, n)
	}
}

// signInAdmin signs in to the console as the platform admin and returns the
// session's client and CSRF token.
func signInAdmin(t *testing.T, base string) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(base + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res, err = client.PostForm(base+"/console/login", url.Values{"username": {"admin"}, "password": {apptest.AdminPassword}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %v %v", res, err)
	}
	res.Body.Close()
	res, err = client.Get(base + "/console/settings")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the settings page:\n%s", page)
	}
	return client, string(m[1])
}
