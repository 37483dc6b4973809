package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
)

// TestJobsUIForPlatformAdminsOnly: the River UI at /admin/jobs answers a
// platform admin's session on both databases, and nobody else.
func TestJobsUIForPlatformAdminsOnly(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect)
			ctx := context.Background()
			sys := authz.WithActor(ctx, authz.System)
			admin, _, err := a.Identity.Login(ctx, identity.AdminUsername, apptest.AdminPassword, "127.0.0.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			ta, err := a.Tenants.BySlug(sys, "civil-affairs")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Identity.AddMember(sys, ta.ID, identity.NewMember{Username: "bea", DisplayName: "bea", Password: "Correct-Horse-9-Battery", Roles: []string{authz.BureauAdmin}}); err != nil {
				t.Fatal(err)
			}
			bea, _, err := a.Identity.Login(ctx, "bea", "Correct-Horse-9-Battery", "127.0.0.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			as := func(cookie string, extra ...string) http.Header {
				h := http.Header{"Accept": {"application/json"}}
				if cookie != "" {
					h.Set("Cookie", "gk_session="+cookie)
				}
				for i := 0; i+1 < len(extra); i += 2 {
					h.Set(extra[i], extra[i+1])
				}
				return h
			}
			jobs := a.URL() + "/admin/jobs/api/jobs?state=completed&limit=5"
			if res, body := apptest.Do(t, "GET", jobs, "", as("")); res.StatusCode != 401 {
				t.Fatalf("anonymous: %d %s", res.StatusCode, body)
			}
			if res, body := apptest.Do(t, "GET", jobs, "", as(bea)); res.StatusCode != 403 {
				t.Fatalf("bureau admin: %d %s", res.StatusCode, body)
			}
			res, body := apptest.Do(t, "GET", jobs, "", as(admin))
			if res.StatusCode != 200 || !strings.Contains(body, `"data"`) {
				t.Fatalf("platform admin, jobs: %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "GET", a.URL()+"/admin/jobs/api/queues", "", as(admin))
			if res.StatusCode != 200 || !strings.Contains(body, `"default"`) {
				t.Fatalf("platform admin, queues: %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "GET", a.URL()+"/admin/jobs/", "", as(admin, "Accept", "text/html"))
			if res.StatusCode != 200 || !strings.Contains(body, "/admin/jobs/assets/") {
				t.Fatalf("platform admin, page: %d %.300s", res.StatusCode, body)
			}
			// A cross-site state change is refused even with the admin's cookie.
			res, body = apptest.Do(t, "POST", a.URL()+"/admin/jobs/api/jobs/retry", `{"job_ids":["1"]}`,
				as(admin, "Origin", "https://evil.example", "Content-Type", "application/json"))
			if res.StatusCode != 403 || !strings.Contains(body, "cross-site") {
				t.Fatalf("cross-site retry: %d %s", res.StatusCode, body)
			}
		})
	}
}
