package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/audit"
)

// auditPerPage is the length of a page of the audit log.
const auditPerPage = 50

type auditData struct {
	Base                    string // /console/{bureau}/audit
	Events                  []audit.Event
	Actor, Action, From, To string
	// All asks for every bureau's events (overseers and the platform
	// admin, who may read them all).
	All, CanAll bool
	Before      int64
	// Next is the cursor of the next (older) page, 0 on the last.
	Next        int64
	BureauNames map[int64]string
}

// query is the filter as URL parameters, with extra ones added.
func (d *auditData) query(extra ...string) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"actor": d.Actor, "action": d.Action, "from": d.From, "to": d.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if d.All {
		q.Set("all", "1")
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// NextURL is the page of older events.
func (d *auditData) NextURL() string {
	return withQuery(d.Base, d.query("before", strconv.FormatInt(d.Next, 10)))
}

// FirstURL is the newest page with the same filter.
func (d *auditData) FirstURL() string { return withQuery(d.Base, d.query()) }

// CSVURL exports every event matching the filter.
func (d *auditData) CSVURL() string { return withQuery(d.Base+".csv", d.query()) }

// Bureau names the bureau of an event in the all-bureaus view.
func (d *auditData) Bureau(id int64) string { return d.BureauNames[id] }

// auditFilter reads the filter of the audit page; bad dates are marked
// next to their fields and ok is false.
func (h *handler) auditFilter(r *http.Request, p *page) (audit.Filter, *auditData, bool) {
	p.Area = "audit"
	p.Title = p.T("audit.title")
	q := r.URL.Query()
	d := &auditData{Base: p.Base() + "/audit", Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")), CanAll: p.Overseer, BureauNames: map[int64]string{}}
	d.All = d.CanAll && q.Get("all") == "1"
	f := audit.Filter{TenantID: p.Bureau.ID, Actor: d.Actor, Action: d.Action, Limit: auditPerPage}
	if d.All {
		f.TenantID = 0
		for _, b := range p.Bureaus {
			d.BureauNames[b.ID] = p.BureauName(b.Tenant)
		}
	}
	day := func(field, s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", s, h.deps.Location)
		if err != nil {
			p.Errors[field] = p.T("error.date")
		}
		return t
	}
	f.From = day("from", d.From)
	if to := day("to", d.To); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1) // through the whole day
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		p.Errors["to"] = p.T("audit.to_before_from")
	}
	if len(p.Errors) > 0 {
		p.General = p.T("error.fix")
		return f, d, false
	}
	if v, err := strconv.ParseInt(q.Get("before"), 10, 64); err == nil && v > 0 {
		f.BeforeID, d.Before = v, v
	}
	return f, d, true
}

// auditLog shows the bureau's audit trail, newest first, filtered by
// actor, action and dates, a page at a time.
func (h *handler) auditLog(w http.ResponseWriter, r *http.Request, p *page) {
	f, d, ok := h.auditFilter(r, p)
	status := http.StatusOK
	if ok {
		evs, err := h.deps.Audit.List(r.Context(), f)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		d.Events = evs
		if len(evs) == f.Limit {
			d.Next = evs[len(evs)-1].ID
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	p.Data = d
	h.render(w, r, status, "audit", p)
}

// auditCSV downloads every event matching the filter as CSV.
func (h *handler) auditCSV(w http.ResponseWriter, r *http.Request, p *page) {
	f, d, ok := h.auditFilter(r, p)
	if !ok {
		p.Data = d
		h.render(w, r, http.StatusUnprocessableEntity, "audit", p)
		return
	}
	f.Limit = 500
	var all []audit.Event
	for {
		evs, err := h.deps.Audit.List(r.Context(), f)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		all = append(all, evs...)
		if len(evs) < f.Limit {
			break
		}
		f.BeforeID = evs[len(evs)-1].ID
	}
	name := "audit-" + p.Bureau.Slug
	if d.All {
		name = "audit-all"
	}
	name += "-" + h.deps.Now().In(h.deps.Location).Format("20060102") + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := audit.WriteCSV(w, all); err != nil {
		h.deps.Log.ErrorContext(r.Context(), "console: audit CSV", "error", err)
	}
}
