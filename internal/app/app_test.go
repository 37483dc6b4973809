package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/config"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/jobs"
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
