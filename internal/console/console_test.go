package console_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/console"
	"gongkai/internal/db"
	"gongkai/internal/identity"
	"gongkai/web"
)

// TestCatalogsAreComplete: both locales have the same keys, and every key a
// template asks for exists.
func TestCatalogsAreComplete(t *testing.T) {
	t.Parallel()
	m, err := console.LoadMessages()
	if err != nil {
		t.Fatal(err)
	}
	zh, en := m["zh-CN"], m["en"]
	for k := range zh {
		if _, ok := en[k]; !ok {
			t.Errorf("en lacks %s", k)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("zh-CN lacks %s", k)
		}
	}
	used := regexp.MustCompile(`\.T "([a-z_.]+)"`)
	entries, _ := web.Templates.ReadDir("templates")
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "console_") {
			continue
		}
		b, _ := web.Templates.ReadFile("templates/" + e.Name())
		for _, m := range used.FindAllStringSubmatch(string(b), -1) {
			if _, ok := zh[m[1]]; !ok {
				t.Errorf("%s uses missing key %s", e.Name(), m[1])
			}
		}
	}
	var raw map[string]string
	b, _ := web.I18n.ReadFile("i18n/zh-CN.json")
	if err := json.Unmarshal(b, &raw); err != nil || len(raw) < 100 {
		t.Fatalf("catalog: %d keys, %v", len(raw), err)
	}
}

// client is a cookie-keeping HTTP client that does not follow redirects.
func client() *http.Client {
	jar := newJar()
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestLoginThrottleCSRFAndBureauBoundaries(t *testing.T) {
	t.Parallel()
	a := apptest.Boot(t, db.SQLite)
	base := a.URL()
	ctx := authz.WithActor(context.Background(), authz.System)
	welfare, _ := a.Tenants.BySlug(ctx, "welfare-home")
	if _, err := a.Identity.AddMember(ctx, welfare.ID, identity.NewMember{Username: "bob", DisplayName: "Bob", Password: "Correct-Horse-9-Battery", Roles: []string{authz.BureauAdmin}}); err != nil {
		t.Fatal(err)
	}
	post := func(c *http.Client, path string, form url.Values) (*http.Response, string) {
		t.Helper()
		res, err := c.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	// Throttled after five failures, the same for an account that exists and one that does not.
	for _, user := range []string{"bob", "nobody"} {
		c := client()
		for i := 0; i < 5; i++ {
			res, body := post(c, "/console/login", url.Values{"username": {user}, "password": {"wrong-password-1A"}})
			if res.StatusCode != 401 || !strings.Contains(body, "用户名或密码错误") {
				t.Fatalf("%s attempt %d: %d", user, i, res.StatusCode)
			}
		}
		res, body := post(c, "/console/login", url.Values{"username": {user}, "password": {"Correct-Horse-9-Battery"}})
		if res.StatusCode != 429 || !strings.Contains(body, "登录失败次数过多") {
			t.Fatalf("%s sixth attempt: %d", user, res.StatusCode)
		}
	}
	// Sign in as the platform admin.
	c := client()
	res, _ := post(c, "/console/login", url.Values{"username": {"admin"}, "password": {apptest.AdminPassword}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin sign-in: %d", res.StatusCode)
	}
	// A state-changing form without the CSRF token is refused.
	res, body := post(c, "/console/members", url.Values{"username": {"eve"}, "display_name": {"E"}, "password": {"Correct-Horse-9-Battery"}, "roles": {"viewer"}})
	if res.StatusCode != 403 || !strings.Contains(body, "表单已过期") {
		t.Fatalf("no CSRF: %d", res.StatusCode)
	}
	// A bureau admin of the welfare home cannot switch to the civil affairs bureau.
	if _, err := a.Identity.AddMember(ctx, welfare.ID, identity.NewMember{Username: "carol", DisplayName: "Carol", Password: "Correct-Horse-9-Battery", Roles: []string{authz.BureauAdmin}}); err != nil {
		t.Fatal(err)
	}
	cc := client()
	if res, _ := post(cc, "/console/login", url.Values{"username": {"carol"}, "password": {"Correct-Horse-9-Battery"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("carol sign-in: %d", res.StatusCode)
	}
	res, body = get(t, cc, base+"/console/members")
	if res.StatusCode != 200 || !strings.Contains(body, "营口市养老院") || strings.Contains(body, "营口市民政局") {
		t.Fatalf("carol's members page: %d", res.StatusCode)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(body)
	if csrf == nil {
		t.Fatal("no CSRF token in the page")
	}
	res, _ = post(cc, "/console/switch", url.Values{"csrf": {csrf[1]}, "bureau": {"civil-affairs"}})
	if res.StatusCode != 404 {
		t.Fatalf("switching to another bureau: %d", res.StatusCode)
	}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil)
	return jar
}
