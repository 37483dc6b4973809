package identity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/identity"
	"gongkai/internal/tenant"
)

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	p := identity.Policy{}
	for _, tc := range []struct{ user, pw, want string }{
		{"zhang", "short1A!", "at least 12"},
		{"zhang", "alllowercaseletters", "mix at least 3"},
		{"zhang", "Zhang-Secret-2026", "user name"},
		{"zhang", "Password@2026", "too common"},
		{"zhang", "Correct-Horse-9-Battery", ""},
	} {
		err := p.Check(tc.user, tc.pw)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("Check(%q) = %v, want %q", tc.pw, err, tc.want)
		}
	}
}

// clock is a settable clock for the tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T, d *db.DB, c *clock) (*identity.Service, *authz.Authorizer, int64) {
	t.Helper()
	ctx := context.Background()
	specs, err := tenant.LoadFiles("")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tenant.NewService(d, c.now).Apply(ctx, specs); err != nil {
		t.Fatal(err)
	}
	tn, err := tenant.NewService(d, c.now).BySlug(ctx, "civil-affairs")
	if err != nil {
		t.Fatal(err)
	}
	az, err := authz.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	return identity.NewService(d, az, c.now, identity.Policy{}), az, tn.ID
}

func TestLoginThrottleDoesNotRevealAccounts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := &clock{time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
		svc, _, tid := newService(t, d, c)
		sys := authz.WithActor(context.Background(), authz.System)
		if _, err := svc.AddMember(sys, tid, identity.NewMember{Username: "zhang", DisplayName: "张三", Password: "Correct-Horse-9-Battery", Roles: []string{authz.InfoOfficer}}); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, user := range []string{"zhang", "nobody"} {
			for i := 0; i < 5; i++ {
				_, _, err := svc.Login(ctx, user, "wrong-password-1A", "10.0.0."+user[:1], "ua")
				if err != identity.ErrBadCredentials {
					t.Fatalf("%s attempt %d: %v, want the one bad-credentials answer", user, i, err)
				}
			}
			_, _, err := svc.Login(ctx, user, "Correct-Horse-9-Battery", "10.0.0."+user[:1], "ua")
			if !fault.Is(err, fault.TooMany) {
				t.Fatalf("%s 6th attempt: %v, want throttled", user, err)
			}
		}
		// After the window, the right password works and opens a session in the bureau.
		c.t = c.t.Add(16 * time.Minute)
		cookie, sess, err := svc.Login(ctx, "zhang", "Correct-Horse-9-Battery", "10.0.0.z", "ua")
		if err != nil || sess.CurrentTenant() != tid {
			t.Fatalf("login after window: %v, tenant %v", err, sess)
		}
		if _, _, err := svc.Authenticate(ctx, cookie); err != nil {
			t.Fatal(err)
		}
		// Idle time-out ends the session.
		c.t = c.t.Add(31 * time.Minute)
		if _, _, err := svc.Authenticate(ctx, cookie); !fault.Is(err, fault.Unauthenticated) {
			t.Fatalf("idle session: %v", err)
		}
		// Changing the password ends the other sessions, not the one that changed it.
		other, _, _ := svc.Login(ctx, "zhang", "Correct-Horse-9-Battery", "10.0.0.z", "ua")
		mine, ms, _ := svc.Login(ctx, "zhang", "Correct-Horse-9-Battery", "10.0.0.z", "ua")
		if err := svc.ChangePassword(ctx, ms.UserID, "Correct-Horse-9-Battery", "Another-Horse-7-Battery", ms.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Authenticate(ctx, other); !fault.Is(err, fault.Unauthenticated) {
			t.Fatalf("other session after password change: %v", err)
		}
		if _, _, err := svc.Authenticate(ctx, mine); err != nil {
			t.Fatalf("own session after password change: %v", err)
		}
		if err := svc.ChangePassword(ctx, ms.UserID, "Another-Horse-7-Battery", "Correct-Horse-9-Battery", ""); err != nil {
			t.Fatal(err)
		}
		// Log out everywhere ends every session.
		c1, _, _ := svc.Login(ctx, "zhang", "Correct-Horse-9-Battery", "10.0.0.z", "ua")
		c2, s2, _ := svc.Login(ctx, "zhang", "Correct-Horse-9-Battery", "10.0.0.z", "ua")
		if err := svc.LogoutEverywhere(ctx, s2.UserID); err != nil {
			t.Fatal(err)
		}
		for _, ck := range []string{c1, c2} {
			if _, _, err := svc.Authenticate(ctx, ck); !fault.Is(err, fault.Unauthenticated) {
				t.Fatalf("session after logout everywhere: %v", err)
			}
		}
	})
}

func TestAuditTrailIsAppendOnly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := &clock{time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
		svc, _, tid := newService(t, d, c)
		sys := authz.WithActor(context.Background(), authz.System)
		if _, err := svc.AddMember(sys, tid, identity.NewMember{Username: "lisi", DisplayName: "李四", Password: "Correct-Horse-9-Battery", Roles: []string{authz.Viewer}}); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, q := range []string{"UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"} {
			err := d.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
				_, err := tx.ExecContext(ctx, q)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("%s: %v, want refused as append-only", q, err)
			}
		}
	})
}
