package app_test

import (
	"context"
	"strings"
	"testing"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/config"
	"gongkai/internal/db"
	"gongkai/internal/identity"
)

// TestSignInPolicyBindsEveryBureau: the platform's password and lockout
// settings apply to the members of every bureau.
func TestSignInPolicyBindsEveryBureau(t *testing.T) {
	t.Parallel()
	a := apptest.Boot(t, db.SQLite, func(c *config.Config, _ *app.Options) {
		c.Policy.MinLength = 20
		c.Policy.MaxFailures = 2
	})
	ctx := authz.WithActor(context.Background(), authz.System)
	for _, slug := range []string{"civil-affairs", "welfare-home"} {
		b, err := a.Tenants.BySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.Identity.AddMember(ctx, b.ID, identity.NewMember{Username: "short-" + slug, DisplayName: "S", Password: "Correct-Horse-9-Bat", Roles: []string{authz.Viewer}})
		if err == nil || !strings.Contains(err.Error(), "20") {
			t.Fatalf("%s: 19-character password accepted under a 20-character rule: %v", slug, err)
		}
	}
	b, _ := a.Tenants.BySlug(ctx, "welfare-home")
	const pw = "Correct-Horse-9-Battery-Staple"
	if _, err := a.Identity.AddMember(ctx, b.ID, identity.NewMember{Username: "wang", DisplayName: "W", Password: pw, Roles: []string{authz.Viewer}}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, err := a.Identity.Login(context.Background(), "wang", "wrong-password-0000", "127.0.0.1", "test"); err == nil {
			t.Fatal("a wrong password signed in")
		}
	}
	if _, _, err := a.Identity.Login(context.Background(), "wang", pw, "127.0.0.1", "test"); err == nil {
		t.Fatal("the account is not locked after 2 failures with login-max-failures 2")
	}
}
