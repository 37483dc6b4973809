package console

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gongkai/internal/fault"
)

type loginData struct {
	Username string
	Next     string
}

// anonPage is the page of a visitor who is not signed in; the language
// comes from the gk_lang cookie.
func (h *handler) anonPage(r *http.Request) *page {
	p := &page{h: h, Locale: DefaultLocale, Errors: map[string]string{}}
	if c, err := r.Cookie(langCookie); err == nil {
		p.Locale = normLocale(c.Value)
	}
	return p
}

// sameOrigin reports whether a form posted without a session came from
// this site: a browser names the origin of every POST, and one from another
// site is refused (a forged sign-in would log the victim into the forger's
// account). Clients that send no Origin are not browsers and pass.
func (h *handler) sameOrigin(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Host == r.Host {
		return true
	}
	base, err := url.Parse(h.deps.BaseURL)
	return err == nil && base.Host != "" && u.Host == base.Host
}

func (h *handler) loginPage(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if _, _, err := h.deps.Identity.Authenticate(r.Context(), c.Value); err == nil {
			http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
			return
		}
	}
	p := h.anonPage(r)
	p.Title = p.T("login.title")
	p.Data = loginData{Next: next}
	if r.URL.Query().Get("expired") != "" {
		p.General = p.T("login.expired")
	}
	h.render(w, r, http.StatusOK, "login", p)
}

// login signs in. A wrong password and an unknown account get the same
// answer, and so do throttled attempts for both.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	p := h.anonPage(r)
	p.Title = p.T("login.title")
	if !h.sameOrigin(r) {
		h.failWith(w, r, p, http.StatusForbidden, p.T("error.csrf"))
		return
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, p, fault.New(fault.Invalid, "the form could not be read"))
		return
	}
	username, next := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("next")
	secret, sess, err := h.deps.Identity.Login(r.Context(), username, r.PostFormValue("password"), clientIP(r), r.UserAgent())
	if err != nil {
		switch {
		case fault.Is(err, fault.TooMany), fault.Is(err, fault.Unauthenticated):
			p.General = p.Msg(fault.MessageOf(err))
		default:
			h.fail(w, r, p, err)
			return
		}
		p.Data = loginData{Username: username, Next: next}
		h.render(w, r, fault.HTTPStatus(err), "login", p)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: h.deps.SecureCookies, Expires: sess.ExpiresAt})
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request, p *page) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := h.deps.Identity.Logout(r.Context(), c.Value); err != nil {
			h.fail(w, r, p, err)
			return
		}
	}
	h.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

// anonLanguage switches the language of the sign-in page (a cookie; a
// signed-in user's language is stored on the user).
func (h *handler) anonLanguage(w http.ResponseWriter, r *http.Request) {
	if !h.sameOrigin(r) {
		p := h.anonPage(r)
		h.failWith(w, r, p, http.StatusForbidden, p.T("error.csrf"))
		return
	}
	lang := normLocale(r.FormValue("locale"))
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/console/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: h.deps.SecureCookies, MaxAge: 365 * 24 * 3600})
	to := "/console/login"
	if next := r.FormValue("next"); next != "" {
		to += "?next=" + url.QueryEscape(safeNext(next))
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// start is /console/: the home of the session's current bureau.
func (h *handler) start(w http.ResponseWriter, r *http.Request, p *page) {
	if p.Bureau.ID != 0 {
		http.Redirect(w, r, p.Base()+"/", http.StatusSeeOther)
		return
	}
	h.home(w, r, p)
}

// switchAreas are the areas the switcher keeps when it changes bureau.
var switchAreas = []string{"catalog", "requests", "appeals", "inquiries", "reports", "oversight", "members", "audit"}

// switchBureau makes another bureau the session's current one and opens
// the same area there.
func (h *handler) switchBureau(w http.ResponseWriter, r *http.Request, p *page) {
	i := slices.IndexFunc(p.Bureaus, func(b bureauOption) bool { return b.Slug == r.PostFormValue("bureau") })
	if i < 0 {
		h.fail(w, r, p, fault.New(fault.NotFound, "bureau not found"))
		return
	}
	b := p.Bureaus[i].Tenant
	if err := h.deps.Identity.SwitchTenant(r.Context(), p.Session, b.ID); err != nil {
		h.fail(w, r, p, err)
		return
	}
	to := "/console/" + b.Slug + "/"
	if area := r.PostFormValue("area"); slices.Contains(switchAreas, area) {
		to += area
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// atoi64 parses a path id; 0 when it is not one.
func atoi64(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
