package console

import (
	"net/http"

	"gongkai/internal/fault"
)

type settingsData struct {
	Locales []string
}

func (h *handler) showSettings(w http.ResponseWriter, r *http.Request, p *page, status int) {
	p.Area = "settings"
	p.Title = p.T("settings.title")
	p.Data = settingsData{Locales: Locales}
	h.render(w, r, status, "settings", p)
}

// settings shows the user's own settings: language, password, sessions.
func (h *handler) settings(w http.ResponseWriter, r *http.Request, p *page) {
	h.showSettings(w, r, p, http.StatusOK)
}

// setLanguage stores the user's language (identity.SetLocale, audited).
func (h *handler) setLanguage(w http.ResponseWriter, r *http.Request, p *page) {
	if err := h.deps.Identity.SetLocale(r.Context(), p.User.ID, r.PostFormValue("locale")); err != nil {
		if !formError(p, err) {
			h.fail(w, r, p, err)
			return
		}
		h.showSettings(w, r, p, fault.HTTPStatus(err))
		return
	}
	h.flash(w, r, "/console/settings", "flash.language_saved", "")
}

// changePassword checks the current password and the password rules; the
// errors show next to the fields.
func (h *handler) changePassword(w http.ResponseWriter, r *http.Request, p *page) {
	err := h.deps.Identity.ChangePassword(r.Context(), p.User.ID, r.PostFormValue("old_password"), r.PostFormValue("new_password"), p.Session.ID)
	if err == nil {
		h.flash(w, r, "/console/settings", "flash.password_changed", "")
		return
	}
	if !formError(p, err) {
		h.fail(w, r, p, err)
		return
	}
	h.showSettings(w, r, p, fault.HTTPStatus(err))
}

// logoutEverywhere ends every session of the user, this one included.
func (h *handler) logoutEverywhere(w http.ResponseWriter, r *http.Request, p *page) {
	if err := h.deps.Identity.LogoutEverywhere(r.Context(), p.User.ID); err != nil {
		h.fail(w, r, p, err)
		return
	}
	h.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}
