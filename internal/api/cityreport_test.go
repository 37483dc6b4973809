package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/dbtest"
)

// TestCityReportWorkflowAPI drives the city report through the API as the
// overseer: draft, edit, publish, a correction, and the versions; bureau
// people are refused every step.
func TestCityReportWorkflowAPI(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			o := withJSON(sessionPrincipal("overseer", w.oCookie, w.oCSRF).header)
			b := withJSON(sessionPrincipal("bureau B", w.bCookie, w.bCSRF).header)
			base := w.base + "/api/v1/oversight/city-report/"
			type version struct {
				Version    int               `json:"version"`
				State      string            `json:"state"`
				Narrative  map[string]string `json:"narrative"`
				Superseded bool              `json:"superseded"`
			}
			call := func(h http.Header, method, path, body string, want int) version {
				t.Helper()
				res, text := apptest.Do(t, method, base+path, body, h)
				if res.StatusCode != want {
					t.Fatalf("%s %s = %d, want %d: %s", method, path, res.StatusCode, want, text)
				}
				var v version
				_ = json.Unmarshal([]byte(text), &v)
				return v
			}
			call(b, "POST", "2026/draft", "", 403)
			v := call(o, "POST", "2026/draft", "", 200)
			if v.Version != 1 || v.State != "draft" || !strings.Contains(v.Narrative["overview"], "全市") {
				t.Fatalf("draft: %+v", v)
			}
			call(b, "PATCH", "2026/narrative", `{"narrative":{"problems":"x"}}`, 403)
			call(o, "PATCH", "2026/narrative", `{"narrative":{"summary":"x"}}`, 422)
			v = call(o, "PATCH", "2026/narrative", `{"narrative":{"problems":"全市未发现超期答复。"}}`, 200)
			if v.Narrative["problems"] != "全市未发现超期答复。" {
				t.Fatalf("edited: %+v", v)
			}
			call(b, "POST", "2026/publish", "", 403)
			if v = call(o, "POST", "2026/publish", "", 200); v.State != "published" {
				t.Fatalf("published: %+v", v)
			}
			call(o, "PATCH", "2026/narrative", `{"narrative":{"problems":"y"}}`, 409)
			call(o, "POST", "2026/publish", "", 409)
			if v = call(o, "POST", "2026/draft", "", 200); v.Version != 2 || v.Narrative["problems"] != "全市未发现超期答复。" {
				t.Fatalf("correction draft: %+v", v)
			}
			call(o, "POST", "2026/publish", "", 200)

			res, text := apptest.Do(t, "GET", base+"versions?year=2026", "", o)
			var vs []version
			if res.StatusCode != 200 || json.Unmarshal([]byte(text), &vs) != nil || len(vs) != 2 || vs[0].Version != 2 || vs[0].Superseded || !vs[1].Superseded {
				t.Fatalf("versions = %d %s", res.StatusCode, text)
			}
			if res, _ := apptest.Do(t, "GET", base+"versions", "", b); res.StatusCode != 403 {
				t.Fatalf("bureau B listing versions = %d", res.StatusCode)
			}
		})
	}
}
