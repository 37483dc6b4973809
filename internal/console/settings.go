package console

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/fault"
)

func (h *handler) settings(w http.ResponseWriter, r *http.Request, p *page) {
	p.Active = "settings"
	h.render(w, r, http.StatusOK, "settings", p)
}

func (h *handler) setLanguage(w http.ResponseWriter, r *http.Request, p *page) {
	if err := h.deps.Identity.SetLocale(r.Context(), p.User.ID, r.PostFormValue("locale")); err != nil {
		h.fail(w, r, p, err)
		return
	}
	p.Locale = r.PostFormValue("locale")
	h.flash(w, r, "/console/settings", p.T("settings.saved"))
}

func (h *handler) changePassword(w http.ResponseWriter, r *http.Request, p *page) {
	err := h.deps.Identity.ChangePassword(r.Context(), p.User.ID, r.PostFormValue("old_password"), r.PostFormValue("new_password"))
	if err == nil {
		h.flash(w, r, "/console/settings", p.T("settings.saved"))
		return
	}
	if !formErrors(p, err) {
		h.fail(w, r, p, err)
		return
	}
	p.Active = "settings"
	h.render(w, r, fault.HTTPStatus(err), "settings", p)
}

func (h *handler) logoutEverywhere(w http.ResponseWriter, r *http.Request, p *page) {
	if err := h.deps.Identity.LogoutEverywhere(r.Context(), p.User.ID); err != nil {
		h.fail(w, r, p, err)
		return
	}
	h.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/console/login", http.StatusSeeOther)
}

type auditData struct {
	Events                  []audit.Event
	Actor, Action, From, To string
	BeforeID, NextBeforeID  int64
}

func (h *handler) auditLog(w http.ResponseWriter, r *http.Request, p *page) {
	p.Active = "audit"
	q := r.URL.Query()
	d := auditData{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")), From: q.Get("from"), To: q.Get("to")}
	f := audit.Filter{TenantID: p.Bureau.ID, Actor: d.Actor, Action: d.Action, Limit: 50}
	if d.From != "" {
		t, err := time.ParseInLocation("2006-01-02", d.From, h.deps.Location)
		if err != nil {
			p.Errors["from"] = "YYYY-MM-DD"
		}
		f.From = t
	}
	if d.To != "" {
		t, err := time.ParseInLocation("2006-01-02", d.To, h.deps.Location)
		if err != nil {
			p.Errors["to"] = "YYYY-MM-DD"
		}
		f.To = t.AddDate(0, 0, 1)
	}
	if v := q.Get("before_id"); v != "" {
		_, _ = fmt.Sscan(v, &f.BeforeID)
		d.BeforeID = f.BeforeID
	}
	if q.Get("format") == "csv" {
		f.Limit = 500
	}
	evs, err := h.deps.Audit.List(r.Context(), f)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	if q.Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="audit-`+p.Bureau.Slug+`.csv"`)
		_ = audit.WriteCSV(w, evs)
		return
	}
	d.Events = evs
	if len(evs) == f.Limit {
		d.NextBeforeID = evs[len(evs)-1].ID
	}
	p.Data = d
	h.render(w, r, http.StatusOK, "audit", p)
}
