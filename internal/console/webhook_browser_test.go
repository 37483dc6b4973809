package console_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/browsertest"
	"gongkai/internal/dbtest"
	"gongkai/internal/reminder"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// TestWebhooksAndRemindersInABrowser: in Chromium, the platform admin adds
// a webhook endpoint (a private address first, refused next to the URL),
// sees the secret once, sees the delivery of an event in the log and
// redelivers it, then sets who gets the bureau's reminders (an unknown name
// first, refused naming it).
func TestWebhooksAndRemindersInABrowser(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := hookSite(t, dialect, map[string]map[string][]string{"otto": {"civil-affairs": {authz.InfoOfficer}}, "vera": {"civil-affairs": {authz.Viewer}}})
			rc := newHookReceiver(t)
			b := &browser{t: t, ctx: browsertest.New(t), base: s.base}
			sys := authz.WithActor(context.Background(), authz.System)
			ta, err := s.app.Tenants.BySlug(sys, "civil-affairs")
			if err != nil {
				t.Fatal(err)
			}

			b.open("/console/login")
			b.step("sign in", chromedp.SendKeys(chromedp.CSS("#username"), "admin"), chromedp.SendKeys(chromedp.CSS("#password"), apptest.AdminPassword))
			b.submit("sign in", "#login-submit")
			b.want("home", b.path(), "/console/civil-affairs/")

			// The endpoint: a private address is refused next to the field.
			b.submit("open webhooks", `nav.areas a[href$="/webhooks"]`)
			b.want("webhooks heading", b.text("h1"), "Webhook 推送")
			b.wantIn("empty list", b.text("#webhooks"), "还没有推送地址")
			b.step("fill endpoint", chromedp.SendKeys(chromedp.CSS("#url"), "http://10.9.8.7/hook"), chromedp.SendKeys(chromedp.CSS("#description"), "办公系统"),
				chromedp.Click(chromedp.CSS(`input[name=events][value="request.registered"]`)))
			if status := b.submit("add endpoint", "#create-webhook"); status != 422 {
				t.Fatalf("private address: status %d", status)
			}
			b.wantIn("url error", b.text("#url-error"), "10.9.8.7 是内网地址")
			if !b.js(`document.getElementById("url").getAttribute("aria-invalid") === "true" && document.querySelector('input[value="request.registered"]').checked`) {
				t.Fatal("the field is not marked invalid, or the ticked event is lost")
			}
			b.step("receiver url", chromedp.SetValue(chromedp.CSS("#url"), rc.srv.URL+"/hook"))
			b.submit("add endpoint", "#create-webhook")
			secret := b.text("#webhook-secret")
			if !strings.HasPrefix(secret, "whsec_") {
				t.Fatalf("secret %q", secret)
			}
			b.wantIn("secret warning", b.text(".secret"), "只显示这一次")
			b.wantIn("flash", b.text("#flash"), rc.srv.URL+"/hook")
			eps, err := s.app.Webhooks.List(sys, ta.ID)
			if err != nil || len(eps) != 1 || eps[0].Events != request.EventRegistered || eps[0].Description != "办公系统" {
				t.Fatalf("endpoints %+v %v", eps, err)
			}
			page := fmt.Sprintf("/console/civil-affairs/webhooks/%d", eps[0].ID)
			b.want("endpoint page", b.path(), "/console/civil-affairs/webhooks")
			b.open(page)
			if b.js(`document.getElementById("webhook-secret") !== null`) || strings.Contains(b.text("body"), secret) {
				t.Fatal("the secret is shown again")
			}
			b.wantIn("no deliveries yet", b.text("#deliveries"), "还没有推送记录")

			// An event, then its delivery in the log; redelivered by hand.
			if _, _, err := s.app.Requests.Register(sys, ta.ID, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate("2026-03-02"),
				Applicant: request.Applicant{Type: "natural_person", Name: "张三", Phone: "13800000000"}, Content: "申请公开养老服务补贴发放情况"}); err != nil {
				t.Fatal(err)
			}
			d := waitDelivered(t, s.app, ta.ID, eps[0].ID)
			b.open(page)
			log := b.text("#deliveries")
			for _, want := range []string{"申请已登记", d.EventID, "已送达", "HTTP 200", "#1"} {
				b.wantIn("delivery log", log, want)
			}
			b.submit("redeliver", "#deliveries button.redeliver")
			b.wantIn("redelivery flash", b.text("#flash"), d.EventID)
			if n := rc.count(d.EventID, 2); n != 2 {
				t.Fatalf("the receiver got the event %d times", n)
			}
			for deadline := time.Now().Add(30 * time.Second); ; {
				ds, err := s.app.Webhooks.Deliveries(sys, ta.ID, eps[0].ID, 1)
				if err == nil && len(ds) == 1 && ds[0].Attempts == 2 && len(ds[0].Log) == 2 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the redelivery is not logged: %+v %v", ds, err)
				}
				time.Sleep(50 * time.Millisecond)
			}
			b.open(page)
			b.wantIn("second attempt in the log", b.text("#deliveries"), "#2")

			// Reminder recipients: an unknown name is refused, naming it.
			b.submit("open reminders", `nav.areas a[href$="/reminders"]`)
			b.want("reminders heading", b.text("h1"), "提醒设置")
			b.step("recipients", chromedp.Click(chromedp.CSS("#recipients-handler_and_officers")), chromedp.SendKeys(chromedp.CSS("#copy_to"), "vera, ghost"),
				chromedp.Click(chromedp.CSS("#escalate_overdue")))
			if status := b.submit("save reminders", "#save-reminders"); status != 422 {
				t.Fatalf("unknown name: status %d", status)
			}
			b.want("copy_to error", b.text("#copy_to-error"), "ghost：不是本单位的成员。")
			if !b.js(`document.getElementById("recipients-handler_and_officers").checked`) {
				t.Fatal("the chosen recipients are lost")
			}
			b.step("fix names", chromedp.SetValue(chromedp.CSS("#copy_to"), "vera"))
			b.submit("save reminders", "#save-reminders")
			b.want("saved", b.text("#flash"), "提醒设置已保存。")
			b.want("copy kept", browsertest.Value(t, b.ctx, "#copy_to"), "vera")
			st, err := s.app.Reminders.Settings(sys, ta.ID)
			if err != nil {
				t.Fatal(err)
			}
			if st.Recipients != reminder.RecipientsHandlerAndOfficers || !slices.Equal(st.CopyTo, []string{"vera"}) || st.EscalateOverdue || !st.Custom {
				t.Fatalf("stored settings %+v", st)
			}
		})
	}
}
