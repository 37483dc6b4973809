package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/dbtest"
)

// TestOversightOperationsForTheOverseer reads every oversight operation as
// the city overseer (bureau A's one request, registered by setup, is in the
// figures), and checks that a bureau's principals and anonymous callers are
// refused.
func TestOversightOperationsForTheOverseer(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			overseer := sessionPrincipal("overseer", w.oCookie, w.oCSRF).header
			get := func(path string, h http.Header) (*http.Response, string) {
				t.Helper()
				return apptest.Do(t, http.MethodGet, w.base+"/api/v1/oversight/"+path, "", h)
			}

			res, body := get("dashboard?year=2026&sort=received&desc=true", overseer)
			if res.StatusCode != 200 {
				t.Fatalf("dashboard: %d %s", res.StatusCode, body)
			}
			var dash struct {
				Rows []struct {
					Bureau   struct{ Slug string }
					Received int
					Open     int
					Report   struct{ State, Timeliness string }
				}
				Totals  struct{ Received int }
				Omitted []string
			}
			if err := json.Unmarshal([]byte(body), &dash); err != nil {
				t.Fatal(err)
			}
			if len(dash.Rows) != 5 || dash.Rows[0].Bureau.Slug != w.aSlug || dash.Rows[0].Received != 1 || dash.Rows[0].Open != 1 ||
				dash.Totals.Received != 1 || dash.Rows[0].Report.State != "not_started" || len(dash.Omitted) != 0 {
				t.Errorf("dashboard: %s", body)
			}
			if res, body := get("dashboard?year=2026&rollup=true", overseer); res.StatusCode != 200 || !strings.Contains(body, `"children":[`) {
				t.Errorf("rolled-up dashboard: %d %s", res.StatusCode, body)
			}
			if res, body := get("dashboard?year=2026&from=2026-03-01&to=2026-02-01", overseer); res.StatusCode != 422 || !strings.Contains(body, "body.to") {
				t.Errorf("reversed period: %d %s", res.StatusCode, body)
			}

			res, body = get("records?year=2026&metric=received&bureau="+w.aSlug, overseer)
			if res.StatusCode != 200 || !strings.Contains(body, `"total":1`) || !strings.Contains(body, w.aTracking) {
				t.Errorf("records: %d %s", res.StatusCode, body)
			}
			if res, body := get("records?year=2026&metric=received&bureau=nowhere", overseer); res.StatusCode != 422 {
				t.Errorf("records of an unknown bureau: %d %s", res.StatusCode, body)
			}
			if res, body := get("records?year=2026&metric=nonsense", overseer); res.StatusCode != 422 || !strings.Contains(body, "body.metric") {
				t.Errorf("records of an unknown metric: %d %s", res.StatusCode, body)
			}

			if res, body := get("trends?year=2026", overseer); res.StatusCode != 200 || !strings.Contains(body, `"received":[0,1,0,0,0,0,0,0,0,0,0,0]`) {
				t.Errorf("trends: %d %s", res.StatusCode, body)
			}
			res, body = get("trends/chart?year=2026&chart=closed", overseer)
			if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "image/svg+xml") || !strings.Contains(body, "<title id=\"t\">全市办结") {
				t.Errorf("trend chart: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			if res, body := get("overdue", overseer); res.StatusCode != 200 || !strings.Contains(body, `"items":[`) {
				t.Errorf("overdue: %d %s", res.StatusCode, body)
			}
			if res, body := get("report-issues?year=2026", overseer); res.StatusCode != 200 || !strings.Contains(body, `"missing":[]`) {
				t.Errorf("report issues: %d %s", res.StatusCode, body)
			}
			if res, body := get("metrics", overseer); res.StatusCode != 200 || !strings.Contains(body, `"key":"reply_days_median"`) || !strings.Contains(body, "nearest-rank") {
				t.Errorf("metrics: %d %s", res.StatusCode, body)
			}
			res, body = get("city-report/2026/tables", overseer)
			if res.StatusCode != 200 || !strings.Contains(body, `"annex":[`) || !strings.Contains(body, `"violations":[]`) {
				t.Errorf("city tables: %d %s", res.StatusCode, body)
			}
			res, body = get("city-report/2026/document?format=html", overseer)
			if res.StatusCode != 200 || !strings.Contains(body, "营口市政务公开办公室2026年政府信息公开工作年度报告") || !strings.Contains(body, "附件") {
				t.Errorf("city HTML: %d %.300s", res.StatusCode, body)
			}
			if res, body := get("city-report/2026/document?format=xlsx", overseer); res.StatusCode != 200 || !strings.HasPrefix(body, "PK") {
				t.Errorf("city XLSX: %d", res.StatusCode)
			}
			if res, body := get("city-report/2026/document?format=json", overseer); res.StatusCode != 200 || !strings.Contains(body, `"bureau": "营口市政务公开办公室"`) {
				t.Errorf("city JSON: %d %.300s", res.StatusCode, body)
			}

			// A bureau's admin and token are refused; no credentials, 401.
			for _, h := range []http.Header{sessionPrincipal("bob", w.bCookie, w.bCSRF).header, tokenPrincipal("B token", w.bToken).header} {
				if res, body := get("dashboard?year=2026", h); res.StatusCode != 403 {
					t.Errorf("dashboard as bureau B: %d %s", res.StatusCode, body)
				}
			}
			if res, _ := get("dashboard", nil); res.StatusCode != 401 {
				t.Errorf("dashboard anonymous: %d", res.StatusCode)
			}
		})
	}
}
