package console_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/config"
	"gongkai/internal/console"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/reminder"
	"gongkai/internal/request"
	"gongkai/internal/webhook"
	"gongkai/internal/workday"
)

// hookReceiver is a webhook receiver on 127.0.0.1 answering 200 and
// counting what it received by event id.
type hookReceiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []string // X-Gongkai-Event-Id of each request, in order
}

func newHookReceiver(t *testing.T) *hookReceiver {
	t.Helper()
	rc := &hookReceiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, r.Header.Get("X-Gongkai-Event-Id"))
		rc.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// count returns how often the event id arrived, once that is at least n
// (or 30 s pass).
func (rc *hookReceiver) count(eventID string, n int) int {
	deadline := time.Now().Add(30 * time.Second)
	for {
		rc.mu.Lock()
		c := 0
		for _, id := range rc.got {
			if id == eventID {
				c++
			}
		}
		rc.mu.Unlock()
		if c >= n || time.Now().After(deadline) {
			return c
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// hookSite boots the application with webhooks to 127.0.0.1 allowed (the
// test receiver) and adds people to bureaus like setup.
func hookSite(t *testing.T, dialect db.Dialect, people map[string]map[string][]string) *site {
	t.Helper()
	a := apptest.Boot(t, dialect, func(cfg *config.Config, _ *app.Options) {
		cfg.WebhookAllowNets = "127.0.0.1/32"
		cfg.WebhookRetryBase = 100 * time.Millisecond
	})
	ctx := authz.WithActor(context.Background(), authz.System)
	for username, bureaus := range people {
		for slug, roles := range bureaus {
			b, err := a.Tenants.BySlug(ctx, slug)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Identity.AddMember(ctx, b.ID, identity.NewMember{Username: username, DisplayName: username, Password: goodPassword, Roles: roles}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &site{t: t, app: a, base: a.URL()}
}

// waitDelivered returns the endpoint's newest delivery once it is delivered.
func waitDelivered(t *testing.T, a *app.App, tenantID, endpointID int64) webhook.Delivery {
	t.Helper()
	sys := authz.WithActor(context.Background(), authz.System)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ds, err := a.Webhooks.Deliveries(sys, tenantID, endpointID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) > 0 && ds[0].State == webhook.StateDelivered {
			return ds[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no delivered delivery: %+v", ds)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var secretP = regexp.MustCompile(`id="webhook-secret">(whsec_[0-9a-f]+)<`)

// TestWebhookPages: a bureau admin adds an endpoint in the console (a
// private address first, refused next to the URL field), sees the secret
// once, sees a delivery in the log, redelivers it, edits and pauses the
// endpoint, and deletes it after a confirmation; a viewer cannot open the
// page.
func TestWebhookPages(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := hookSite(t, dialect, map[string]map[string][]string{"wendy": {"civil-affairs": {authz.BureauAdmin}}, "vera": {"civil-affairs": {authz.Viewer}}})
			rc := newHookReceiver(t)
			sys := authz.WithActor(context.Background(), authz.System)
			ta, err := s.app.Tenants.BySlug(sys, "civil-affairs")
			if err != nil {
				t.Fatal(err)
			}
			c := s.signIn("wendy", goodPassword)
			base := "/console/civil-affairs/webhooks"
			res, body := s.get(c, base)
			if res.StatusCode != 200 || !strings.Contains(body, `href="/console/civil-affairs/webhooks" aria-current="page"`) {
				t.Fatalf("webhooks page: %d", res.StatusCode)
			}
			csrf := csrfOf(t, body)

			// A private address is refused, the message next to the URL field.
			res, body = s.post(c, base, url.Values{"csrf": {csrf}, "url": {"http://10.1.2.3/hook"}, "events": {request.EventRegistered}})
			if res.StatusCode != 422 {
				t.Fatalf("private address: %d %s", res.StatusCode, formError(body))
			}
			if msg := fieldErrors(body)["url"]; !strings.Contains(msg, "10.1.2.3") || !strings.Contains(msg, "内网地址") {
				t.Fatalf("url error %q", msg)
			}
			if !strings.Contains(body, `value="http://10.1.2.3/hook"`) || !strings.Contains(body, `value="request.registered" checked`) {
				t.Fatal("the typed form is not kept")
			}
			// The notice of a disabled endpoint links to the old address.
			if res, _ := s.get(c, "/console/civil-affairs/settings/webhooks"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base {
				t.Fatalf("old address: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			// No event: refused next to the events.
			res, body = s.post(c, base, url.Values{"csrf": {csrf}, "url": {rc.srv.URL + "/hook"}})
			if res.StatusCode != 422 || fieldErrors(body)["events"] != "请至少订阅一个事件。" {
				t.Fatalf("no events: %d %v", res.StatusCode, fieldErrors(body))
			}

			// Created: the secret is shown this once.
			res, body = s.post(c, base, url.Values{"csrf": {csrf}, "url": {rc.srv.URL + "/hook"}, "description": {"OA"},
				"events": {request.EventRegistered, request.EventReplied}})
			secret := firstMatch(secretP, body)
			if res.StatusCode != 200 || secret == "" {
				t.Fatalf("create: %d %s %v", res.StatusCode, formError(body), fieldErrors(body))
			}
			eps, err := s.app.Webhooks.List(sys, ta.ID)
			if err != nil || len(eps) != 1 || eps[0].Events != "request.registered,request.replied" || !eps[0].Active {
				t.Fatalf("endpoints %+v %v", eps, err)
			}
			ep := eps[0]
			page := fmt.Sprintf("%s/%d", base, ep.ID)
			if _, body = s.get(c, page); strings.Contains(body, secret) || strings.Contains(body, "webhook-secret") {
				t.Fatal("the secret is shown again")
			}

			// An event: the log shows the delivery with its response code.
			if _, _, err := s.app.Requests.Register(sys, ta.ID, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate("2026-03-02"),
				Applicant: request.Applicant{Type: "natural_person", Name: "张三", Phone: "13800000000"}, Content: "申请公开养老服务补贴发放情况"}); err != nil {
				t.Fatal(err)
			}
			d := waitDelivered(t, s.app, ta.ID, ep.ID)
			if n := rc.count(d.EventID, 1); n != 1 {
				t.Fatalf("receiver got the event %d times", n)
			}
			_, body = s.get(c, page)
			for _, want := range []string{"申请已登记", d.EventID, "HTTP 200", "已送达", "#1"} {
				if !strings.Contains(body, want) {
					t.Fatalf("delivery log lacks %q", want)
				}
			}
			_, list := s.get(c, base)
			if !strings.Contains(list, "已送达 · HTTP 200") || !strings.Contains(list, "启用中") {
				t.Fatal("the list does not show the last delivery and the state")
			}

			// Redeliver: the same event again, a second attempt in the log.
			res, _ = s.post(c, fmt.Sprintf("%s/deliveries/%d/redeliver", page, d.ID), url.Values{"csrf": {csrf}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("redeliver: %d", res.StatusCode)
			}
			if n := rc.count(d.EventID, 2); n != 2 {
				t.Fatalf("after redelivery the receiver got the event %d times", n)
			}
			_, body = s.get(c, page)
			if !strings.Contains(body, d.EventID) || firstMatch(flashP, body) != "已安排重新投递事件 "+d.EventID+"。" {
				t.Fatalf("after redelivery: %q", firstMatch(flashP, body))
			}

			// Edit: a private URL is refused; then a new URL, one event, paused.
			res, body = s.post(c, page+"/edit", url.Values{"csrf": {csrf}, "url": {"http://169.254.169.254/latest"}, "events": {request.EventReplied}, "active": {"1"}})
			if res.StatusCode != 422 || !strings.Contains(fieldErrors(body)["url"], "链路本地地址") {
				t.Fatalf("edit to link-local: %d %v", res.StatusCode, fieldErrors(body))
			}
			res, _ = s.post(c, page+"/edit", url.Values{"csrf": {csrf}, "url": {rc.srv.URL + "/v2"}, "description": {"OA v2"}, "events": {request.EventReplied}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("edit: %d", res.StatusCode)
			}
			eps, _ = s.app.Webhooks.List(sys, ta.ID)
			if eps[0].URL != rc.srv.URL+"/v2" || eps[0].Events != request.EventReplied || eps[0].Active || eps[0].Description != "OA v2" {
				t.Fatalf("after edit %+v", eps[0])
			}
			_, body = s.get(c, page)
			if !strings.Contains(body, `id="endpoint-status">已停用`) {
				t.Fatal("the page does not say the endpoint is disabled")
			}
			// Redelivering to a paused endpoint says why not.
			res, body = s.post(c, fmt.Sprintf("%s/deliveries/%d/redeliver", page, d.ID), url.Values{"csrf": {csrf}})
			if res.StatusCode != http.StatusConflict || !strings.Contains(formError(body), "已停用") {
				t.Fatalf("redeliver while paused: %d %q", res.StatusCode, formError(body))
			}
			// Enabled again.
			res, _ = s.post(c, page+"/edit", url.Values{"csrf": {csrf}, "url": {rc.srv.URL + "/v2"}, "events": {request.EventReplied}, "active": {"1"}})
			if eps, _ = s.app.Webhooks.List(sys, ta.ID); res.StatusCode != http.StatusSeeOther || !eps[0].Active {
				t.Fatalf("enable: %d %+v", res.StatusCode, eps[0])
			}

			// The viewer has no webhooks page and no navigation entry.
			v := s.signIn("vera", goodPassword)
			if res, _ := s.get(v, base); res.StatusCode != http.StatusForbidden {
				t.Fatalf("viewer: %d", res.StatusCode)
			}
			if _, home := s.get(v, "/console/civil-affairs/"); strings.Contains(home, `/webhooks"`) || strings.Contains(home, `/reminders"`) {
				t.Fatal("the viewer's navigation offers webhooks or reminders")
			}
			if res, _ := s.post(v, page+"/delete", url.Values{"csrf": {csrfOf(t, list)}}); res.StatusCode == http.StatusSeeOther {
				t.Fatal("the viewer deleted the endpoint")
			}

			// Delete, after a confirmation page.
			res, body = s.get(c, page+"/delete")
			if res.StatusCode != 200 || !strings.Contains(body, rc.srv.URL+"/v2") || !strings.Contains(body, `id="confirm"`) {
				t.Fatalf("confirmation: %d", res.StatusCode)
			}
			res, _ = s.post(c, page+"/delete", url.Values{"csrf": {csrf}})
			if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base {
				t.Fatalf("delete: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			if eps, _ = s.app.Webhooks.List(sys, ta.ID); len(eps) != 0 {
				t.Fatalf("after delete %+v", eps)
			}
			if res, _ := s.get(c, page); res.StatusCode != http.StatusNotFound {
				t.Fatalf("deleted endpoint page: %d", res.StatusCode)
			}
			// The bureau's audit trail has each change.
			as, err := s.app.Audit.List(sys, audit.Filter{TenantID: ta.ID, Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range as {
				actions = append(actions, e.Action)
			}
			for _, want := range []string{"webhook.created", "webhook.updated", "webhook.redelivered", "webhook.deleted"} {
				if !slices.Contains(actions, want) {
					t.Fatalf("audit lacks %s: %v", want, actions)
				}
			}
		})
	}
}

// TestReminderSettingsPage: the bureau admin sets thresholds and
// recipients; an unknown user name is refused next to the field, naming
// it; the settings are stored.
func TestReminderSettingsPage(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := setup(t, dialect, map[string]map[string][]string{"wendy": {"civil-affairs": {authz.BureauAdmin}}, "otto": {"civil-affairs": {authz.InfoOfficer}},
				"vera": {"civil-affairs": {authz.Viewer}}, "bob": {"welfare-home": {authz.BureauAdmin}}})
			sys := authz.WithActor(context.Background(), authz.System)
			ta, _ := s.app.Tenants.BySlug(sys, "civil-affairs")
			c := s.signIn("wendy", goodPassword)
			page := "/console/civil-affairs/reminders"
			res, body := s.get(c, page)
			if res.StatusCode != 200 || !strings.Contains(body, `value="5, 3, 1"`) || !strings.Contains(body, `value="handler_else_officers" checked`) {
				t.Fatalf("reminders page: %d", res.StatusCode)
			}
			csrf := csrfOf(t, body)
			form := url.Values{"csrf": {csrf}, "due_days": {"10, 5，1"}, "supplement_days": {"2"}, "consultation_days": {"3"}, "fee_days": {"4"},
				"escalate_overdue": {"1"}, "recipients": {reminder.RecipientsHandlerAndOfficers}, "copy_to": {"vera, nobody, bob"}}
			res, body = s.post(c, page, form)
			if res.StatusCode != 422 {
				t.Fatalf("unknown names: %d", res.StatusCode)
			}
			if msg := fieldErrors(body)["copy_to"]; msg != "nobody, bob：不是本单位的成员。" {
				t.Fatalf("copy_to error %q", msg)
			}
			if !strings.Contains(body, `value="vera, nobody, bob"`) || !strings.Contains(body, `value="handler_and_officers" checked`) {
				t.Fatal("the typed form is not kept")
			}
			form.Set("fee_days", "x")
			if res, body = s.post(c, page, form); res.StatusCode != 422 || fieldErrors(body)["fee_days"] != "请填写一个整数。" {
				t.Fatalf("not a number: %d %v", res.StatusCode, fieldErrors(body))
			}
			form.Set("fee_days", "4")
			form.Set("copy_to", "vera")
			if res, body = s.post(c, page, form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("save: %d %v %s", res.StatusCode, fieldErrors(body), formError(body))
			}
			st, err := s.app.Reminders.Settings(sys, ta.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(st.DueDays, []int{10, 5, 1}) || st.FeeDays != 4 || st.OverdueDaily || !st.EscalateOverdue ||
				st.Recipients != reminder.RecipientsHandlerAndOfficers || !slices.Equal(st.CopyTo, []string{"vera"}) {
				t.Fatalf("stored %+v", st)
			}
			_, body = s.get(c, page)
			if firstMatch(flashP, body) != "提醒设置已保存。" || !strings.Contains(body, `id="copy_to" name="copy_to" value="vera"`) {
				t.Fatalf("after save: %q", firstMatch(flashP, body))
			}
			// A viewer may not open the page.
			if res, _ := s.get(s.signIn("vera", goodPassword), page); res.StatusCode != http.StatusForbidden {
				t.Fatalf("viewer: %d", res.StatusCode)
			}
		})
	}
}

// TestWebhookMessageKeys: every catalog entry the webhook and reminder
// pages build at run time (service messages, event, state and address
// labels) exists in both languages.
func TestWebhookMessageKeys(t *testing.T) {
	t.Parallel()
	m, err := console.LoadMessages()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("webhook.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"nav.webhooks", "nav.reminders"}
	for _, sm := range regexp.MustCompile(`"((?:webhook|reminders)\.svc\.[a-z_]+)"`).FindAllStringSubmatch(string(src), -1) {
		keys = append(keys, sm[1])
	}
	for _, e := range webhook.EventTypes {
		keys = append(keys, "webhook.event."+e)
	}
	for _, s := range []string{webhook.StatePending, webhook.StateRetrying, webhook.StateDelivered, webhook.StateFailed, webhook.StateCancelled} {
		keys = append(keys, "webhook.state."+s)
	}
	for _, r := range []string{"loopback", "private", "link-local", "multicast", "unspecified", "reserved", "invalid"} {
		keys = append(keys, "webhook.reason."+r)
	}
	for _, mode := range reminder.RecipientModes {
		keys = append(keys, "reminders.mode."+mode)
	}
	if len(keys) < 30 {
		t.Fatalf("only %d keys found", len(keys))
	}
	for _, k := range keys {
		for _, l := range console.Locales {
			if !m.Has(l, k) {
				t.Errorf("%s lacks %s", l, k)
			}
		}
	}
}
