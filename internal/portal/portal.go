// Package portal serves the public portal: the city front page listing the
// bureaus and, per bureau, its disclosure guide (Regulations Art. 12). It
// needs no account.
package portal

import (
	"bytes"
	"context"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/fault"
	"gongkai/internal/httpx"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/tenant"
	"gongkai/web"
)

// Tenants reads bureaus; *tenant.Service implements it.
type Tenants interface {
	List(ctx context.Context) ([]tenant.Tenant, error)
	BySlug(ctx context.Context, slug string) (tenant.Tenant, error)
}

// Deps are what the portal needs.
type Deps struct {
	// BaseURL is the external URL of the service, for the sitemap.
	BaseURL  string
	Tenants  Tenants
	Requests *request.Service
	Reports  *report.Service
	Log      *slog.Logger
	Now      func() time.Time

	// Catalog serves the public catalog pages (catalog.go).
	Catalog *catalog.Service
	// PageCacheBytes is the memory for rendered catalog pages
	// (pagecache.go); 0 renders every request.
	PageCacheBytes int
	// City serves the published city annual reports (cityreport.go).
	City CityReports
}

// Crumb is one step of the breadcrumb trail.
type Crumb struct {
	Name string
	URL  string
}

// page is what every portal template receives.
type page[T any] struct {
	Title  string
	Crumbs []Crumb
	Data   T
}

type handler struct {
	deps        Deps
	home        *template.Template
	guide       *template.Template
	apply       *template.Template
	track       *template.Template
	reports     *template.Template
	submissions *httpx.Limiter
}

// New returns the portal handler, parsing its templates once.
func New(deps Deps) http.Handler {
	parse := func(name string) *template.Template {
		return template.Must(template.ParseFS(web.Templates, "templates/portal_layout.html", "templates/"+name))
	}
	h := &handler{deps: deps, home: parse("portal_home.html"), guide: parse("portal_guide.html"),
		apply: parse("portal_apply.html"), track: parse("portal_track.html"), reports: parse("portal_reports.html"),
		// Online applications: at most 5 per client address in 10 minutes.
		submissions: httpx.NewLimiter(5, 10*time.Minute)}
	mux := http.NewServeMux()
	static, _ := fs.Sub(web.Static, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheForever(http.FileServerFS(static))))
	mux.HandleFunc("GET /{$}", h.serveHome)
	mux.HandleFunc("GET /b/{slug}/{$}", h.serveGuide)
	mux.HandleFunc("GET /b/{slug}/apply", h.serveApply)
	mux.HandleFunc("POST /b/{slug}/apply", h.serveApply)
	mux.HandleFunc("GET /track", h.serveTrack)
	mux.HandleFunc("GET /sitemap.xml", h.serveSitemap)
	mux.HandleFunc("GET /b/{slug}/reports", h.serveReports)
	mux.HandleFunc("GET /b/{slug}/reports/{year}", h.serveReport)
	if deps.Catalog != nil { // public catalog pages (catalog.go)
		h.registerCatalog(mux)
	}
	if deps.City != nil { // the city annual reports (cityreport.go)
		h.registerCityReports(mux)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, fault.New(fault.NotFound, "page not found"))
	})
	return withETag(mux)
}

func cacheForever(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

type homeTree struct {
	Tenant   tenant.Tenant
	Children []tenant.Tenant
}

func (h *handler) serveHome(w http.ResponseWriter, r *http.Request) {
	ts, err := h.deps.Tenants.List(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var roots []homeTree
	byID := map[int64]int{}
	for _, t := range ts {
		if t.ParentID == 0 {
			byID[t.ID] = len(roots)
			roots = append(roots, homeTree{Tenant: t})
		}
	}
	for _, t := range ts {
		if i, ok := byID[t.ParentID]; ok && t.ParentID != 0 {
			roots[i].Children = append(roots[i].Children, t)
		}
	}
	h.render(w, r, h.home, page[struct{ Roots []homeTree }]{Title: "政府信息公开", Crumbs: []Crumb{{Name: "首页"}}, Data: struct{ Roots []homeTree }{roots}})
}

type guideData struct {
	Tenant   tenant.Tenant
	Children []tenant.Tenant
}

func (h *handler) serveGuide(w http.ResponseWriter, r *http.Request) {
	t, err := h.deps.Tenants.BySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	all, err := h.deps.Tenants.List(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := guideData{Tenant: t}
	for _, c := range all {
		if c.ParentID == t.ID {
			d.Children = append(d.Children, c)
		}
	}
	h.render(w, r, h.guide, page[guideData]{Title: t.Name + " - 政府信息公开指南",
		Crumbs: []Crumb{{Name: "首页", URL: "/"}, {Name: t.Name}, {Name: "政府信息公开指南"}}, Data: d})
}

func (h *handler) render(w http.ResponseWriter, r *http.Request, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "portal_layout", data); err != nil {
		h.deps.Log.ErrorContext(r.Context(), "render", "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// fail renders the error page with the status of err.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := fault.HTTPStatus(err)
	if status >= 500 {
		h.deps.Log.ErrorContext(r.Context(), "portal", "error", err)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(http.StatusText(status) + ": " + fault.MessageOf(err) + "\n"))
}
