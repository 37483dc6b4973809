package portal

import (
	"net/http"
	"strconv"

	"gongkai/internal/fault"
	"gongkai/internal/report"
	"gongkai/internal/tenant"
)

type reportsData struct {
	Tenant  tenant.Tenant
	Reports []report.Stored
}

// serveReports lists the bureau's published annual reports (Art. 50).
func (h *handler) serveReports(w http.ResponseWriter, r *http.Request) {
	t, err := h.deps.Tenants.BySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rs, err := h.deps.Reports.Published(r.Context(), t.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, h.reports, page[reportsData]{Title: t.Name + " - 政府信息公开工作年度报告",
		Crumbs: []Crumb{{Name: "首页", URL: "/"}, {Name: t.Name, URL: "/b/" + t.Slug + "/"}, {Name: "年度报告"}}, Data: reportsData{Tenant: t, Reports: rs}})
}

// serveReport shows one published report in the official layout; ?v=N
// shows an earlier (superseded) version.
func (h *handler) serveReport(w http.ResponseWriter, r *http.Request) {
	t, err := h.deps.Tenants.BySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		h.fail(w, r, fault.New(fault.NotFound, "no such report"))
		return
	}
	rs, err := h.deps.Reports.Published(r.Context(), t.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	want, _ := strconv.Atoi(r.URL.Query().Get("v"))
	for i := range rs {
		if rs[i].Year == year && (want == 0 || rs[i].Version == want) {
			doc, err := h.deps.Reports.Document(r.Context(), t.ID, t.Name, &rs[i])
			if err != nil {
				h.fail(w, r, err)
				return
			}
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			if rs[i].PublishedAt != nil {
				w.Header().Set("Last-Modified", rs[i].PublishedAt.UTC().Format(http.TimeFormat))
			}
			if err := report.WriteHTML(w, doc); err != nil {
				h.deps.Log.ErrorContext(r.Context(), "render report", "error", err)
			}
			return
		}
	}
	h.fail(w, r, fault.New(fault.NotFound, "no published report for %d", year))
}
