package console_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/notify"
)

// TestBellAndInbox: a notification lights the bell, shows in the inbox,
// and marking it read turns the bell off; mail preferences are kept.
func TestBellAndInbox(t *testing.T) {
	t.Parallel()
	s := setup(t, db.SQLite, map[string]map[string][]string{"lihua": {"civil-affairs": {"info_officer"}}})
	ctx := authz.WithActor(context.Background(), authz.System)
	tn, _ := s.app.Tenants.BySlug(ctx, "civil-affairs")
	u, err := s.app.Identity.UserByUsername(ctx, "lihua")
	if err != nil {
		t.Fatal(err)
	}
	err = s.app.DB.InTx(ctx, db.Tenant(tn.ID), func(ctx context.Context, tx bun.Tx) error {
		_, err := s.app.Notify.Notify(ctx, tx, notify.Message{TenantID: tn.ID, UserID: u.ID, Kind: notify.KindDeadline,
			Title: "申请 GK-AAAAA-BBBBB 将于3个工作日后到期", Link: "/console/civil-affairs/requests/1", ObjectType: "request", ObjectID: "1"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	c := s.signIn("lihua", goodPassword)
	_, body := s.get(c, "/console/notifications")
	if !strings.Contains(body, `<span class="badge">1</span>`) || !strings.Contains(body, "将于3个工作日后到期") {
		t.Fatalf("bell and inbox:\n%s", body)
	}
	res, _ := s.post(c, "/console/notifications/read-all", url.Values{"csrf": {csrfOf(t, body)}})
	if res.StatusCode != 303 {
		t.Fatalf("read all: %d", res.StatusCode)
	}
	if _, body = s.get(c, "/console/notifications"); strings.Contains(body, `class="badge"`) {
		t.Fatal("bell still lit after reading")
	}
	_, body = s.get(c, "/console/notifications/settings")
	res, _ = s.post(c, "/console/notifications/settings", url.Values{"csrf": {csrfOf(t, body)}, notify.KindDeadline: {"digest"}})
	if res.StatusCode != 303 {
		t.Fatalf("save preferences: %d", res.StatusCode)
	}
	if _, body = s.get(c, "/console/notifications/settings"); !strings.Contains(body, `<option value="digest" selected>`) {
		t.Fatal("preference not kept")
	}
}
