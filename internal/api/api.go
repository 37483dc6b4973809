// Package api is the JSON API for integrators: huma operations under /api/v1,
// the OpenAPI 3.1 document at /api/openapi.json (and .yaml), and the reference
// page at /api/docs. Handlers decode input, call a service and encode output;
// errors become RFC 9457 problem+json in one place (problem below).
package api

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"

	"gongkai/internal/apidocs"
	"gongkai/internal/appeal"
	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/calendar"
	"gongkai/internal/catalog"
	"gongkai/internal/fault"
	"gongkai/internal/httpx"
	"gongkai/internal/identity"
	"gongkai/internal/inquiry"
	"gongkai/internal/oversight"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// Server is the API: its huma instance and the HTTP handler that serves it.
type Server struct {
	API     huma.API
	Handler http.Handler
	deps    Deps
	// submissions limits public online applications per client address.
	submissions *httpx.Limiter
	// bg are the notification, reminder and webhook services (AddBackground, notify.go).
	bg background
}

// Deps are the services the API calls.
type Deps struct {
	Version  string
	Tenants  TenantLister
	Authz    *authz.Authorizer
	Identity *identity.Service
	Audit    *audit.Service
	Requests *request.Service
	Calendar *calendar.Service
	Reports  *report.Service
	Appeals  *appeal.Service
	// Inquiries registers 咨询.
	Inquiries *inquiry.Service
	// Catalog is the disclosure catalog (catalog operations, catalog.go).
	Catalog *catalog.Service
	// Oversight is the city overseer's cross-bureau view (oversight.go).
	Oversight *oversight.Service
}

// commonErrors are the error responses every operation documents.
var commonErrors = []int{http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusInternalServerError, http.StatusServiceUnavailable}

// New builds the API. The returned handler expects the /api prefix to be
// stripped already (see app).
func New(deps Deps) *Server {
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig("Gongkai API", deps.Version)
	cfg.Info.Description = "Government information disclosure (政府信息公开) for the bureaus of a city: catalogs, disclosure requests, annual reports and oversight. Errors are RFC 9457 problem+json documents whose `detail` says what to fix; `errors` lists the fields at fault."
	cfg.Servers = []*huma.Server{{URL: "/api"}}
	cfg.DocsPath = ""
	cfg.OpenAPIPath = "/openapi"
	cfg.SchemasPath = "/schemas"
	// No $schema links in bodies or Link headers: clients get plain JSON.
	cfg.CreateHooks = nil
	cfg.Components.SecuritySchemes = securitySchemes()
	hapi := humago.New(mux, cfg)
	// Legal dates travel as "YYYY-MM-DD" strings.
	hapi.OpenAPI().Components.Schemas.RegisterTypeAlias(reflect.TypeOf(workday.Date{}), reflect.TypeOf(isoDate("")))
	s := &Server{API: hapi, deps: deps, submissions: httpx.NewLimiter(5, 10*time.Minute)}
	hapi.UseMiddleware(nameSpan, s.authenticate)
	s.registerMeta()
	s.registerTenants()
	s.registerIdentity()
	s.registerRequests()
	s.registerReports()
	s.registerInquiries()
	if deps.Catalog != nil { // catalog operations (catalog.go)
		s.registerCatalog()
	}
	if deps.Oversight != nil { // oversight operations (oversight.go)
		s.registerOversight()
	}
	mux.Handle("GET /docs", apidocs.Handler(s.OpenAPIJSON, apidocs.Options{
		Title: "Gongkai API", SpecURL: "/api/openapi.json", YAMLURL: "/api/openapi.yaml", Lang: "zh-CN",
	}))
	s.Handler = mux
	return s
}

// isoDate is the schema of workday.Date in the OpenAPI document.
type isoDate string

// Schema describes a legal date.
func (isoDate) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: "string", Format: "date", Description: "A date (YYYY-MM-DD), in the city's time zone", Examples: []any{"2026-02-13"}}
}

// OpenAPIJSON returns the OpenAPI document as JSON.
func (s *Server) OpenAPIJSON() ([]byte, error) { return json.Marshal(s.API.OpenAPI()) }

// nameSpan tags the HTTP server span (which otelhttp names by route, e.g.
// "GET /v1/bureaus/{slug}") with the full route and the operation ID.
func nameSpan(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	if span := trace.SpanFromContext(ctx.Context()); span.IsRecording() && op != nil {
		span.SetAttributes(semconv.HTTPRoute("/api"+op.Path), attribute.String("gongkai.operation", op.OperationID))
	}
	next(ctx)
}

// register adds an operation with the documented defaults: the common error
// responses plus the given ones, and errors mapped through problem.
func register[I, O any](api huma.API, op huma.Operation, handler func(context.Context, *I) (*O, error)) {
	op.Errors = append(append([]int{}, commonErrors...), op.Errors...)
	huma.Register(api, op, func(ctx context.Context, in *I) (*O, error) {
		out, err := handler(ctx, in)
		if err != nil {
			return nil, problem(err)
		}
		return out, nil
	})
}

// problem maps a service error to a problem+json error: the status from the
// fault code, the user-facing message as detail, the field errors as errors,
// and Retry-After when the database is unavailable.
func problem(err error) error {
	status := fault.HTTPStatus(err)
	var details []error
	for _, f := range fault.FieldsOf(err) {
		details = append(details, &huma.ErrorDetail{Location: "body." + f.Field, Message: f.Message})
	}
	herr := huma.NewError(status, fault.MessageOf(err), details...)
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		return huma.ErrorWithHeaders(herr, http.Header{"Retry-After": {strconv.Itoa(5)}})
	}
	return herr
}

type versionOutput struct {
	Body struct {
		Version string `json:"version" doc:"Version of the running service" example:"1.0.0"`
	}
}

func (s *Server) registerMeta() {
	register(s.API, huma.Operation{
		OperationID: "get-version",
		Method:      http.MethodGet,
		Path:        "/v1/version",
		Summary:     "Version of the service",
		Description: "Returns the version of the running Gongkai service.",
		Tags:        []string{"meta"},
	}, func(ctx context.Context, _ *struct{}) (*versionOutput, error) {
		out := &versionOutput{}
		out.Body.Version = s.deps.Version
		return out, nil
	})
}
