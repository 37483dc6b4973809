package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gongkai/internal/authz"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
)

// TestCityReportPage drafts, edits and publishes the city report from the
// console as the overseer; a bureau admin is refused.
func TestCityReportPage(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := setup(t, dialect, map[string]map[string][]string{"alice": {"civil-affairs": {authz.BureauAdmin}}})
			sys := authz.WithActor(context.Background(), authz.System)
			if _, err := s.app.Identity.AddMember(sys, 0, identity.NewMember{Username: "olga", DisplayName: "Olga", Password: goodPassword, Roles: []string{authz.CityOverseer}}); err != nil {
				t.Fatal(err)
			}
			alice, olga := s.signIn("alice", goodPassword), s.signIn("olga", goodPassword)
			const page = "/console/civil-affairs/city-report"

			res, body := s.get(alice, page+"?year=2026")
			if res.StatusCode != http.StatusForbidden {
				t.Fatalf("bureau admin on the city report page: %d", res.StatusCode)
			}
			if strings.Contains(body, "/city-report\"") {
				t.Error("a bureau admin's navigation links to the city report")
			}
			res, body = s.get(olga, page+"?year=2026")
			if res.StatusCode != 200 || !strings.Contains(body, "尚未起草") || !strings.Contains(body, `href="/console/civil-affairs/city-report"`) ||
				!strings.Contains(body, "营口市政务公开办公室2026年政府信息公开工作年度报告") {
				t.Fatalf("overseer's page: %d %s", res.StatusCode, formError(body))
			}
			csrf := csrfOf(t, body)

			follow := func(res *http.Response, body string) string {
				t.Helper()
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("want a redirect, got %d: %s %v", res.StatusCode, formError(body), fieldErrors(body))
				}
				_, next := s.get(olga, res.Header.Get("Location"))
				return next
			}
			body = follow(s.post(olga, page+"/draft", url.Values{"csrf": {csrf}, "year": {"2026"}}))
			if firstMatch(flashP, body) != "已生成第1版报告草稿。" || !strings.Contains(body, "草稿 · 第1版") || !strings.Contains(body, `id="no-violations"`) {
				t.Fatalf("after drafting: flash %q", firstMatch(flashP, body))
			}
			res, body = s.post(olga, page+"/narrative", url.Values{"csrf": {csrf}, "year": {"2026"}, "problems": {strings.Repeat("长", 20001)}})
			if res.StatusCode != http.StatusUnprocessableEntity || fieldErrors(body)["narrative-problems"] == "" {
				t.Fatalf("too long a section: %d %v", res.StatusCode, fieldErrors(body))
			}
			body = follow(s.post(olga, page+"/narrative", url.Values{"csrf": {csrf}, "year": {"2026"}, "overview": {"全市总体情况。"}, "problems": {"全市存在的问题。"}, "other": {"无。"}}))
			if firstMatch(flashP, body) != "报告正文已保存。" || !strings.Contains(html.UnescapeString(body), "<p>全市存在的问题。</p>") {
				t.Fatalf("after saving: flash %q", firstMatch(flashP, body))
			}
			res, _ = s.post(alice, page+"/publish", url.Values{"csrf": {csrfOf(t, mustGet(t, s, alice, "/console/civil-affairs/"))}, "year": {"2026"}})
			if res.StatusCode != http.StatusForbidden {
				t.Fatalf("bureau admin publishing: %d", res.StatusCode)
			}
			body = follow(s.post(olga, page+"/publish", url.Values{"csrf": {csrf}, "year": {"2026"}}))
			if firstMatch(flashP, body) != "第1版报告已在门户网站公开。" || !strings.Contains(body, "已公开 · 第1版") || !strings.Contains(body, `id="portal-link"`) ||
				!strings.Contains(body, "起草更正版本") {
				t.Fatalf("after publishing: flash %q", firstMatch(flashP, body))
			}
			pub, err := s.app.Oversight.CityPublished(context.Background(), 2026)
			if err != nil || len(pub) != 1 || pub[0].PublishedBy != "Olga" || pub[0].Narrative["problems"] != "全市存在的问题。" {
				t.Fatalf("published versions: %v %+v", err, pub)
			}
			res, xlsx := s.get(olga, page+"/document?year=2026&version=1&format=xlsx")
			if res.StatusCode != 200 || !strings.HasPrefix(xlsx, "PK") || !strings.Contains(res.Header.Get("Content-Disposition"), "2026-city-annual-report-v1.xlsx") {
				t.Fatalf("xlsx download: %d %s", res.StatusCode, res.Header.Get("Content-Disposition"))
			}
			res, doc := s.get(olga, page+"/document?year=2026&version=1")
			if res.StatusCode != 200 || !strings.Contains(doc, "全市存在的问题。") || !strings.Contains(doc, "附件：各部门、单位") {
				t.Fatalf("html download: %d", res.StatusCode)
			}
		})
	}
}

func mustGet(t *testing.T, s *site, c *http.Client, path string) string {
	t.Helper()
	res, body := s.get(c, path)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	return body
}
