// Package console serves the web console for bureau staff under /console/:
// server-rendered pages, Simplified Chinese by default with English
// available. Handlers decode the form, call a service and render; the
// services check every permission themselves.
package console

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/fault"
	"gongkai/internal/httpx"
	"gongkai/internal/identity"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
	"gongkai/web"
)

// Deps are the services the console calls.
type Deps struct {
	BaseURL       string
	SecureCookies bool
	Location      *time.Location
	Tenants       *tenant.Service
	Authz         *authz.Authorizer
	Identity      *identity.Service
	Audit         *audit.Service
	Requests      *request.Service
	Catalog       *catalog.Service
	Reports       *report.Service
	Log           *slog.Logger
	Now           func() time.Time
}

// Cookie names.
const (
	sessionCookie = "gk_session"
	flashCookie   = "gk_flash"
	langCookie    = "gk_lang"
)

type handler struct {
	deps     Deps
	messages Messages
	pages    map[string]*template.Template
}

// New returns the console handler; it expects full paths (/console/...).
func New(deps Deps) (http.Handler, error) {
	if deps.Location == nil {
		deps.Location = workday.ChinaTime
	}
	msgs, err := LoadMessages()
	if err != nil {
		return nil, err
	}
	h := &handler{deps: deps, messages: msgs, pages: map[string]*template.Template{}}
	names, err := fs.Glob(web.Templates, "templates/console_*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/console_"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(web.Templates, "templates/console_layout.html", n)
		if err != nil {
			return nil, err
		}
		h.pages[name] = t
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /console/login", h.loginPage)
	mux.HandleFunc("POST /console/login", h.login)
	mux.HandleFunc("POST /console/language", h.anonLanguage)
	auth := func(pattern string, fn func(w http.ResponseWriter, r *http.Request, p *page)) {
		mux.HandleFunc(pattern, h.authenticated(fn))
	}
	auth("POST /console/logout", h.logout)
	auth("GET /console/{$}", h.home)
	auth("POST /console/switch", h.switchBureau)
	auth("GET /console/members", h.members)
	auth("POST /console/members", h.addMember)
	auth("POST /console/members/{username}/roles", h.setRoles)
	auth("GET /console/members/{username}/remove", h.confirmRemove)
	auth("POST /console/members/{username}/remove", h.removeMember)
	auth("POST /console/tokens", h.createToken)
	auth("GET /console/tokens/{id}/revoke", h.confirmRevoke)
	auth("POST /console/tokens/{id}/revoke", h.revokeToken)
	auth("GET /console/audit", h.auditLog)
	auth("GET /console/settings", h.settings)
	auth("POST /console/settings/language", h.setLanguage)
	auth("POST /console/settings/password", h.changePassword)
	auth("POST /console/settings/logout-everywhere", h.logoutEverywhere)
	auth("GET /console/requests", h.requests)
	auth("GET /console/requests/new", h.newRequestForm)
	auth("POST /console/requests/new", h.registerRequest)
	auth("GET /console/requests/{id}", h.requestDetail)
	auth("POST /console/requests/{id}/act", h.actOnRequest)
	auth("POST /console/requests/{id}/reply", h.replyToRequest)
	auth("POST /console/requests/{id}/letters", h.issueLetter)
	auth("GET /console/requests/{id}/letters/{letter}", h.printLetter)
	for _, area := range []string{"catalog", "appeals", "inquiries", "reports", "oversight"} {
		auth("GET /console/"+area, h.areaPage(area))
	}
	mux.HandleFunc("/console/", h.authenticated(func(w http.ResponseWriter, r *http.Request, p *page) {
		h.fail(w, r, p, fault.New(fault.NotFound, "page not found"))
	}))
	return mux, nil
}

var funcs = template.FuncMap{
	"join": strings.Join,
	"eq64": func(a, b int64) bool { return a == b },
	"has":  func(list []string, s string) bool { return slices.Contains(list, s) },
}

// page is what every console template receives; Data is the page's own,
// typed per page.
type page struct {
	h        *handler
	Locale   string
	Title    string
	Crumbs   []crumb
	User     *identity.User
	Session  *identity.Session
	Actor    authz.Actor
	Bureau   tenant.Tenant
	Bureaus  []tenant.Tenant
	Roles    []string
	Overseer bool
	Flash    string
	Active   string
	Data     any
	// Errors are field errors of a form shown again; General is a message
	// above the form.
	Errors  map[string]string
	General string
}

type crumb struct{ Name, URL string }

// T returns the UI text of key in the page's locale.
func (p *page) T(key string) string { return p.h.messages.T(p.Locale, key) }

// Tf formats the text of key with args.
func (p *page) Tf(key string, args ...any) string {
	s := p.T(key)
	for _, a := range args {
		s = strings.Replace(s, "%s", template.HTMLEscapeString(toString(a)), 1)
	}
	return s
}

func toString(a any) string { return fmt.Sprint(a) }

// Date formats a date for the locale; DateW adds the weekday (deadlines).
func (p *page) Date(d workday.Date) string  { return FormatDate(d, p.Locale, false) }
func (p *page) DateW(d workday.Date) string { return FormatDate(d, p.Locale, true) }

// Time formats a time in the city's zone.
func (p *page) Time(t time.Time) string { return FormatTime(t, p.h.deps.Location, p.Locale) }

// TimeP formats an optional time.
func (p *page) TimeP(t *time.Time) string {
	if t == nil {
		return ""
	}
	return p.Time(*t)
}

// CSRF is the session's CSRF token for forms.
func (p *page) CSRF() string {
	if p.Session == nil {
		return ""
	}
	return p.Session.CSRFToken
}

// Can reports whether the page's actor may do act on obj in the bureau
// (for showing or hiding controls; the services check again).
func (p *page) Can(obj, act string) bool {
	if p.Bureau.ID == 0 {
		return false
	}
	ok, err := p.h.deps.Authz.Allowed(context.Background(), p.Actor, p.Bureau.ID, obj, act)
	return err == nil && ok
}

// RoleLabel is the UI name of a role.
func (p *page) RoleLabel(role string) string { return p.T("role." + role) }

// authenticated loads the session, the user and the bureau, then calls fn.
func (h *handler) authenticated(fn func(w http.ResponseWriter, r *http.Request, p *page)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil {
			http.Redirect(w, r, "/console/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		sess, u, err := h.deps.Identity.Authenticate(r.Context(), c.Value)
		if err != nil {
			if fault.Is(err, fault.Unauthenticated) {
				h.clearCookie(w, sessionCookie)
				http.Redirect(w, r, "/console/login?expired=1", http.StatusSeeOther)
				return
			}
			h.fail(w, r, &page{h: h, Locale: DefaultLocale}, err)
			return
		}
		actor := authz.Actor{Subject: u.Subject(), UserID: u.ID, Name: u.DisplayName, TenantID: sess.CurrentTenant(),
			IP: clientIP(r), RequestID: httpx.RequestID(r.Context())}
		ctx := authz.WithActor(r.Context(), actor)
		r = r.WithContext(ctx)
		p := &page{h: h, Locale: u.Locale, User: u, Session: sess, Actor: actor, Errors: map[string]string{}}
		if p.Locale == "" {
			p.Locale = DefaultLocale
		}
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				h.fail(w, r, p, fault.New(fault.Invalid, "the form could not be read"))
				return
			}
			if err := sess.CheckCSRF(r.PostFormValue("csrf")); err != nil {
				h.fail(w, r, p, err)
				return
			}
		}
		if err := h.loadBureaus(ctx, p); err != nil {
			h.fail(w, r, p, err)
			return
		}
		if f, err := r.Cookie(flashCookie); err == nil {
			if msg, err := url.QueryUnescape(f.Value); err == nil {
				p.Flash = msg
			}
			h.clearCookie(w, flashCookie)
		}
		fn(w, r, p)
	}
}

// loadBureaus fills the bureau switcher and the current bureau and roles.
func (h *handler) loadBureaus(ctx context.Context, p *page) error {
	ids, cross, err := h.deps.Authz.TenantsOf(ctx, p.User.Subject())
	if err != nil {
		return err
	}
	all, err := h.deps.Tenants.List(ctx)
	if err != nil {
		return err
	}
	p.Overseer = cross
	for _, t := range all {
		if cross || slices.Contains(ids, t.ID) {
			p.Bureaus = append(p.Bureaus, t)
		}
		if t.ID == p.Actor.TenantID {
			p.Bureau = t
		}
	}
	if p.Bureau.ID == 0 && len(p.Bureaus) > 0 {
		p.Bureau = p.Bureaus[0]
		p.Actor.TenantID = p.Bureau.ID
	}
	p.Roles, err = h.deps.Authz.RolesOf(ctx, p.Actor, p.Bureau.ID)
	return err
}

// render writes a page with the layout.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := h.pages[name]
	if !ok {
		h.deps.Log.ErrorContext(r.Context(), "console: no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	if p.Title == "" {
		p.Title = p.T("nav." + name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "console_layout", p); err != nil {
		h.deps.Log.ErrorContext(r.Context(), "console: render", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// fail renders the error page with the status of err.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, p *page, err error) {
	status := fault.HTTPStatus(err)
	if status >= 500 {
		h.deps.Log.ErrorContext(r.Context(), "console", "error", err, "path", r.URL.Path)
	}
	if p == nil {
		p = &page{h: h, Locale: DefaultLocale}
	}
	msg := p.T("error.generic")
	switch {
	case fault.Is(err, fault.NotFound):
		msg = p.T("error.not_found")
	case fault.Is(err, fault.Forbidden) && strings.Contains(fault.MessageOf(err), "form has expired"):
		msg = p.T("error.csrf")
	case fault.Is(err, fault.Forbidden):
		msg = p.T("error.forbidden")
	case status < 500:
		msg = fault.MessageOf(err)
	}
	p.Title = p.T("error.title")
	p.Data = errorData{Status: status, Message: msg}
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	h.render(w, r, status, "error", p)
}

type errorData struct {
	Status  int
	Message string
}

// flash sets a one-shot message shown on the next page, then redirects.
func (h *handler) flash(w http.ResponseWriter, r *http.Request, to, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/console/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.deps.SecureCookies, MaxAge: 60})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (h *handler) clearCookie(w http.ResponseWriter, name string) {
	path := "/console/"
	if name == sessionCookie {
		path = "/"
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.deps.SecureCookies})
}

// formErrors turns a service error into messages next to the fields; it
// reports false when the error is not about fields.
func formErrors(p *page, err error) bool {
	fields := fault.FieldsOf(err)
	if len(fields) == 0 {
		return false
	}
	for _, f := range fields {
		p.Errors[f.Field] = f.Message
	}
	p.General = p.T("error.fix")
	return true
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// safeNext keeps a post-login redirect inside the console.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/console/"
}
