package console

import (
	"net/http"

	"gongkai/internal/fault"
)

type loginData struct {
	Username string
	Next     string
}

func (h *handler) anonPage(r *http.Request) *page {
	p := &page{h: h, Locale: DefaultLocale, Errors: map[string]string{}}
	if c, err := r.Cookie(langCookie); err == nil && c.Value == "en" {
		p.Locale = "en"
	}
	return p
}

func (h *handler) loginPage(w http.ResponseWriter, r *http.Request) {
	p := h.anonPage(r)
	p.Title = p.T("login.title")
	p.Data = loginData{Next: r.URL.Query().Get("next")}
	if r.URL.Query().Get("expired") != "" {
		p.General = p.T("login.expired")
	}
	h.render(w, r, http.StatusOK, "login", p)
}

func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	p := h.anonPage(r)
	p.Title = p.T("login.title")
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, p, fault.New(fault.Invalid, "the form could not be read"))
		return
	}
	username, next := r.PostFormValue("username"), r.PostFormValue("next")
	secret, sess, err := h.deps.Identity.Login(r.Context(), username, r.PostFormValue("password"), clientIP(r), r.UserAgent())
	if err != nil {
		status := fault.HTTPStatus(err)
		switch {
		case fault.Is(err, fault.TooMany):
			p.General = p.T("login.throttled")
		case fault.Is(err, fault.Unauthenticated):
			p.General = p.T("login.failed")
		default:
			h.fail(w, r, p, err)
			return
		}
		p.Data = loginData{Username: username, Next: next}
		h.render(w, r, status, "login", p)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: h.deps.SecureCookies, Expires: sess.ExpiresAt})
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request, p *page) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = h.deps.Identity.Logout(r.Context(), c.Value)
	}
	h.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// anonLanguage switches the language of the sign-in page (a cookie).
func (h *handler) anonLanguage(w http.ResponseWriter, r *http.Request) {
	lang := "zh-CN"
	if r.FormValue("locale") == "en" {
		lang = "en"
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/console/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: h.deps.SecureCookies, MaxAge: 365 * 24 * 3600})
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

func (h *handler) switchBureau(w http.ResponseWriter, r *http.Request, p *page) {
	var id int64
	for _, t := range p.Bureaus {
		if t.Slug == r.PostFormValue("bureau") {
			id = t.ID
		}
	}
	if id == 0 {
		h.fail(w, r, p, fault.New(fault.NotFound, "bureau not found"))
		return
	}
	if err := h.deps.Identity.SwitchTenant(r.Context(), p.Session, id); err != nil {
		h.fail(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/console/", http.StatusSeeOther)
}
