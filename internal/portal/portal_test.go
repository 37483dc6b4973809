package portal_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/dbtest"
)

func postForm(t *testing.T, u string, v url.Values) (*http.Response, string) {
	t.Helper()
	return apptest.Do(t, "POST", u, v.Encode(), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
}

func TestPublicPortalApplyAndTrack(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect)
			base := a.URL()

			res, body := apptest.Get(t, base+"/")
			if res.StatusCode != 200 || !strings.Contains(body, `lang="zh-CN"`) || !strings.Contains(body, "营口市民政局") || !strings.Contains(body, "营口市养老院") {
				t.Fatalf("front page: %d\n%s", res.StatusCode, body)
			}
			res, body = apptest.Get(t, base+"/b/civil-affairs/")
			if res.StatusCode != 200 || !strings.Contains(body, "政府信息公开指南") || !strings.Contains(body, "0417-2812301") || !strings.Contains(body, "/b/civil-affairs/apply") {
				t.Fatalf("guide: %d\n%s", res.StatusCode, body)
			}
			if res, _ = apptest.Get(t, base+"/b/no-such-bureau/"); res.StatusCode != 404 {
				t.Fatalf("unknown bureau: %d", res.StatusCode)
			}

			// A form with a missing field keeps what was typed and says what to fix.
			form := url.Values{"applicant_type": {"natural_person"}, "name": {"王五"}, "phone": {"13800000000"}, "content": {""}}
			res, body = postForm(t, base+"/b/civil-affairs/apply", form)
			if res.StatusCode != 422 || !strings.Contains(body, `id="content-error"`) || !strings.Contains(body, `value="王五"`) {
				t.Fatalf("invalid form: %d\n%s", res.StatusCode, body)
			}
			// A robot filling the honeypot is refused.
			bot := url.Values{"applicant_type": {"natural_person"}, "name": {"x"}, "phone": {"1"}, "content": {"x"}, "website": {"http://spam"}}
			if res, _ = postForm(t, base+"/b/civil-affairs/apply", bot); res.StatusCode != 422 {
				t.Fatalf("honeypot: %d", res.StatusCode)
			}
			form.Set("content", "申请公开2025年度市养老院收费标准")
			res, body = postForm(t, base+"/b/civil-affairs/apply", form)
			code := regexp.MustCompile(`GK-[A-Z0-9]{5}-[A-Z0-9]{5}`).FindString(body)
			if res.StatusCode != 200 || code == "" {
				t.Fatalf("valid form: %d\n%s", res.StatusCode, body)
			}

			res, body = apptest.Get(t, base+"/track?code="+code)
			if res.StatusCode != 200 || !strings.Contains(body, "待确认收到") {
				t.Fatalf("track: %d\n%s", res.StatusCode, body)
			}
			if res, _ = apptest.Get(t, base+"/track?code=GK-XXXXX-XXXXX"); res.StatusCode != 404 {
				t.Fatalf("unknown code: %d", res.StatusCode)
			}

			// Rate limit: five submissions per address in ten minutes (three
			// were made above: invalid, honeypot, valid).
			for i := 0; i < 2; i++ {
				postForm(t, base+"/b/civil-affairs/apply", form)
			}
			if res, _ = postForm(t, base+"/b/civil-affairs/apply", form); res.StatusCode != 429 || res.Header.Get("Retry-After") == "" {
				t.Fatalf("sixth submission: %d", res.StatusCode)
			}
		})
	}
}

func TestPortalPagesAreCacheableAndListed(t *testing.T) {
	t.Parallel()
	a := apptest.Boot(t, dbtest.Dialects[0])
	res, _ := apptest.Get(t, a.URL()+"/b/civil-affairs/")
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || etag == "" {
		t.Fatalf("guide: %d, ETag %q", res.StatusCode, etag)
	}
	res, body := apptest.Do(t, "GET", a.URL()+"/b/civil-affairs/", "", http.Header{"If-None-Match": {etag}})
	if res.StatusCode != http.StatusNotModified || body != "" {
		t.Fatalf("revalidation: %d %q", res.StatusCode, body)
	}
	res, body = apptest.Get(t, a.URL()+"/sitemap.xml")
	if res.StatusCode != 200 || !strings.Contains(body, "<loc>http://localhost:8080/b/welfare-home/catalog</loc>") {
		t.Fatalf("sitemap: %d %s", res.StatusCode, body)
	}
}
