package portal_test

import (
	"context"
	"strings"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
)

// TestPortalShowsTheCityReport: the public finds the published city report
// from the front page, in the official layout as frozen at publication,
// with the tables to download; a correction keeps the first version, marked.
func TestPortalShowsTheCityReport(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect)
			base := a.URL()
			sys := authz.WithActor(context.Background(), authz.System)
			m, err := a.Identity.AddMember(sys, 0, identity.NewMember{Username: "olga", DisplayName: "olga", Password: "Correct-Horse-9-Battery", Roles: []string{authz.CityOverseer}})
			if err != nil {
				t.Fatal(err)
			}
			olga := authz.WithActor(context.Background(), authz.Actor{Subject: authz.UserSubject(m.User.ID), UserID: m.User.ID, Name: "olga"})

			_, home := apptest.Get(t, base+"/")
			if !strings.Contains(home, `href="/city/reports"`) {
				t.Fatal("the front page does not link to the city reports")
			}
			_, office := apptest.Get(t, base+"/b/oversight/reports")
			if !strings.Contains(office, `href="/city/reports"`) {
				t.Fatal("the oversight office's reports page does not link to the city reports")
			}
			if _, sm := apptest.Get(t, base+"/sitemap.xml"); !strings.Contains(sm, "/city/reports</loc>") {
				t.Error("the sitemap does not list the city reports")
			}
			res, body := apptest.Get(t, base+"/city/reports")
			if res.StatusCode != 200 || !strings.Contains(body, "暂无已公布的全市年度报告") {
				t.Fatalf("before publication: %d\n%s", res.StatusCode, body)
			}
			if res, _ := apptest.Get(t, base+"/city/reports/2026"); res.StatusCode != 404 {
				t.Fatalf("an unpublished city report: %d", res.StatusCode)
			}
			// A draft is not public.
			if _, err := a.Oversight.CityDraft(olga, 2026); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Oversight.CityEditNarrative(olga, 2026, map[string]string{"problems": "第一版的问题。"}); err != nil {
				t.Fatal(err)
			}
			if res, _ := apptest.Get(t, base+"/city/reports/2026"); res.StatusCode != 404 {
				t.Fatalf("a draft city report: %d", res.StatusCode)
			}
			if _, err := a.Oversight.CityPublish(olga, 2026); err != nil {
				t.Fatal(err)
			}
			res, body = apptest.Get(t, base+"/city/reports")
			if res.StatusCode != 200 || !strings.Contains(body, `href="/city/reports/2026?v=1"`) || !strings.Contains(body, "营口市政务公开办公室2026年政府信息公开工作年度报告") ||
				!strings.Contains(body, "format=xlsx") {
				t.Fatalf("list: %d\n%s", res.StatusCode, body)
			}
			res, doc := apptest.Get(t, base+"/city/reports/2026")
			if res.StatusCode != 200 || !strings.Contains(doc, "第一版的问题。") || !strings.Contains(doc, "三、收到和处理政府信息公开申请情况") || !strings.Contains(doc, "附件：各部门、单位") ||
				res.Header.Get("Last-Modified") == "" {
				t.Fatalf("the report: %d", res.StatusCode)
			}
			res, xlsx := apptest.Get(t, base+"/city/reports/2026?v=1&format=xlsx")
			if res.StatusCode != 200 || !strings.HasPrefix(xlsx, "PK") || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("xlsx: %d %s", res.StatusCode, res.Header.Get("Content-Disposition"))
			}
			res, js := apptest.Get(t, base+"/city/reports/2026?format=json")
			if res.StatusCode != 200 || !strings.Contains(js, `"annex"`) || !strings.Contains(js, "第一版的问题。") {
				t.Fatalf("json: %d", res.StatusCode)
			}

			// A correction: version 2 is the report; version 1 stays, marked.
			if _, err := a.Oversight.CityDraft(olga, 2026); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Oversight.CityEditNarrative(olga, 2026, map[string]string{"problems": "更正后的问题。"}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Oversight.CityPublish(olga, 2026); err != nil {
				t.Fatal(err)
			}
			_, body = apptest.Get(t, base+"/city/reports")
			if !strings.Contains(body, "（第2版，更正）") || !strings.Contains(body, "（已被更正版本替代）") {
				t.Fatalf("list after the correction:\n%s", body)
			}
			if _, doc = apptest.Get(t, base+"/city/reports/2026"); !strings.Contains(doc, "更正后的问题。") || !strings.Contains(doc, "第2版") {
				t.Fatal("the newest version is not the correction")
			}
			if _, doc = apptest.Get(t, base+"/city/reports/2026?v=1"); !strings.Contains(doc, "第一版的问题。") {
				t.Fatal("version 1 is gone")
			}
		})
	}
}
