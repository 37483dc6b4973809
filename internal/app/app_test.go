package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/config"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/jobs"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// echoArgs is a job kind used only here, to show that jobs run and are counted.
type echoArgs struct {
	Message string `json:"message"`
}

func (echoArgs) Kind() string { return "test_echo" }

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
	done chan string
}

func (w *echoWorker) Work(ctx context.Context, job *river.Job[echoArgs]) error {
	w.done <- job.Args.Message
	return nil
}

func TestBootOnEachDatabase(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			spans := tracetest.NewInMemoryExporter()
			worker := &echoWorker{done: make(chan string, 1)}
			a := apptest.Boot(t, dialect, func(c *config.Config, o *app.Options) {
				o.SpanExporter = spans
				o.JobWorkers = func(r *jobs.Registry) { jobs.Add(r, worker) }
			})
			base := a.URL()

			res, body := apptest.Get(t, base+"/readyz")
			if res.StatusCode != 200 || body != "ready\n" {
				t.Fatalf("/readyz = %d %q", res.StatusCode, body)
			}
			if res.Header.Get("X-Request-ID") == "" || res.Header.Get("Content-Security-Policy") == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("missing request ID or security headers: %v", res.Header)
			}

			checkOpenAPI(t, base)
			checkDocsPage(t, base)

			// An API call: the demo city is provisioned.
			res, body = apptest.Get(t, base+"/api/v1/bureaus")
			if res.StatusCode != 200 || !strings.Contains(body, `"slug":"civil-affairs"`) || !strings.Contains(body, "营口市民政局") {
				t.Fatalf("bureaus = %d %s", res.StatusCode, body)
			}
			res, body = apptest.Get(t, base+"/api/v1/bureaus/nope")
			if res.StatusCode != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") || !strings.Contains(body, "bureau nope not found") {
				t.Fatalf("missing bureau = %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
			}

			// A span named by route reached the in-memory exporter.
			found := false
			for _, s := range spans.GetSpans() {
				if s.Name == "GET /v1/bureaus/{slug}" {
					found = true
				}
			}
			if !found {
				names := []string{}
				for _, s := range spans.GetSpans() {
					names = append(names, s.Name)
				}
				t.Fatalf("no span named by route among %v", names)
			}

			// A job runs and is counted.
			if err := a.DB.InTx(context.Background(), db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
				_, err := a.Jobs.InsertTx(ctx, tx.Tx, echoArgs{Message: "hello"}, nil)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			select {
			case msg := <-worker.done:
				if msg != "hello" {
					t.Fatalf("job got %q", msg)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("job did not run within 15s")
			}

			// /metrics shows HTTP and job metrics.
			deadline := time.Now().Add(10 * time.Second)
			for {
				_, metrics := apptest.Get(t, base+"/metrics")
				okHTTP := strings.Contains(metrics, "gongkai_http_server_request_duration_seconds_bucket")
				okJobs := strings.Contains(metrics, "gongkai_river_work_count")
				okBuild := regexp.MustCompile(`gongkai_build_info\{version="[^"]+"\} 1`).MatchString(metrics)
				if okHTTP && okJobs && okBuild {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("metrics missing (http %v, jobs %v, build %v):\n%s", okHTTP, okJobs, okBuild, metrics[:min(len(metrics), 3000)])
				}
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
}

func checkOpenAPI(t *testing.T, base string) {
	t.Helper()
	res, body := apptest.Get(t, base+"/api/openapi.json")
	if res.StatusCode != 200 {
		t.Fatalf("openapi.json = %d", res.StatusCode)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
		Comps   struct{ Schemas map[string]any }     `json:"components"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Fatalf("openapi version %q, want 3.1.x", doc.OpenAPI)
	}
	if len(doc.Paths) == 0 {
		t.Fatal("no paths in the OpenAPI document")
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			where := strings.ToUpper(method) + " " + path
			if id, _ := op["operationId"].(string); id == "" {
				t.Errorf("%s: no operationId", where)
			}
			if s, _ := op["summary"].(string); s == "" {
				t.Errorf("%s: no summary", where)
			}
			if tags, _ := op["tags"].([]any); len(tags) == 0 {
				t.Errorf("%s: no tags", where)
			}
			responses, _ := op["responses"].(map[string]any)
			hasError := false
			for code := range responses {
				if code == "default" || code[0] == '4' || code[0] == '5' {
					hasError = true
				}
			}
			if !hasError {
				t.Errorf("%s: no error responses", where)
			}
		}
	}
	res, body = apptest.Get(t, base+"/api/openapi.yaml")
	if res.StatusCode != 200 || !strings.Contains(body, "openapi: 3.1") {
		t.Fatalf("openapi.yaml = %d %.100s", res.StatusCode, body)
	}
}

func checkDocsPage(t *testing.T, base string) {
	t.Helper()
	res, body := apptest.Get(t, base+"/api/docs")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/api/docs = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, "list-bureaus") {
		t.Fatal("docs page does not list the operations")
	}
	external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`)
	if m := external.FindString(body); m != "" {
		t.Fatalf("docs page loads an external resource: %q", m)
	}
	if strings.Contains(strings.ToLower(body), "<script src") || strings.Contains(strings.ToLower(body), "@import") {
		t.Fatal("docs page loads scripts or imports styles")
	}
}

func TestStricterCityRulesFromAFile(t *testing.T) {
	t.Parallel()
	rules := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(rules, []byte(`[
 {"effective_from":"2008-05-01","name":"条例（2008）","reply_days":15,"extension_max_days":15,"supplement_request_days":15,"consultation_days":15,"fee_payment_days":20,"pause_while_fee_unpaid":false,"rest_day_arrival_next_working_day":true},
 {"effective_from":"2019-05-15","name":"本市规定：10个工作日","reply_days":10,"extension_max_days":10,"supplement_request_days":5,"consultation_days":10,"fee_payment_days":20,"pause_while_fee_unpaid":true,"rest_day_arrival_next_working_day":true}
]`), 0o600); err != nil {
		t.Fatal(err)
	}
	a := apptest.Boot(t, db.SQLite, func(c *config.Config, o *app.Options) { c.DeadlineRules = rules })
	ctx := authz.WithActor(context.Background(), authz.System)
	tn, _ := a.Tenants.BySlug(ctx, "civil-affairs")
	r, _, err := a.Requests.Register(ctx, tn.ID, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate("2026-03-02"),
		Applicant: request.Applicant{Type: "natural_person", Name: "张三", Phone: "1"}, Content: "x"})
	if err != nil {
		t.Fatal(err)
	}
	// Mon 2 Mar 2026 + 10 working days = Mon 16 Mar 2026.
	if r.DueOn.String() != "2026-03-16" {
		t.Fatalf("due %s under the city's 10-day rule, want 2026-03-16", r.DueOn)
	}
	// A bad rules file stops start-up with the setting named.
	bad := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(bad, []byte(`[{"effective_from":"2019-05-15","name":"x","reply_days":0}]`), 0o600)
	cfg := config.Default()
	cfg.DataDir, cfg.DeadlineRules, cfg.LogLevel = t.TempDir(), bad, "error"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := app.New(context.Background(), cfg, app.Options{LogOutput: io.Discard}); err == nil || !strings.Contains(err.Error(), "deadline-rules") {
		t.Fatalf("bad rules: %v", err)
	}
}
