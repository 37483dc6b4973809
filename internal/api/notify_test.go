package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"gongkai/internal/apptest"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/notify"
	"gongkai/internal/request"
	"gongkai/internal/webhook"
)

// setupNotify gives alice (A's admin) an inbox entry and A a webhook
// endpoint, for the isolation cases.
func setupNotify(t *testing.T, w *world, aliceCtx context.Context) {
	t.Helper()
	w.aNotification = notifyUser(t, w, w.a, "alice", "测试提醒")
	ep, _, err := w.app.Webhooks.Create(aliceCtx, w.a, webhook.NewEndpoint{URL: "https://203.0.113.10/hooks/gongkai", Events: []string{request.EventReplied}})
	if err != nil {
		t.Fatal(err)
	}
	w.aWebhook = ep.ID
}

// notifyUser puts a notification in the user's inbox and returns its id.
func notifyUser(t *testing.T, w *world, tenantID int64, username, title string) int64 {
	t.Helper()
	u, err := w.app.Identity.UserByUsername(w.systemCtx, username)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	err = w.app.DB.InTx(w.systemCtx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		ns, err := w.app.Notify.Notify(ctx, tx, notify.Message{TenantID: tenantID, UserID: u.ID, Kind: notify.KindDeadline, Title: title, Body: "正文", Link: "/console/x"})
		if err == nil {
			id = ns[0].ID
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// notifySnapshot is what must not change in A under attack: alice's entry's
// read state and preferences, A's webhook endpoints and reminder settings.
func notifySnapshot(t *testing.T, w *world) string {
	t.Helper()
	var b strings.Builder
	alice, err := w.app.Identity.UserByUsername(w.systemCtx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	inbox, err := w.app.Notify.List(w.systemCtx, alice.ID, notify.ListFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range inbox.Items {
		if n.ID == w.aNotification {
			fmt.Fprintf(&b, "notification %d read=%v\n", n.ID, n.ReadAt != nil)
		}
	}
	prefs, err := w.app.Notify.Preferences(w.systemCtx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "alice prefs %v\n", prefs)
	eps, err := w.app.Webhooks.List(w.systemCtx, w.a)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range eps {
		fmt.Fprintf(&b, "webhook %d %s %s active=%v\n", e.ID, e.URL, e.Events, e.Active)
	}
	st, err := w.app.Reminders.Settings(w.systemCtx, w.a)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "reminder settings %+v\n", st)
	return b.String()
}

func TestNotificationsAPI(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			id := notifyUser(t, w, w.b, "bob", "申请 GK-TEST 还有 3 个工作日到期")
			bob := withJSON(sessionPrincipal("bob", w.bCookie, w.bCSRF).header)
			var inbox struct {
				Items []struct {
					ID     int64  `json:"id"`
					Bureau string `json:"bureau"`
					Title  string `json:"title"`
				} `json:"items"`
				Unread int `json:"unread"`
			}
			res, body := apptest.Do(t, "GET", w.base+"/api/v1/me/notifications?unread=true", "", bob)
			if res.StatusCode != 200 {
				t.Fatalf("list = %d %s", res.StatusCode, body)
			}
			if err := json.Unmarshal([]byte(body), &inbox); err != nil {
				t.Fatal(err)
			}
			if inbox.Unread != 1 || len(inbox.Items) != 1 || inbox.Items[0].ID != id || inbox.Items[0].Bureau != "welfare-home" {
				t.Fatalf("bob's inbox = %s", body)
			}
			// Bob's token (his bureau) sees the same inbox.
			res, body = apptest.Do(t, "GET", w.base+"/api/v1/me/notifications", "", tokenPrincipal("bob token", w.bToken).header)
			if res.StatusCode != 200 || !strings.Contains(body, "GK-TEST") {
				t.Fatalf("list with token = %d %s", res.StatusCode, body)
			}
			// Alice's entry is not bob's to mark.
			if res, body := apptest.Do(t, "POST", fmt.Sprintf("%s/api/v1/me/notifications/%d/read", w.base, w.aNotification), "", bob); res.StatusCode != 404 {
				t.Fatalf("mark alice's = %d %s", res.StatusCode, body)
			}
			if res, body := apptest.Do(t, "POST", fmt.Sprintf("%s/api/v1/me/notifications/%d/read", w.base, id), "", bob); res.StatusCode != 204 {
				t.Fatalf("mark read = %d %s", res.StatusCode, body)
			}
			_, body = apptest.Do(t, "GET", w.base+"/api/v1/me/notifications?unread=true", "", bob)
			if !strings.Contains(body, `"unread":0`) || !strings.Contains(body, `"items":[]`) {
				t.Fatalf("after mark read: %s", body)
			}

			// Preferences: the default, a change, and a refusal naming the field.
			res, body = apptest.Do(t, "PUT", w.base+"/api/v1/me/notification-preferences", `{"preferences":[{"kind":"request.deadline","delivery":"digest"},{"kind":"*","delivery":"off"}]}`, bob)
			if res.StatusCode != 200 || !strings.Contains(body, `"kind":"request.deadline","label":"申请答复期限临近","delivery":"digest"`) || !strings.Contains(body, `"kind":"request.overdue","label":"申请逾期未答复","delivery":"off"`) {
				t.Fatalf("set preferences = %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "PUT", w.base+"/api/v1/me/notification-preferences", `{"preferences":[{"kind":"nonsense","delivery":"digest"}]}`, bob)
			if res.StatusCode != 422 || !strings.Contains(body, "preferences[0].kind") {
				t.Fatalf("unknown kind = %d %s", res.StatusCode, body)
			}

			// Reminder settings: defaults, then the bureau's own.
			url := w.base + "/api/v1/bureaus/welfare-home/reminder-settings"
			res, body = apptest.Do(t, "GET", url, "", bob)
			if res.StatusCode != 200 || !strings.Contains(body, `"due_days":[5,3,1]`) || !strings.Contains(body, `"custom":false`) {
				t.Fatalf("default settings = %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "PUT", url, `{"due_days":[1,10,5,5],"supplement_days":3,"consultation_days":5,"fee_days":2,"overdue_daily":false,"escalate_overdue":true}`, bob)
			if res.StatusCode != 200 || !strings.Contains(body, `"due_days":[10,5,1]`) || !strings.Contains(body, `"custom":true`) {
				t.Fatalf("set settings = %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "PUT", url, `{"due_days":[30],"supplement_days":3,"consultation_days":5,"fee_days":2,"overdue_daily":false,"escalate_overdue":true}`, bob)
			if res.StatusCode != 422 || !strings.Contains(body, "Art. 33") {
				t.Fatalf("bad settings = %d %s", res.StatusCode, body)
			}
		})
	}
}
