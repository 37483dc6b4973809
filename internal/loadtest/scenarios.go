package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// scenario is one endpoint of the mix: an HTTP request and, for reads, its
// SQL twin (sqltwin.go).
type scenario struct {
	name string
	// skip, when set, says why the scenario cannot run on this data.
	skip string
	http func(ctx context.Context, client, i int) error
	sql  func(ctx context.Context) error
}

// scenarios returns the mix of issue 10, in the order they run.
func scenarios(e *env) []scenario {
	slug := url.PathEscape(e.opts.Bureau)
	var itemPath string
	if e.itemKey != "" {
		parts := strings.Split(e.itemKey, "/")
		for i := range parts {
			parts[i] = url.PathEscape(parts[i])
		}
		itemPath = "/b/" + slug + "/catalog/" + strings.Join(parts, "/")
	}
	year := strconv.Itoa(e.opts.Year)
	bearer := http.Header{"Authorization": {"Bearer " + e.token}}
	admin := http.Header{"Cookie": {sessionCookie + "=" + e.adminCk}}
	overseer := http.Header{"Cookie": {sessionCookie + "=" + e.overCk}}
	get := func(path string, h http.Header) func(ctx context.Context, _, _ int) error {
		return func(ctx context.Context, _, _ int) error {
			return e.do(ctx, http.MethodGet, path, h, "", http.StatusOK)
		}
	}
	item := scenario{name: "catalog-item", http: get(itemPath, nil), sql: e.sqlCatalogItem}
	if itemPath == "" {
		item.skip = "the bureau has no published catalog item"
	}
	return []scenario{
		{name: "catalog-list", http: get("/b/"+slug+"/catalog", nil), sql: e.sqlCatalogList},
		{name: "catalog-search", http: get("/b/"+slug+"/catalog?q="+url.QueryEscape(e.opts.Query), nil), sql: e.sqlCatalogSearch},
		item,
		{name: "console-worklist", http: get("/console/"+slug+"/requests", admin), sql: e.sqlWorklist},
		{name: "api-register", http: e.register},
		{name: "report-tables", http: get("/api/v1/bureaus/"+slug+"/reports/"+year+"/tables", bearer), sql: e.sqlReportTables},
		{name: "oversight-dashboard", http: get("/api/v1/oversight/dashboard?year="+year, overseer), sql: e.sqlDashboard},
	}
}

// register registers a request through the API with a unique
// Idempotency-Key (a write: every call creates a request).
func (e *env) register(ctx context.Context, client, i int) error {
	body := fmt.Sprintf(`{"channel":"in_person","arrived_on":%q,"applicant":{"type":"natural_person","name":"压力测试","id_doc_type":"居民身份证","id_number":"110101199001011234","phone":"13800000000"},"content":"压力测试：申请公开%d年养老服务补贴发放情况"}`,
		e.today.String(), e.opts.Year)
	h := http.Header{
		"Authorization":   {"Bearer " + e.token},
		"Content-Type":    {"application/json"},
		"Idempotency-Key": {fmt.Sprintf("loadtest-%s-%d-%d", e.runID, client, i)},
	}
	return e.do(ctx, http.MethodPost, "/api/v1/bureaus/"+url.PathEscape(e.opts.Bureau)+"/requests", h, body, http.StatusCreated)
}

// do sends one request, reads the whole answer and fails unless the status
// is want.
func (e *env) do(ctx context.Context, method, path string, h http.Header, body string, want int) error {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.opts.URL+path, rd)
	if err != nil {
		return err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	res, err := e.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 300))
		return fmt.Errorf("%s %s: HTTP %d, want %d: %s", method, path, res.StatusCode, want, strings.TrimSpace(string(b)))
	}
	_, err = io.Copy(io.Discard, res.Body)
	return err
}
