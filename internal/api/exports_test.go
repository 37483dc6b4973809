package api_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"gongkai/internal/apptest"
	"gongkai/internal/dbtest"
	"gongkai/internal/report"
)

// setupExports generates a report file of bureau A and waits until the job
// has finished it.
func setupExports(t *testing.T, w *world, aliceCtx context.Context) {
	t.Helper()
	e, err := w.app.Reports.CreateExport(aliceCtx, w.a, "营口市民政局", 2026, "json")
	if err != nil {
		t.Fatal(err)
	}
	w.aExport = e.ID
	waitExport(t, func() string {
		got, err := w.app.Reports.GetExport(w.systemCtx, w.a, e.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		return got.State
	})
}

// waitExport polls state until the export is done (or fails the test).
func waitExport(t *testing.T, state func() string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		switch s := state(); s {
		case report.ExportDone:
			return
		case report.ExportFailed:
			t.Fatal("the export failed")
		}
		if time.Now().After(deadline) {
			t.Fatal("the export did not finish")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// exportSnapshot is bureau A's generated report files.
func exportSnapshot(t *testing.T, w *world) string {
	t.Helper()
	es, err := w.app.Reports.Exports(w.systemCtx, w.a, 2026)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "export %d %s %s %s\n", e.ID, e.Format, e.State, e.SHA256)
	}
	return b.String()
}

// TestReportExportsByAPI: a file is requested, its progress followed to
// 100 %, and downloaded as an attachment whose hash is the one reported.
func TestReportExportsByAPI(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			auth := withJSON(http.Header{"Authorization": {"Bearer " + w.aToken}})
			base := w.base + "/api/v1/bureaus/civil-affairs/reports/2026/exports"
			res, body := apptest.Do(t, http.MethodPost, base, `{"format":"xlsx"}`, auth)
			if res.StatusCode != http.StatusAccepted {
				t.Fatalf("create: %d %s", res.StatusCode, body)
			}
			var out struct {
				ID       int64  `json:"id"`
				State    string `json:"state"`
				Progress int    `json:"progress"`
				Step     string `json:"step"`
				SHA256   string `json:"sha256"`
				Size     int64  `json:"size"`
				File     string `json:"file"`
			}
			if err := json.Unmarshal([]byte(body), &out); err != nil || out.State != report.ExportQueued {
				t.Fatalf("create answered %s (%v)", body, err)
			}
			one := fmt.Sprintf("%s/%d", base, out.ID)
			waitExport(t, func() string {
				res, body := apptest.Do(t, http.MethodGet, one, "", auth)
				if res.StatusCode != 200 {
					t.Fatalf("get: %d %s", res.StatusCode, body)
				}
				out.File = ""
				if err := json.Unmarshal([]byte(body), &out); err != nil {
					t.Fatal(err)
				}
				return out.State
			})
			if out.Progress != 100 || out.Step != report.StepDone || out.File == "" || out.Size == 0 {
				t.Fatalf("finished export: %+v", out)
			}
			res, file := apptest.Do(t, http.MethodGet, w.base+out.File, "", auth)
			if res.StatusCode != 200 || res.Header.Get("Content-Disposition") != fmt.Sprintf(`attachment; filename="2026-annual-report-%d.xlsx"`, out.ID) ||
				!strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("download: %d %v", res.StatusCode, res.Header)
			}
			sum := sha256.Sum256([]byte(file))
			if hex.EncodeToString(sum[:]) != out.SHA256 || int64(len(file)) != out.Size {
				t.Fatal("the downloaded file is not the one reported")
			}
			res, body = apptest.Do(t, http.MethodGet, base, "", auth)
			if res.StatusCode != 200 || strings.Count(body, `"id":`) != 2 {
				t.Fatalf("list: %d %s", res.StatusCode, body)
			}
			// Another year's path does not reach the file; a bad format is refused.
			if res, _ := apptest.Do(t, http.MethodGet, strings.Replace(w.base+out.File, "/2026/", "/2025/", 1), "", auth); res.StatusCode != 404 {
				t.Fatalf("file under another year: %d", res.StatusCode)
			}
			if res, _ := apptest.Do(t, http.MethodPost, base, `{"format":"pdf"}`, auth); res.StatusCode != 422 {
				t.Fatalf("format pdf: %d", res.StatusCode)
			}
		})
	}
}
