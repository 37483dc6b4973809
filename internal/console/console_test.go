package console_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
)

// goodPassword passes the password rules.
const goodPassword = "Correct-Horse-9-Battery"

// site is an application booted for a test, with helpers to talk to its
// console over plain HTTP.
type site struct {
	t    *testing.T
	app  *app.App
	base string
}

// setup boots the application on dialect and adds people to bureaus:
// username -> bureau slug -> roles.
func setup(t *testing.T, dialect db.Dialect, people map[string]map[string][]string) *site {
	t.Helper()
	a := apptest.Boot(t, dialect)
	ctx := authz.WithActor(context.Background(), authz.System)
	for username, bureaus := range people {
		for slug, roles := range bureaus {
			b, err := a.Tenants.BySlug(ctx, slug)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Identity.AddMember(ctx, b.ID, identity.NewMember{Username: username, DisplayName: strings.ToUpper(username[:1]) + username[1:],
				Password: goodPassword, Roles: roles}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &site{t: t, app: a, base: a.URL()}
}

// client is a cookie-keeping HTTP client that does not follow redirects.
func client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (s *site) do(c *http.Client, req *http.Request) (*http.Response, string) {
	s.t.Helper()
	res, err := c.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (s *site) get(c *http.Client, path string) (*http.Response, string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.base+path, nil)
	return s.do(c, req)
}

func (s *site) post(c *http.Client, path string, form url.Values, header ...string) (*http.Response, string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.do(c, req)
}

// signIn returns a client signed in as username.
func (s *site) signIn(username, password string) *http.Client {
	s.t.Helper()
	c := client()
	res, body := s.post(c, "/console/login", url.Values{"username": {username}, "password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("sign in as %s: %d %s", username, res.StatusCode, formError(body))
	}
	return c
}

var (
	csrfField   = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	formErrorP  = regexp.MustCompile(`id="form-error">([^<]*)<`)
	errorMsgP   = regexp.MustCompile(`id="error-message">([^<]*)<`)
	flashP      = regexp.MustCompile(`id="flash">([^<]*)<`)
	fieldErrorP = regexp.MustCompile(`id="([a-z_-]+)-error">([^<]*)<`)
)

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no CSRF token in the page")
	}
	return m[1]
}

func firstMatch(re *regexp.Regexp, body string) string {
	if m := re.FindStringSubmatch(body); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

func formError(body string) string { return firstMatch(formErrorP, body) }

func fieldErrors(body string) map[string]string {
	out := map[string]string{}
	for _, m := range fieldErrorP.FindAllStringSubmatch(body, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// TestSignInThrottledAlikeForEveryAccount: five wrong passwords, then the
// sixth attempt is refused with the throttle message, and an account that
// exists cannot be told from one that does not.
func TestSignInThrottledAlikeForEveryAccount(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := setup(t, dialect, map[string]map[string][]string{"bob": {"welfare-home": {authz.BureauAdmin}}})
			answers := map[string][]string{}
			for _, user := range []string{"bob", "nobody"} {
				c := client()
				for i := 1; i <= 5; i++ {
					res, body := s.post(c, "/console/login", url.Values{"username": {user}, "password": {"wrong-password-1A"}})
					if res.StatusCode != http.StatusUnauthorized || formError(body) != "用户名或密码错误。" {
						t.Fatalf("%s attempt %d: %d %q", user, i, res.StatusCode, formError(body))
					}
					if !strings.Contains(body, `value="`+user+`"`) {
						t.Errorf("%s attempt %d: the user name typed is not kept", user, i)
					}
					answers[user] = append(answers[user], formError(body))
				}
				res, body := s.post(c, "/console/login", url.Values{"username": {user}, "password": {"wrong-password-1A"}})
				if res.StatusCode != http.StatusTooManyRequests || formError(body) != "登录失败次数过多，请15分钟后再试。" {
					t.Fatalf("%s sixth attempt: %d %q", user, res.StatusCode, formError(body))
				}
				answers[user] = append(answers[user], formError(body))
				// Throttled even with the right password.
				res, body = s.post(c, "/console/login", url.Values{"username": {user}, "password": {goodPassword}})
				if res.StatusCode != http.StatusTooManyRequests {
					t.Fatalf("%s right password while throttled: %d %q", user, res.StatusCode, formError(body))
				}
				if res.Header.Get("Set-Cookie") != "" && strings.Contains(res.Header.Get("Set-Cookie"), "gk_session") {
					t.Fatalf("%s: a session cookie while throttled", user)
				}
			}
			if strings.Join(answers["bob"], "|") != strings.Join(answers["nobody"], "|") {
				t.Fatalf("answers differ: %q vs %q", answers["bob"], answers["nobody"])
			}
			// In English, the same in English.
			c := client()
			c.Jar.SetCookies(mustURL(t, s.base+"/console/"), []*http.Cookie{{Name: "gk_lang", Value: "en", Path: "/console/"}})
			_, body := s.post(c, "/console/login", url.Values{"username": {"nobody"}, "password": {"x"}})
			if formError(body) != "Too many failed sign-ins; try again in 15 minutes." {
				t.Fatalf("English throttle message %q", formError(body))
			}
		})
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestSessionCookieAndCSRF: the session cookie is HttpOnly, SameSite=Lax and
// for the whole site; every state-changing form needs the session's CSRF
// token; a sign-in form from another site is refused.
func TestSessionCookieAndCSRF(t *testing.T) {
	t.Parallel()
	s := setup(t, db.SQLite, nil)
	c := client()
	res, _ := s.post(c, "/console/login", url.Values{"username": {"admin"}, "password": {apptest.AdminPassword}, "next": {"/console/civil-affairs/audit"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/civil-affairs/audit" {
		t.Fatalf("sign-in: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	cookie := res.Header.Get("Set-Cookie")
	for _, want := range []string{"gk_session=", "Path=/;", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("Secure cookie on plain HTTP: %q", cookie)
	}
	// /console/ opens the home of the current bureau.
	res, _ = s.get(c, "/console/")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/civil-affairs/" {
		t.Fatalf("/console/: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, page := s.get(c, "/console/civil-affairs/members")
	token := csrfOf(t, page)
	member := url.Values{"username": {"eve"}, "display_name": {"Eve"}, "password": {goodPassword}, "roles": {"viewer"}}
	for name, csrf := range map[string]string{"without a token": "", "with another token": token + "x"} {
		form := url.Values{}
		for k, v := range member {
			form[k] = v
		}
		if csrf != "" {
			form.Set("csrf", csrf)
		}
		res, body := s.post(c, "/console/civil-affairs/members", form)
		if res.StatusCode != http.StatusForbidden || firstMatch(errorMsgP, body) != "表单已过期或并非来自本站，请刷新页面后重试。" {
			t.Fatalf("POST %s: %d %q", name, res.StatusCode, firstMatch(errorMsgP, body))
		}
	}
	if res, _ := s.post(c, "/console/logout", nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without a token: %d", res.StatusCode)
	}
	if res, _ := s.get(c, "/console/civil-affairs/"); res.StatusCode != http.StatusOK {
		t.Fatalf("still signed in after the refused sign-out: %d", res.StatusCode)
	}
	// Nothing was written.
	_, body := s.get(c, "/console/civil-affairs/members?q=eve")
	if strings.Contains(body, `id="member-eve"`) {
		t.Fatal("the refused form added a member")
	}
	// With the token, it works.
	member.Set("csrf", token)
	if res, body := s.post(c, "/console/civil-affairs/members", member); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST with the token: %d %q %v", res.StatusCode, formError(body), fieldErrors(body))
	}
	// A sign-in form posted from another site.
	res, _ = s.post(client(), "/console/login", url.Values{"username": {"admin"}, "password": {apptest.AdminPassword}}, "Origin", "https://evil.example")
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d", res.StatusCode)
	}
	// Sign out with the token.
	if res, _ := s.post(c, "/console/logout", url.Values{"csrf": {token}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if res, _ := s.get(c, "/console/civil-affairs/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/console/login") {
		t.Fatalf("after sign-out: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
}

// TestBureauBoundaries: a bureau admin of the welfare home sees her own
// bureau's members and nobody else's; another bureau answers 404, an area
// her role lacks 403.
func TestBureauBoundaries(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := setup(t, dialect, map[string]map[string][]string{
				"carol": {"welfare-home": {authz.BureauAdmin}},
				"dave":  {"welfare-home": {authz.InfoOfficer}},
				"frank": {"civil-affairs": {authz.BureauAdmin}},
			})
			carol := s.signIn("carol", goodPassword)
			res, body := s.get(carol, "/console/welfare-home/members")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="member-carol"`) || !strings.Contains(body, `id="member-dave"`) {
				t.Fatalf("carol's members page: %d", res.StatusCode)
			}
			if strings.Contains(body, "frank") || strings.Contains(body, `value="civil-affairs"`) {
				t.Fatal("carol sees the civil affairs bureau")
			}
			for _, path := range []string{"/console/civil-affairs/members", "/console/civil-affairs/", "/console/civil-affairs/audit",
				"/console/civil-affairs/audit.csv", "/console/civil-affairs/members/frank/remove", "/console/no-such-bureau/members", "/console/welfare-home/nowhere"} {
				res, body := s.get(carol, path)
				if res.StatusCode != http.StatusNotFound || strings.Contains(body, "frank") {
					t.Errorf("carol GET %s: %d", path, res.StatusCode)
				}
			}
			token := csrfOf(t, body)
			res, _ = s.post(carol, "/console/civil-affairs/members", url.Values{"csrf": {token}, "username": {"mallory"}, "display_name": {"M"},
				"password": {goodPassword}, "roles": {"bureau_admin"}})
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("carol adds a member to another bureau: %d", res.StatusCode)
			}
			if res, _ := s.post(carol, "/console/switch", url.Values{"csrf": {token}, "bureau": {"civil-affairs"}}); res.StatusCode != http.StatusNotFound {
				t.Errorf("carol switches to another bureau: %d", res.StatusCode)
			}
			if res, _ := s.get(carol, "/console/welfare-home/oversight"); res.StatusCode != http.StatusForbidden {
				t.Errorf("carol opens the oversight area: %d", res.StatusCode)
			}
			// An information officer has no members page and no link to it.
			dave := s.signIn("dave", goodPassword)
			res, body = s.get(dave, "/console/welfare-home/")
			if res.StatusCode != http.StatusOK || strings.Contains(body, `href="/console/welfare-home/members"`) || !strings.Contains(body, "信息员") {
				t.Errorf("dave's home: %d", res.StatusCode)
			}
			if res, _ := s.get(dave, "/console/welfare-home/members"); res.StatusCode != http.StatusForbidden {
				t.Errorf("dave's members page: %d", res.StatusCode)
			}
			// The platform admin sees every bureau in the switcher.
			admin := s.signIn("admin", apptest.AdminPassword)
			_, body = s.get(admin, "/console/welfare-home/")
			for _, slug := range []string{"civil-affairs", "welfare-home", "funeral-home", "oversight"} {
				if !strings.Contains(body, `<option value="`+slug+`"`) {
					t.Errorf("the admin's switcher lacks %s", slug)
				}
			}
		})
	}
}

// TestMembersAuditAndFlash: adding a member shows a one-shot message; the
// form keeps what was typed and shows errors next to the fields; the audit
// log filters and exports CSV.
func TestMembersAuditAndFlash(t *testing.T) {
	t.Parallel()
	s := setup(t, db.SQLite, nil)
	c := s.signIn("admin", apptest.AdminPassword)
	_, page := s.get(c, "/console/civil-affairs/members")
	token := csrfOf(t, page)

	res, body := s.post(c, "/console/civil-affairs/members", url.Values{"csrf": {token}, "username": {"Bad Name"}, "display_name": {"王芳"},
		"email": {"not-an-address"}, "password": {"short"}, "roles": {"reviewer"}})
	errs := fieldErrors(body)
	if res.StatusCode != http.StatusUnprocessableEntity || errs["m-username"] == "" || errs["m-email"] != "电子邮箱格式不正确。" {
		t.Fatalf("bad member: %d %v", res.StatusCode, errs)
	}
	if !strings.Contains(body, `value="王芳"`) || !strings.Contains(body, `value="reviewer" checked`) {
		t.Fatal("the typed values are lost")
	}
	res, body = s.post(c, "/console/civil-affairs/members", url.Values{"csrf": {token}, "username": {"wangfang"}, "display_name": {"王芳"},
		"password": {"short"}, "roles": {"reviewer"}})
	if errs := fieldErrors(body); res.StatusCode != http.StatusUnprocessableEntity || errs["m-password"] != "密码至少需要12个字符（当前5个）。" {
		t.Fatalf("short password: %d %v", res.StatusCode, errs)
	}
	res, _ = s.post(c, "/console/civil-affairs/members", url.Values{"csrf": {token}, "username": {"wangfang"}, "display_name": {"王芳"},
		"password": {goodPassword}, "roles": {"reviewer"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/console/civil-affairs/members" {
		t.Fatalf("add member: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = s.get(c, "/console/civil-affairs/members")
	if got := firstMatch(flashP, body); got != "已将 wangfang 添加为本单位成员。" {
		t.Fatalf("flash %q", got)
	}
	if !strings.Contains(body, `id="member-wangfang"`) {
		t.Fatal("the new member is not listed")
	}
	if _, body = s.get(c, "/console/civil-affairs/members"); firstMatch(flashP, body) != "" {
		t.Fatal("the flash message shows twice")
	}
	// Filter and sort on the server.
	_, body = s.get(c, "/console/civil-affairs/members?q=nobody-like-this")
	if strings.Contains(body, `id="member-wangfang"`) || !strings.Contains(body, "没有符合筛选条件的成员。") {
		t.Fatal("the filter does not filter")
	}
	_, body = s.get(c, "/console/civil-affairs/members?role=reviewer&sort=-name")
	if !strings.Contains(body, `id="member-wangfang"`) || !strings.Contains(body, `aria-sort="descending"`) {
		t.Fatal("role filter or sort")
	}

	// The audit log shows it and exports it.
	_, body = s.get(c, "/console/civil-affairs/audit?action=member.added")
	if !strings.Contains(body, "wangfang") || !strings.Contains(body, "添加成员") {
		t.Fatal("the audit log lacks member.added")
	}
	res, body = s.get(c, "/console/civil-affairs/audit?from=2026-13-01")
	if errs := fieldErrors(body); res.StatusCode != http.StatusUnprocessableEntity || errs["a-from"] == "" {
		t.Fatalf("bad date: %d %v", res.StatusCode, errs)
	}
	res, body = s.get(c, "/console/civil-affairs/audit.csv?action=member.added")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!regexp.MustCompile(`^attachment; filename="audit-civil-affairs-\d{8}\.csv"$`).MatchString(res.Header.Get("Content-Disposition")) {
		t.Fatalf("CSV: %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Content-Disposition"))
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "id,tenant_id,at,actor") || !strings.Contains(lines[1], "member.added") {
		t.Fatalf("CSV body %q", body)
	}
	// The platform admin reads every bureau's trail.
	_, body = s.get(c, "/console/civil-affairs/audit?all=1&action=auth.login")
	if !strings.Contains(body, "auth.login</code>") {
		t.Fatal("all-bureaus audit lacks the admin's sign-in")
	}
}
