package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/config"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/notify"
	"gongkai/internal/request"
	"gongkai/internal/webhook"
	"gongkai/internal/workday"
)

// receiver is a webhook receiver on 127.0.0.1 that answers with the
// scripted status codes (then 200) and keeps what it received.
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	script []int
	always int // when set, answer this to everything after the script
	got    []received
}

type received struct {
	header http.Header
	body   []byte
	status int
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		status := http.StatusOK
		if len(rc.script) > 0 {
			status, rc.script = rc.script[0], rc.script[1:]
		} else if rc.always != 0 {
			status = rc.always
		}
		rc.got = append(rc.got, received{r.Header.Clone(), b, status})
		rc.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, http.StatusText(status))
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) set(script []int, always int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.script, rc.always = script, always
}

// wait returns the requests received once there are n of them with the
// event type (or 30 s pass).
func (rc *receiver) wait(eventType string, n int) []received {
	return rc.waitFor(eventType, n, 30*time.Second)
}

func (rc *receiver) waitFor(eventType string, n int, timeout time.Duration) []received {
	deadline := time.Now().Add(timeout)
	for {
		rc.mu.Lock()
		var out []received
		for _, g := range rc.got {
			if g.header.Get("X-Gongkai-Event") == eventType {
				out = append(out, g)
			}
		}
		rc.mu.Unlock()
		if len(out) >= n || time.Now().After(deadline) {
			return out
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// TestSignedEventsRetriesAndDisabling: a receiver on 127.0.0.1 (allowed by
// configuration) gets signed events of requests; failures are retried and
// logged; redelivery repeats the event; an endpoint that keeps failing is
// disabled and the bureau admin notified.
func TestSignedEventsRetriesAndDisabling(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			loc, _ := time.LoadLocation("Asia/Shanghai")
			clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, loc)}
			rc := newReceiver(t)
			a := apptest.Boot(t, dialect, func(cfg *config.Config, o *app.Options) {
				o.Now = clk.Now
				cfg.WebhookAllowNets = "127.0.0.1/32"
				cfg.WebhookRetryBase = 100 * time.Millisecond
				cfg.WebhookDisableAfter = 3
			})
			sys := authz.WithActor(context.Background(), authz.System)
			ta, err := a.Tenants.BySlug(sys, "civil-affairs")
			if err != nil {
				t.Fatal(err)
			}
			admin, err := a.Identity.AddMember(sys, ta.ID, identity.NewMember{Username: "wanda", DisplayName: "wanda", Password: "Correct-Horse-9-Battery", Roles: []string{authz.BureauAdmin}})
			if err != nil {
				t.Fatal(err)
			}
			ep, secret, err := a.Webhooks.Create(sys, ta.ID, webhook.NewEndpoint{URL: rc.srv.URL + "/hooks", Events: []string{request.EventRegistered, request.EventReplied, request.EventOverdue}})
			if err != nil {
				t.Fatal(err)
			}

			// Registered: 500, 500, then 200 — three attempts of one event.
			rc.set([]int{500, 500}, 0)
			r, _, err := a.Requests.Register(sys, ta.ID, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate("2026-03-02"),
				Applicant: request.Applicant{Type: "natural_person", Name: "张三", Phone: "13800000000"}, Content: "申请公开养老服务补贴发放情况"})
			if err != nil {
				t.Fatal(err)
			}
			got := rc.wait(request.EventRegistered, 3)
			if len(got) != 3 {
				t.Fatalf("receiver got %d attempts of request.registered, want 3", len(got))
			}
			var statuses []int
			for _, g := range got {
				statuses = append(statuses, g.status)
				if err := webhook.Verify(secret, g.header.Get(webhook.SignatureHeader), g.body, clk.Now(), 5*time.Minute); err != nil {
					t.Fatalf("signature: %v (%s)", err, g.header.Get(webhook.SignatureHeader))
				}
				if string(g.body) != string(got[0].body) || g.header.Get("X-Gongkai-Event-Id") != got[0].header.Get("X-Gongkai-Event-Id") {
					t.Fatal("retries do not repeat the same event")
				}
			}
			var p struct {
				ID     string    `json:"id"`
				Type   string    `json:"type"`
				Time   time.Time `json:"time"`
				Tenant string    `json:"tenant"`
				Object struct {
					ID           int64  `json:"id"`
					TrackingCode string `json:"tracking_code"`
					State        string `json:"state"`
					DueOn        string `json:"due_on"`
				} `json:"object"`
			}
			if err := json.Unmarshal(got[0].body, &p); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(p.ID, "evt_") || p.Type != request.EventRegistered || p.Tenant != "civil-affairs" || p.Object.TrackingCode != r.TrackingCode ||
				p.Object.State != "open" || p.Object.DueOn != r.DueOn.String() || !p.Time.Equal(clk.Now().Truncate(time.Second)) {
				t.Fatalf("payload %s", got[0].body)
			}
			if strings.Contains(string(got[0].body), "张三") || strings.Contains(string(got[0].body), "13800000000") {
				t.Fatalf("the payload carries the applicant's personal data: %s", got[0].body)
			}
			if !slices.Equal(statuses, []int{500, 500, 200}) {
				t.Fatalf("statuses %v", statuses)
			}
			// The delivery log shows every attempt with its response code
			// (once the last attempt is recorded, just after the answer).
			d := waitDelivery(t, a, sys, ta.ID, ep.ID, got[0].header.Get("X-Gongkai-Event-Id"), webhook.StateDelivered)
			if d.State != webhook.StateDelivered || d.Attempts != 3 || len(d.Log) != 3 || d.Log[0].StatusCode != 500 || d.Log[1].StatusCode != 500 || d.Log[2].StatusCode != 200 {
				t.Fatalf("delivery log: %+v", d)
			}

			// Manual redelivery: the same event again.
			if _, err := a.Webhooks.Redeliver(sys, ta.ID, ep.ID, d.ID); err != nil {
				t.Fatal(err)
			}
			again := rc.wait(request.EventRegistered, 4)
			if len(again) != 4 || string(again[3].body) != string(got[0].body) {
				t.Fatalf("redelivery: %d requests", len(again))
			}

			// Replied, and overdue once however often the reminders run.
			if _, err := a.Requests.Reply(sys, ta.ID, r.ID, request.Reply{On: workday.MustParseDate("2026-03-03"), Outcome: "granted", Text: "予以公开"}); err != nil {
				t.Fatal(err)
			}
			if got := rc.wait(request.EventReplied, 1); len(got) != 1 {
				t.Fatal("no request.replied event")
			}
			r2, _, err := a.Requests.Register(sys, ta.ID, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate("2026-03-02"),
				Applicant: request.Applicant{Type: "natural_person", Name: "李四", Phone: "13900000000"}, Content: "申请公开养老机构名录"})
			if err != nil {
				t.Fatal(err)
			}
			for _, day := range []int{1, 2} {
				clk.set(time.Date(r2.DueOn.Year, r2.DueOn.Month, r2.DueOn.Day+day, 9, 0, 0, 0, loc))
				for range 2 {
					if _, err := a.Reminders.Run(context.Background()); err != nil {
						t.Fatal(err)
					}
				}
			}
			rc.wait(request.EventOverdue, 1)
			over := rc.waitFor(request.EventOverdue, 2, 2*time.Second) // a second one would arrive by now
			if len(over) != 1 || !strings.Contains(string(over[0].body), r2.TrackingCode) {
				t.Fatalf("request.overdue events: %d", len(over))
			}

			// Failing for good: after 3 consecutive failures the endpoint is
			// disabled and wanda (bureau admin) is told.
			rc.set(nil, 503)
			if _, _, err := a.Requests.Register(sys, ta.ID, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate("2026-03-02"),
				Applicant: request.Applicant{Type: "natural_person", Name: "王五", Phone: "13700000000"}, Content: "申请公开救助站年度报告"}); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				eps, err := a.Webhooks.List(sys, ta.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !eps[0].Active {
					if !strings.Contains(eps[0].DisabledReason, "3 consecutive failed deliveries") || !strings.Contains(eps[0].DisabledReason, "HTTP 503") {
						t.Fatalf("disabled reason %q", eps[0].DisabledReason)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("endpoint still active after failures: %+v", eps[0])
				}
				time.Sleep(50 * time.Millisecond)
			}
			wandaCtx := authz.WithActor(context.Background(), authz.Actor{Subject: authz.UserSubject(admin.User.ID), UserID: admin.User.ID})
			inbox, err := a.Notify.List(wandaCtx, admin.User.ID, notify.ListFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(inbox.Items) == 0 || inbox.Items[0].Kind != notify.KindWebhookDisabled || !strings.Contains(inbox.Items[0].Body, "连续 3 次推送失败") {
				t.Fatalf("wanda's inbox: %+v", inbox.Items)
			}
			failed := deliveries(t, a, sys, ta.ID, ep.ID, 1)[0]
			if failed.State != webhook.StateFailed || failed.Attempts != 3 || failed.LastStatus != 503 {
				t.Fatalf("failed delivery: %+v", failed)
			}
			// Redelivery waits for the endpoint to be enabled again.
			if _, err := a.Webhooks.Redeliver(sys, ta.ID, ep.ID, failed.ID); err == nil || !strings.Contains(err.Error(), "disabled") {
				t.Fatalf("redeliver to a disabled endpoint: %v", err)
			}
			rc.set(nil, 0)
			on := true
			if _, err := a.Webhooks.Update(sys, ta.ID, ep.ID, webhook.Patch{Active: &on}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Webhooks.Redeliver(sys, ta.ID, ep.ID, failed.ID); err != nil {
				t.Fatal(err)
			}
			waitDelivery(t, a, sys, ta.ID, ep.ID, failed.EventID, webhook.StateDelivered)
		})
	}
}

// waitDelivery waits until the endpoint's newest delivery is in the state.
// waitDelivery waits until the endpoint's delivery of the event eventID is
// in state (other events may have deliveries of their own meanwhile).
func waitDelivery(t *testing.T, a *app.App, ctx context.Context, tenantID, endpointID int64, eventID, state string) webhook.Delivery {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var d webhook.Delivery
		for _, x := range deliveries(t, a, ctx, tenantID, endpointID, 1) {
			if x.EventID == eventID {
				d = x
				break
			}
		}
		if d.State == state {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery of event %s is %q, want %s", eventID, d.State, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func deliveries(t *testing.T, a *app.App, ctx context.Context, tenantID, endpointID int64, n int) []webhook.Delivery {
	t.Helper()
	ds, err := a.Webhooks.Deliveries(ctx, tenantID, endpointID, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) < n {
		t.Fatalf("%d deliveries, want at least %d", len(ds), n)
	}
	return ds
}

// TestPrivateTargetRefusedAtDelivery: an endpoint whose name resolves to a
// loopback address is refused when delivering (the check runs on the
// dialled address), and the log says why.
func TestPrivateTargetRefusedAtDelivery(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t)
	a := apptest.Boot(t, "sqlite", func(cfg *config.Config, o *app.Options) {
		cfg.WebhookRetryBase = 100 * time.Millisecond
		cfg.WebhookDisableAfter = 2
	})
	sys := authz.WithActor(context.Background(), authz.System)
	ta, err := a.Tenants.BySlug(sys, "civil-affairs")
	if err != nil {
		t.Fatal(err)
	}
	port := rc.srv.URL[strings.LastIndex(rc.srv.URL, ":")+1:]
	// A name that does not resolve now is accepted at creation ...
	ep, _, err := a.Webhooks.Create(sys, ta.ID, webhook.NewEndpoint{URL: "http://gongkai-test.invalid:" + port + "/", Events: []string{request.EventRegistered}})
	if err != nil {
		t.Fatal(err)
	}
	// ... and then pointed at localhost (as DNS rebinding would) through the
	// store, bypassing the creation check.
	if _, err := a.DB.SQL.Exec("UPDATE webhook_endpoints SET url = ? WHERE id = ?", "http://localhost:"+port+"/", ep.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Requests.Register(sys, ta.ID, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate("2026-03-02"),
		Applicant: request.Applicant{Type: "natural_person", Name: "张三", Phone: "13800000000"}, Content: "申请公开"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds := deliveries(t, a, sys, ta.ID, ep.ID, 1)
		if len(ds[0].Log) > 0 {
			if e := ds[0].Log[0].Error; ds[0].Log[0].StatusCode != 0 || !strings.Contains(e, "refused") || !strings.Contains(e, "loopback address") {
				t.Fatalf("attempt: %+v", ds[0].Log[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no attempt logged")
		}
		time.Sleep(50 * time.Millisecond)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.got) != 0 {
		t.Fatalf("the loopback receiver was reached %d times", len(rc.got))
	}
}
