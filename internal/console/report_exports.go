package console

import (
	"net/http"
	"strconv"
	"strings"

	"gongkai/internal/fault"
	"gongkai/internal/report"
)

// reportExportRoutes registers the page of a year's generated report files:
// generating the annual report (Art. 49–50 of the Regulations) as HTML,
// XLSX or JSON runs as a job; the page follows its progress and offers the
// finished files for download.
func (h *handler) reportExportRoutes(bureau route) {
	bureau("GET /console/{bureau}/reports/{year}/exports", h.reportExports)
	bureau("POST /console/{bureau}/reports/{year}/exports", h.createReportExport)
	bureau("GET /console/{bureau}/reports/{year}/exports/{id}/file", h.downloadReportExport)
}

type reportExportsData struct {
	Year     int
	Exports  []report.Export
	Formats  []string
	CanWrite bool
	// Running is true while an export is queued or being worked: the page
	// then refreshes itself.
	Running bool
}

// exportYear reads the year of the path; a year that is not one answers 404.
func (h *handler) exportYear(w http.ResponseWriter, r *http.Request, p *page) (int, bool) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || year < 2008 || year > 2200 {
		h.fail(w, r, p, fault.New(fault.NotFound, "report year not found"))
		return 0, false
	}
	return year, true
}

// reportExports lists the year's generated files with their state and
// progress, with buttons to generate new ones.
func (h *handler) reportExports(w http.ResponseWriter, r *http.Request, p *page) {
	year, ok := h.exportYear(w, r, p)
	if !ok {
		return
	}
	es, err := h.deps.Reports.Exports(r.Context(), p.Bureau.ID, year)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d := reportExportsData{Year: year, Exports: es, Formats: report.ExportFormats, CanWrite: p.Can("report", "write")}
	for i := range es {
		d.Running = d.Running || es[i].Running()
	}
	p.Area = "reports"
	p.Title = p.Tf("exports.title", "year", strconv.Itoa(year))
	p.Crumbs = []crumb{{Name: p.T("nav.reports"), URL: p.Base() + "/reports"}, {Name: p.Title}}
	p.Data = d
	h.render(w, r, http.StatusOK, "report_exports", p)
}

// createReportExport queues the generation of a file in the chosen format.
func (h *handler) createReportExport(w http.ResponseWriter, r *http.Request, p *page) {
	year, ok := h.exportYear(w, r, p)
	if !ok {
		return
	}
	format := r.PostFormValue("format")
	if _, err := h.deps.Reports.CreateExport(r.Context(), p.Bureau.ID, p.Bureau.Name, year, format); err != nil {
		h.fail(w, r, p, err)
		return
	}
	h.flash(w, r, p.Base()+"/reports/"+strconv.Itoa(year)+"/exports", "flash.export_queued", strings.ToUpper(format))
}

// downloadReportExport sends a finished file as an attachment.
func (h *handler) downloadReportExport(w http.ResponseWriter, r *http.Request, p *page) {
	year, ok := h.exportYear(w, r, p)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, p, fault.New(fault.NotFound, "report export not found"))
		return
	}
	e, err := h.deps.Reports.ExportFile(r.Context(), p.Bureau.ID, id)
	if err == nil && e.Year != year {
		err = fault.New(fault.NotFound, "report export not found")
	}
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	w.Header().Set("Content-Type", e.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="`+e.FileName()+`"`)
	w.Header().Set("Content-Length", strconv.FormatInt(int64(len(e.Content)), 10))
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(e.Content)
}
