package api_test

import (
	"context"
	"strings"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
)

func TestReportWorkflowToThePortal(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			cookie, sess, err := w.app.Identity.Login(context.Background(), "alice", pw, "127.0.0.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			h := withJSON(sessionPrincipal("alice", cookie, sess.CSRFToken).header)
			base := w.base + "/api/v1/bureaus/civil-affairs/reports/2026"
			do := func(method, path, body string, want int) string {
				t.Helper()
				res, out := apptest.Do(t, method, base+path, body, h)
				if res.StatusCode != want {
					t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, out)
				}
				return out
			}
			// The world registered one request received 2026-02-13: the draft's
			// narrative counts it.
			out := do("POST", "/draft", "", 200)
			if !strings.Contains(out, "全年新收政府信息公开申请1件") || !strings.Contains(out, `"state":"draft"`) {
				t.Fatalf("draft: %s", out)
			}
			do("POST", "/publish", "", 409) // not submitted yet
			out = do("PATCH", "/narrative", `{"narrative":{"problems":"一是主动公开的及时性有待提高。\n\n二是……"}}`, 200)
			if !strings.Contains(out, "及时性") {
				t.Fatalf("narrative: %s", out)
			}
			do("PATCH", "/narrative", `{"narrative":{"bogus":"x"}}`, 422)
			do("POST", "/submit", "", 200)
			do("PATCH", "/narrative", `{"narrative":{"problems":"x"}}`, 409) // frozen after submission
			do("POST", "/publish", "", 200)

			// Published: on the portal, in the official layout.
			res, body := apptest.Get(t, w.base+"/b/civil-affairs/reports")
			if res.StatusCode != 200 || !strings.Contains(body, "营口市民政局2026年政府信息公开工作年度报告") {
				t.Fatalf("portal list: %d %s", res.StatusCode, body)
			}
			res, body = apptest.Get(t, w.base+"/b/civil-affairs/reports/2026")
			if res.StatusCode != 200 || !strings.Contains(body, "三、收到和处理政府信息公开申请情况") || !strings.Contains(body, "及时性") {
				t.Fatalf("portal report: %d %s", res.StatusCode, body)
			}
			// A correction is a new version; the first stays, marked superseded once the second is published.
			out = do("POST", "/draft", "", 200)
			if !strings.Contains(out, `"version":2`) {
				t.Fatalf("correction draft: %s", out)
			}
			do("POST", "/submit", "", 200)
			do("POST", "/publish", "", 200)
			_, list := apptest.Do(t, "GET", w.base+"/api/v1/bureaus/civil-affairs/reports", "", h)
			if !strings.Contains(list, `"version":1`) || !strings.Contains(list, `"superseded":true`) {
				t.Fatalf("versions: %s", list)
			}
			// Downloads.
			for format, want := range map[string]string{"html": "（本列数据的勾稽关系为", "json": `"table3"`, "csv3": "一、本年新收政府信息公开申请数量,1,", "xlsx": "PK"} {
				res, body := apptest.Do(t, "GET", base+"/document?format="+format, "", h)
				if res.StatusCode != 200 || !strings.Contains(body, want) {
					t.Errorf("download %s: %d %.200s", format, res.StatusCode, body)
				}
			}
			// A viewer reads but cannot change the report.
			if _, err := w.app.Identity.AddMember(w.systemCtx, w.a, identity.NewMember{Username: "vicky", DisplayName: "V", Password: pw, Roles: []string{"viewer"}}); err != nil {
				t.Fatal(err)
			}
			vc, vs, err := w.app.Identity.Login(context.Background(), "vicky", pw, "127.0.0.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			vh := withJSON(sessionPrincipal("vicky", vc, vs.CSRFToken).header)
			if res, _ := apptest.Do(t, "GET", base+"/tables", "", vh); res.StatusCode != 200 {
				t.Fatalf("viewer reading tables: %d", res.StatusCode)
			}
			if res, _ := apptest.Do(t, "POST", base+"/draft", "", vh); res.StatusCode != 403 {
				t.Fatalf("viewer drafting: %d", res.StatusCode)
			}
		})
	}
}
