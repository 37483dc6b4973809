package notify_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/config"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/identity"
	"gongkai/internal/notify"
	"gongkai/internal/notify/mailtest"
)

// logBuffer collects the app's logs.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type fixture struct {
	app    *app.App
	sys    context.Context
	tenant int64
	other  int64
}

func setup(t *testing.T, dialect db.Dialect, modify ...func(*config.Config, *app.Options)) *fixture {
	t.Helper()
	a := apptest.Boot(t, dialect, modify...)
	f := &fixture{app: a, sys: authz.WithActor(context.Background(), authz.System)}
	ta, err := a.Tenants.BySlug(f.sys, "civil-affairs")
	if err != nil {
		t.Fatal(err)
	}
	tb, err := a.Tenants.BySlug(f.sys, "welfare-home")
	if err != nil {
		t.Fatal(err)
	}
	f.tenant, f.other = ta.ID, tb.ID
	return f
}

func (f *fixture) member(t *testing.T, tenantID int64, name, email string) (int64, context.Context) {
	t.Helper()
	m, err := f.app.Identity.AddMember(f.sys, tenantID, identity.NewMember{Username: name, DisplayName: name, Email: email, Password: "Correct-Horse-9-Battery", Roles: []string{authz.InfoOfficer}})
	if err != nil {
		t.Fatal(err)
	}
	return m.User.ID, authz.WithActor(context.Background(), authz.Actor{Subject: authz.UserSubject(m.User.ID), UserID: m.User.ID, Name: name})
}

func (f *fixture) notify(t *testing.T, tenantID, userID int64, kind, title string) notify.Notification {
	t.Helper()
	var n notify.Notification
	err := f.app.DB.InTx(f.sys, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		ns, err := f.app.Notify.Notify(ctx, tx, notify.Message{TenantID: tenantID, UserID: userID, Kind: kind, Title: title, Body: "正文：请及时处理。", Link: "/console/civil-affairs/requests/1"})
		if err == nil {
			n = ns[0]
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func waitState(t *testing.T, f *fixture, ctx context.Context, userID, id int64, want string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		in, err := f.app.Notify.List(ctx, userID, notify.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range in.Items {
			if n.ID == id && n.EmailState == want {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("notification %d never reached e-mail state %s: %+v", id, want, in.Items)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// TestMailIsLoggedWithoutSMTP: with no SMTP server configured the mail is
// written to the log, whole, not dropped.
func TestMailIsLoggedWithoutSMTP(t *testing.T) {
	t.Parallel()
	logs := &logBuffer{}
	f := setup(t, db.SQLite, func(cfg *config.Config, o *app.Options) { cfg.LogLevel = "info"; o.LogOutput = logs })
	uid, ctx := f.member(t, f.tenant, "hank", "hank@example.org")
	n := f.notify(t, f.tenant, uid, notify.KindDeadline, "申请 GK-1 还有 3 个工作日到期")
	waitState(t, f, ctx, uid, n.ID, notify.EmailSent)
	out := logs.String()
	for _, want := range []string{"mail not sent: no SMTP server configured", "hank@example.org", "【政府信息公开】申请 GK-1 还有 3 个工作日到期", "/console/civil-affairs/requests/1"} {
		if !strings.Contains(out, want) {
			t.Fatalf("the log lacks %q:\n%s", want, out)
		}
	}
	// A person without an address: the inbox entry stays, the mail is
	// marked undeliverable and logged.
	nobody, nctx := f.member(t, f.tenant, "nora", "")
	n = f.notify(t, f.tenant, nobody, notify.KindOverdue, "申请 GK-2 已逾期")
	waitState(t, f, nctx, nobody, n.ID, notify.EmailNoAddress)
}

// TestInboxBelongsToItsOwner: nobody reads or marks another person's inbox;
// a token sees its creator's inbox within its bureau only; preferences
// decide the e-mail.
func TestInboxBelongsToItsOwner(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			smtp := mailtest.Start(t)
			f := setup(t, dialect, func(cfg *config.Config, o *app.Options) { cfg.SMTPAddr = smtp.Addr })
			hank, hctx := f.member(t, f.tenant, "hank", "hank@example.org")
			olive, octx := f.member(t, f.tenant, "olive", "olive@example.org")
			if _, err := f.app.Identity.AddMember(f.sys, f.other, identity.NewMember{Username: "hank", Roles: []string{authz.InfoOfficer}}); err != nil {
				t.Fatal(err)
			}
			a := f.notify(t, f.tenant, hank, notify.KindDeadline, "在民政局")
			b := f.notify(t, f.other, hank, notify.KindDeadline, "在福利院")
			if _, err := f.app.Notify.List(octx, hank, notify.ListFilter{}); !fault.Is(err, fault.Forbidden) {
				t.Fatalf("olive reading hank's inbox: %v", err)
			}
			if err := f.app.Notify.MarkRead(octx, olive, a.ID); !fault.Is(err, fault.NotFound) {
				t.Fatalf("olive marking hank's entry: %v", err)
			}
			in, err := f.app.Notify.List(hctx, hank, notify.ListFilter{UnreadOnly: true})
			if err != nil || in.Unread != 2 || len(in.Items) != 2 {
				t.Fatalf("hank's inbox across bureaus: %+v %v", in, err)
			}
			token := authz.WithActor(context.Background(), authz.Actor{Subject: "token:9", TokenID: 9, UserID: hank, TenantID: f.other, TokenRole: authz.InfoOfficer})
			in, err = f.app.Notify.List(token, hank, notify.ListFilter{})
			if err != nil || len(in.Items) != 1 || in.Items[0].ID != b.ID {
				t.Fatalf("a token of the welfare home sees: %+v %v", in.Items, err)
			}
			if err := f.app.Notify.MarkRead(token, hank, a.ID); !fault.Is(err, fault.NotFound) {
				t.Fatalf("a token marking an entry of another bureau: %v", err)
			}
			if err := f.app.Notify.MarkRead(hctx, hank, a.ID); err != nil {
				t.Fatal(err)
			}
			if n, err := f.app.Notify.UnreadCount(hctx, hank); err != nil || n != 1 {
				t.Fatalf("unread = %d %v", n, err)
			}
			if n, err := f.app.Notify.MarkAllRead(hctx, hank); err != nil || n != 1 {
				t.Fatalf("mark all = %d %v", n, err)
			}
			// Both were mailed at once (the default), one mail each.
			if got := smtp.WaitTo("hank@example.org", 2, 15*time.Second); len(got) != 2 || !strings.HasPrefix(got[0].Subject, "【政府信息公开】在") {
				t.Fatalf("hank's mail: %+v", got)
			}
			// Olive turns mail off for deadlines: the inbox entry is written,
			// no mail is sent.
			if _, err := f.app.Notify.SetPreferences(octx, olive, []notify.Preference{{Kind: notify.KindDeadline, Delivery: notify.DeliveryOff}}); err != nil {
				t.Fatal(err)
			}
			if n := f.notify(t, f.tenant, olive, notify.KindDeadline, "不发邮件"); n.EmailState != notify.EmailNone {
				t.Fatalf("e-mail state with mail off: %s", n.EmailState)
			}
			if n := f.notify(t, f.tenant, olive, notify.KindOverdue, "发邮件"); n.EmailState != notify.EmailQueued {
				t.Fatalf("e-mail state of another kind: %s", n.EmailState)
			}
			if got := smtp.WaitTo("olive@example.org", 1, 15*time.Second); len(got) != 1 || got[0].Subject != "【政府信息公开】发邮件" {
				t.Fatalf("olive's mail: %+v", got)
			}
		})
	}
}

func TestDailyAt(t *testing.T) {
	t.Parallel()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	s := notify.DailyAt(8, loc)
	for from, want := range map[string]string{
		"2026-03-02T07:59:00+08:00": "2026-03-02T08:00:00+08:00",
		"2026-03-02T08:00:00+08:00": "2026-03-03T08:00:00+08:00",
		"2026-03-02T23:30:00Z":      "2026-03-03T08:00:00+08:00",
	} {
		f, _ := time.Parse(time.RFC3339, from)
		w, _ := time.Parse(time.RFC3339, want)
		if got := s.Next(f); !got.Equal(w) {
			t.Errorf("Next(%s) = %s, want %s", from, got, want)
		}
	}
}
