// Package console serves the web console for bureau staff under /console/:
// server-rendered pages, Simplified Chinese by default with English
// available. Every page about a bureau carries the bureau in its path
// (/console/{bureau}/...), so links can be shared and two tabs can work in
// two bureaus. Handlers decode the form, call a service and render; the
// services check every permission themselves.
package console

import (
	"bytes"
	"context"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"gongkai/internal/appeal"
	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/fault"
	"gongkai/internal/httpx"
	"gongkai/internal/identity"
	"gongkai/internal/inquiry"
	"gongkai/internal/notify"
	"gongkai/internal/oversight"
	"gongkai/internal/reminder"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/tenant"
	"gongkai/internal/webhook"
	"gongkai/internal/workday"
	"gongkai/web"
)

// Deps are the services the console calls and the settings it needs.
type Deps struct {
	// BaseURL is the public URL of the service; a sign-in form posted from
	// another origin is refused.
	BaseURL string
	// SecureCookies marks the console's cookies Secure (HTTPS deployments).
	SecureCookies bool
	// Location is the city's time zone for dates and times; default
	// Asia/Shanghai.
	Location *time.Location
	// Tenants lists the bureaus for the switcher.
	Tenants *tenant.Service
	// Authz answers which bureaus and roles the signed-in user has.
	Authz *authz.Authorizer
	// Identity signs people in and manages members, tokens and passwords.
	Identity *identity.Service
	// Audit reads the audit trail.
	Audit *audit.Service
	// Requests are the disclosure requests (依申请公开).
	Requests *request.Service
	// Notify is the inbox (the bell) and mail preferences; nil hides them.
	Notify *notify.Service
	// Catalog is the disclosure catalog, for the home page's review and
	// publication-deadline lists.
	Catalog *catalog.Service
	// Reports are the annual reports (年度报告).
	Reports *report.Service
	// Appeals are the reconsideration and litigation cases (行政复议、行政诉讼).
	Appeals *appeal.Service
	// Inquiries are the registered inquiries (咨询登记).
	Inquiries *inquiry.Service
	// Oversight is the city's cross-bureau view (统计监督).
	Oversight *oversight.Service
	// Webhooks are the bureau's webhook endpoints and their deliveries.
	Webhooks *webhook.Service
	// Reminders holds the bureau's reminder thresholds and recipients.
	Reminders *reminder.Service
	// Log receives server errors.
	Log *slog.Logger
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Cookie names.
const (
	sessionCookie = "gk_session" // the same cookie the API accepts (api.SessionCookie)
	flashCookie   = "gk_flash"
	langCookie    = "gk_lang"
)

type handler struct {
	deps     Deps
	messages Messages
	pages    map[string]*template.Template
}

// pageFunc is a handler of a signed-in page.
type pageFunc func(w http.ResponseWriter, r *http.Request, p *page)

// New parses the console templates and catalogs once and returns the
// console handler; it expects full paths (/console/...).
func New(deps Deps) (http.Handler, error) {
	if deps.Location == nil {
		deps.Location = workday.ChinaTime
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
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
	var user route = func(pattern string, fn pageFunc) { mux.HandleFunc(pattern, h.authenticated(false, fn)) }
	var bureau route = func(pattern string, fn pageFunc) { mux.HandleFunc(pattern, h.authenticated(true, fn)) }

	user("GET /console/{$}", h.start)
	user("POST /console/logout", h.logout)
	user("POST /console/switch", h.switchBureau)
	user("GET /console/notifications", h.notifications)
	user("POST /console/notifications/read-all", h.markAllRead)
	user("POST /console/notifications/{id}/read", h.markRead)
	user("GET /console/notifications/settings", h.notificationSettings)
	user("POST /console/notifications/settings", h.notificationSettings)
	user("GET /console/settings", h.settings)
	user("POST /console/settings/language", h.setLanguage)
	user("POST /console/settings/password", h.changePassword)
	user("POST /console/settings/logout-everywhere", h.logoutEverywhere)

	bureau("GET /console/{bureau}/{$}", h.home)
	bureau("GET /console/{bureau}/members", h.members)
	bureau("POST /console/{bureau}/members", h.addMember)
	bureau("POST /console/{bureau}/members/{username}/roles", h.setRoles)
	bureau("GET /console/{bureau}/members/{username}/remove", h.confirmRemove)
	bureau("POST /console/{bureau}/members/{username}/remove", h.removeMember)
	bureau("POST /console/{bureau}/tokens", h.createToken)
	bureau("GET /console/{bureau}/tokens/{id}/revoke", h.confirmRevoke)
	bureau("POST /console/{bureau}/tokens/{id}/revoke", h.revokeToken)
	bureau("GET /console/{bureau}/audit", h.auditLog)
	bureau("GET /console/{bureau}/audit.csv", h.auditCSV)
	bureau("GET /console/{bureau}/requests", h.requests)
	bureau("GET /console/{bureau}/requests/new", h.newRequestForm)
	bureau("POST /console/{bureau}/requests/new", h.registerRequest)
	bureau("GET /console/{bureau}/requests/{id}", h.requestDetail)
	bureau("GET /console/{bureau}/requests/applicant-data", h.applicantData)
	bureau("POST /console/{bureau}/requests/applicant-data", h.applicantData)
	bureau("POST /console/{bureau}/requests/{id}/act", h.actOnRequest)
	bureau("POST /console/{bureau}/requests/{id}/assign", h.assignRequest)
	bureau("POST /console/{bureau}/requests/{id}/reply", h.replyToRequest)
	bureau("POST /console/{bureau}/requests/{id}/letters", h.issueLetter)
	bureau("GET /console/{bureau}/requests/{id}/letters/{letter}", h.printLetter)
	h.catalogRoutes(bureau)
	h.reportRoutes(bureau)
	h.reportExportRoutes(bureau)
	h.appealRoutes(bureau)
	h.oversightRoutes(bureau)
	h.cityReportRoutes(bureau) // the city report (cityreport.go)
	h.webhookRoutes(bureau)
	user("/console/", func(w http.ResponseWriter, r *http.Request, p *page) {
		h.fail(w, r, p, fault.New(fault.NotFound, "page not found"))
	})
	return mux, nil
}

// route registers a console page: a pattern and its handler.
type route func(pattern string, fn pageFunc)

var funcs = template.FuncMap{
	"has": func(list []string, s string) bool { return slices.Contains(list, s) },
	// isHandler reports whether the optional handler id is id.
	"isHandler": func(handler *int64, id int64) bool { return handler != nil && *handler == id },
}

// page is what every console template receives; Data is the page's own,
// typed per page.
type page struct {
	h *handler
	// ctx is the request's context (for the checks the template makes).
	ctx     context.Context
	Locale  string
	Title   string
	Crumbs  []crumb
	User    *identity.User
	Session *identity.Session
	Actor   authz.Actor
	// Bureau is the bureau the page is about: from the path, or on
	// pages about the user (settings) the session's current bureau.
	Bureau   tenant.Tenant
	Bureaus  []bureauOption
	Roles    []string
	Overseer bool
	Flash    string
	// Unread is the number of unread notifications (the bell).
	Unread int
	// Area is the navigation area the page belongs to.
	Area string
	Data any
	// Errors are field errors of a form shown again; General is a message
	// above the form.
	Errors  map[string]string
	General string
}

type crumb struct{ Name, URL string }

// bureauOption is a bureau in the switcher; Depth indents affiliated units
// under their bureau.
type bureauOption struct {
	tenant.Tenant
	Depth int
}

// T returns the UI text of key in the page's locale.
func (p *page) T(key string) string { return p.h.messages.T(p.Locale, key) }

// Tf returns the text of key with {name} placeholders filled from
// name, value pairs.
func (p *page) Tf(key string, vars ...string) string {
	return p.h.messages.Fill(p.Locale, key, vars...)
}

// Label returns the catalog text of prefix.code, or fallback when the
// catalog has none (domain labels such as channels are Chinese in the
// domain packages; the catalogs give them in English).
func (p *page) Label(prefix, code, fallback string) string {
	if p.h.messages.Has(p.Locale, prefix+"."+code) {
		return p.T(prefix + "." + code)
	}
	if fallback == "" {
		return code
	}
	return fallback
}

// HasLabel reports whether the catalog names prefix.code.
func (p *page) HasLabel(prefix, code string) bool { return p.h.messages.Has(p.Locale, prefix+"."+code) }

// AuditActions lists the audit actions the catalog names, for the audit
// filter's suggestions.
func (p *page) AuditActions() []string {
	var out []string
	for k := range p.h.messages[p.Locale] {
		if a, ok := strings.CutPrefix(k, "audit.action."); ok {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

// Msg returns the message of a service error in the page's locale.
func (p *page) Msg(msg string) string { return p.h.messages.Service(p.Locale, msg) }

// List joins items as the locale lists them (、 in Chinese).
func (p *page) List(items []string) string { return strings.Join(items, p.T("common.list_sep")) }

// Date formats a date for the locale: 2026年3月19日, 19 Mar 2026.
func (p *page) Date(d workday.Date) string { return p.h.messages.Date(p.Locale, d, false) }

// DateW formats a date with its weekday, for deadlines: 2026年3月19日 星期四.
func (p *page) DateW(d workday.Date) string { return p.h.messages.Date(p.Locale, d, true) }

// Time formats an instant in the city's time zone.
func (p *page) Time(t time.Time) string { return p.h.messages.Time(p.Locale, t, p.h.deps.Location) }

// TimeP formats an optional instant.
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

// Base is the path of the page's bureau: /console/{slug}.
func (p *page) Base() string {
	if p.Bureau.Slug == "" {
		return "/console"
	}
	return "/console/" + p.Bureau.Slug
}

// BureauName is the bureau's name in the page's locale.
func (p *page) BureauName(t tenant.Tenant) string {
	if p.Locale == "en" && t.Spec.NameEN != "" {
		return t.Spec.NameEN
	}
	return t.Name
}

// Can reports whether the page's actor may do act on obj in the bureau
// (for showing or hiding controls; the services check again).
func (p *page) Can(obj, act string) bool {
	if p.Bureau.ID == 0 {
		return false
	}
	ctx := p.ctx
	if ctx == nil { // a page made before the user was known
		ctx = context.Background()
	}
	ok, err := p.h.deps.Authz.Allowed(ctx, p.Actor, p.Bureau.ID, obj, act)
	return err == nil && ok
}

// RoleLabel is the UI name of a role.
func (p *page) RoleLabel(role string) string { return p.Label("role", role, role) }

// RoleLabels lists the UI names of roles.
func (p *page) RoleLabels(roles []string) string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = p.RoleLabel(r)
	}
	return p.List(out)
}

// navItem is one entry of the area navigation.
type navItem struct {
	Area, Label, URL string
	Current          bool
}

// Nav lists the areas the user can open: every area of the bureau, 统计监督
// for overseers, 用户与角色 and 审计日志 for those allowed to read them.
func (p *page) Nav() []navItem {
	var out []navItem
	add := func(area, url string) {
		out = append(out, navItem{Area: area, Label: p.T("nav." + area), URL: url, Current: p.Area == area})
	}
	if p.Bureau.ID != 0 {
		b := p.Base()
		add("home", b+"/")
		add("catalog", b+"/catalog")
		add("requests", b+"/requests")
		add("appeals", b+"/appeals")
		add("inquiries", b+"/inquiries")
		add("reports", b+"/reports")
		if p.Overseer {
			add("oversight", b+"/oversight")
			add("city-report", b+"/city-report")
		}
		if p.Can("members", "read") {
			add("members", b+"/members")
		}
		if p.Can("audit", "read") {
			add("audit", b+"/audit")
		}
		if p.Can("webhooks", "read") {
			add("webhooks", b+"/webhooks")
		}
		if p.Can("settings", "write") {
			add("reminders", b+"/reminders")
		}
	} else {
		add("home", "/console/")
	}
	add("settings", "/console/settings")
	return out
}

// authenticated loads the session, the user, the bureaus and (for scoped
// pages) the bureau of the path, checks the CSRF token of a POST, then
// calls fn. A bureau the user cannot see answers 404.
func (h *handler) authenticated(scoped bool, fn pageFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			h.toLogin(w, r, false)
			return
		}
		sess, u, err := h.deps.Identity.Authenticate(r.Context(), c.Value)
		if err != nil {
			if fault.Is(err, fault.Unauthenticated) {
				h.clearCookie(w, sessionCookie)
				h.toLogin(w, r, true)
				return
			}
			h.fail(w, r, h.anonPage(r), err)
			return
		}
		p := &page{h: h, ctx: r.Context(), Locale: normLocale(u.Locale), User: u, Session: sess, Errors: map[string]string{}}
		p.Actor = authz.Actor{Subject: u.Subject(), UserID: u.ID, Name: u.DisplayName, IP: clientIP(r), RequestID: httpx.RequestID(r.Context())}
		slug := ""
		if scoped {
			slug = r.PathValue("bureau")
		}
		found, err := h.loadBureaus(r.Context(), p, slug)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		r = r.WithContext(authz.WithActor(r.Context(), p.Actor))
		if h.deps.Notify != nil {
			if n, err := h.deps.Notify.UnreadCount(r.Context(), u.ID); err == nil {
				p.Unread = n
			}
		}
		if f, err := r.Cookie(flashCookie); err == nil {
			p.Flash = h.readFlash(p.Locale, f.Value)
			h.clearCookie(w, flashCookie)
		}
		if !found {
			h.fail(w, r, p, fault.New(fault.NotFound, "bureau not found"))
			return
		}
		if r.Method == http.MethodPost {
			parse := r.ParseForm
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") { // file uploads (catalog import)
				r.Body = http.MaxBytesReader(w, r.Body, maxUploadBytes)
				parse = func() error { return r.ParseMultipartForm(maxUploadBytes) }
			}
			if err := parse(); err != nil {
				h.fail(w, r, p, fault.New(fault.Invalid, "the form could not be read"))
				return
			}
			if err := sess.CheckCSRF(r.PostFormValue("csrf")); err != nil {
				h.failWith(w, r, p, http.StatusForbidden, p.T("error.csrf"))
				return
			}
		}
		fn(w, r, p)
	}
}

// maxUploadBytes bounds a form with a file (multipart/form-data).
const maxUploadBytes = 20 << 20

// toLogin sends a visitor without a (valid) session to the sign-in page,
// remembering where they were going.
func (h *handler) toLogin(w http.ResponseWriter, r *http.Request, expired bool) {
	q := url.Values{}
	if r.Method == http.MethodGet && r.URL.Path != "/console/" {
		q.Set("next", r.URL.RequestURI())
	}
	if expired {
		q.Set("expired", "1")
	}
	to := "/console/login"
	if len(q) > 0 {
		to += "?" + q.Encode()
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// loadBureaus fills the switcher with the bureaus the user may see (all of
// them for overseers and the platform admin), picks the page's bureau (the
// one named by slug, else the session's current one, else the first) and
// the user's roles there. found is false when slug names no bureau the user
// may see.
func (h *handler) loadBureaus(ctx context.Context, p *page, slug string) (found bool, err error) {
	ids, cross, err := h.deps.Authz.TenantsOf(ctx, p.User.Subject())
	if err != nil {
		return false, err
	}
	all, err := h.deps.Tenants.List(ctx)
	if err != nil {
		return false, err
	}
	p.Overseer = cross
	var visible []tenant.Tenant
	for _, t := range all {
		if cross || slices.Contains(ids, t.ID) {
			visible = append(visible, t)
		}
	}
	p.Bureaus = bureauTree(visible)
	pick := func(match func(tenant.Tenant) bool) bool {
		for _, t := range visible {
			if match(t) {
				p.Bureau = t
				return true
			}
		}
		return false
	}
	found = slug == "" || pick(func(t tenant.Tenant) bool { return t.Slug == slug })
	if slug == "" || !found {
		// The session's current bureau, else the first; a page that is
		// not found still shows the navigation of one.
		if !pick(func(t tenant.Tenant) bool { return t.ID == p.Session.CurrentTenant() }) && len(p.Bureaus) > 0 {
			p.Bureau = p.Bureaus[0].Tenant
		}
	}
	p.Actor.TenantID = p.Bureau.ID
	p.Roles, err = h.deps.Authz.RolesOf(ctx, p.Actor, p.Bureau.ID)
	return found, err
}

// bureauTree orders bureaus with each affiliated unit under its parent.
func bureauTree(ts []tenant.Tenant) []bureauOption {
	present := map[int64]bool{}
	for _, t := range ts {
		present[t.ID] = true
	}
	var out []bureauOption
	var walk func(parent int64, depth int)
	walk = func(parent int64, depth int) {
		for _, t := range ts {
			isRoot := depth == 0 && (t.ParentID == 0 || !present[t.ParentID])
			if (depth == 0 && isRoot) || (depth > 0 && t.ParentID == parent) {
				out = append(out, bureauOption{Tenant: t, Depth: depth})
				if depth < 3 {
					walk(t.ID, depth+1)
				}
			}
		}
	}
	walk(0, 0)
	return out
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
	if p.Crumbs == nil && p.Area != "home" && p.Area != "" {
		p.Crumbs = []crumb{{Name: p.Title}}
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

// errorData is what the error page shows.
type errorData struct {
	Status    int
	Heading   string
	Message   string
	RequestID string
}

// fail renders the error page for err: 404 for what does not exist or is
// another bureau's, 403 for a missing permission, the service's message for
// other client errors, and a generic message (with the request ID) for
// server errors, which are logged.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, p *page, err error) {
	status := fault.HTTPStatus(err)
	if p == nil {
		p = h.anonPage(r)
	}
	var msg string
	switch {
	case status == http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "5")
		msg = p.T("error.unavailable")
	case status >= 500:
		h.deps.Log.ErrorContext(r.Context(), "console", "error", err, "path", r.URL.Path, "request_id", httpx.RequestID(r.Context()))
		msg = p.T("error.generic")
	case fault.Is(err, fault.NotFound):
		msg = p.T("error.not_found")
	case fault.Is(err, fault.Forbidden):
		msg = p.T("error.forbidden")
	default:
		msg = p.Msg(fault.MessageOf(err))
	}
	h.failWith(w, r, p, status, msg)
}

// failWith renders the error page with a status and a message.
func (h *handler) failWith(w http.ResponseWriter, r *http.Request, p *page, status int, msg string) {
	heading := "error.title"
	switch status {
	case http.StatusNotFound:
		heading = "error.title_404"
	case http.StatusForbidden:
		heading = "error.title_403"
	}
	p.Title = p.T(heading)
	p.Crumbs = []crumb{{Name: p.Title}}
	p.General = ""
	d := errorData{Status: status, Heading: p.Title, Message: msg}
	if status >= 500 {
		d.RequestID = httpx.RequestID(r.Context())
	}
	p.Data = d
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	h.render(w, r, status, "error", p)
}

// flash sets a one-shot message shown on the next page, then redirects.
// The cookie holds a catalog key and one value, never text, so a cookie
// planted by someone else cannot put words on the page.
func (h *handler) flash(w http.ResponseWriter, r *http.Request, to, key, value string) {
	v := url.Values{"k": {key}}
	if value != "" {
		v.Set("v", value)
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: v.Encode(), Path: "/console/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.deps.SecureCookies, MaxAge: 60})
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// readFlash returns the text of a flash cookie, "" when it is not one.
func (h *handler) readFlash(locale, raw string) string {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return ""
	}
	key := v.Get("k")
	if !strings.HasPrefix(key, "flash.") || !h.messages.Has(DefaultLocale, key) {
		return ""
	}
	return h.messages.Fill(locale, key, "value", v.Get("v"))
}

func (h *handler) clearCookie(w http.ResponseWriter, name string) {
	path := "/console/"
	if name == sessionCookie {
		path = "/"
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.deps.SecureCookies})
}

// formErrors puts the field errors of a service error next to the fields
// (in the page's locale) and reports whether there were any.
func formErrors(p *page, err error) bool {
	fields := fault.FieldsOf(err)
	if len(fields) == 0 {
		return false
	}
	for _, f := range fields {
		p.Errors[f.Field] = p.Msg(f.Message)
	}
	p.General = p.T("error.fix")
	return true
}

// formError shows err with the form: field errors next to the fields,
// refusals and conflicts above it. It reports false for other errors,
// which the caller renders as an error page.
func formError(p *page, err error) bool {
	if formErrors(p, err) {
		return true
	}
	if fault.Is(err, fault.Forbidden) || fault.Is(err, fault.Conflict) || fault.Is(err, fault.Invalid) {
		p.General = p.Msg(fault.MessageOf(err))
		return true
	}
	return false
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// safeNext keeps a post-sign-in redirect inside the console.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") &&
		!strings.HasPrefix(next, "/console/login") {
		return next
	}
	return "/console/"
}
