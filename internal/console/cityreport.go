package console

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"gongkai/internal/fault"
	"gongkai/internal/oversight"
	"gongkai/internal/report"
	"gongkai/internal/workday"
)

// The city report page (Regulations Art. 49–50): the overseer drafts the
// city-level annual report, edits its narrative, checks the tables and the
// violations, publishes it on the portal by 31 March, and corrects it with a
// new version. The page is under any bureau's path (the overseer sees them
// all); the report itself is the oversight office's.

// cityReportRoutes registers the city report pages.
func (h *handler) cityReportRoutes(bureau route) {
	bureau("GET /console/{bureau}/city-report", h.cityReport)
	bureau("POST /console/{bureau}/city-report/draft", h.cityReportDraft)
	bureau("POST /console/{bureau}/city-report/narrative", h.cityReportNarrative)
	bureau("POST /console/{bureau}/city-report/publish", h.cityReportPublish)
	bureau("GET /console/{bureau}/city-report/document", h.cityReportDocument)
}

// cityViolation is one broken invariant shown on the page: of the city's
// tables (Bureau empty) or of a bureau's in the annex.
type cityViolation struct {
	Bureau string
	report.Violation
}

type cityReportData struct {
	Year  int
	Years []int
	// DueOn is the publication deadline: 31 March of the next year.
	DueOn   workday.Date
	Overdue bool
	// Current is the newest version of the year (nil: none yet).
	Current  *oversight.StoredCityReport
	Versions []oversight.StoredCityReport
	// Narrative is what the narrative form shows.
	Narrative  map[string]string
	Sections   []string
	Violations []cityViolation
	// Document is the body of the report in the official layout: the
	// frozen document of a published version, else the preview.
	Document template.HTML
	Bureaus  int
	CanWrite bool
	// Portal is the public page of the year's published report.
	Portal string
}

// cityYear reads the year from the query or form: by default the year
// whose report is due this year.
func (h *handler) cityYear(r *http.Request) int {
	if y, err := strconv.Atoi(r.FormValue("year")); err == nil && y >= 2008 && y <= 2200 {
		return y
	}
	return workday.FromTime(h.deps.Now(), h.deps.Location).Year - 1
}

// cityOverseer refuses the page to anyone without a cross-bureau role.
func (h *handler) cityOverseer(w http.ResponseWriter, r *http.Request, p *page) bool {
	if !p.Overseer || h.deps.Oversight == nil {
		h.fail(w, r, p, fault.New(fault.Forbidden, "the city report is for the city overseers"))
		return false
	}
	return true
}

func (h *handler) cityReport(w http.ResponseWriter, r *http.Request, p *page) {
	if !h.cityOverseer(w, r, p) {
		return
	}
	h.renderCityReport(w, r, p, h.cityYear(r), nil, http.StatusOK)
}

// renderCityReport shows the year's page; narrative, when not nil, is a
// form shown again with its errors.
func (h *handler) renderCityReport(w http.ResponseWriter, r *http.Request, p *page, year int, narrative map[string]string, status int) {
	p.Area = "city-report"
	p.Title = p.T("nav.city-report")
	ov := h.deps.Oversight
	ctx := r.Context()
	today := workday.FromTime(h.deps.Now(), h.deps.Location)
	d := cityReportData{Year: year, DueOn: workday.Date{Year: year + 1, Month: oversight.CityDueMonth, Day: oversight.CityDueDay},
		Sections: []string{report.SectionOverview, report.SectionProblems, report.SectionOther}}
	for y := today.Year; y >= today.Year-5 && y >= 2008; y-- {
		d.Years = append(d.Years, y)
	}
	ok, err := h.deps.Authz.Allowed(ctx, p.Actor, 0, "city_report", "write")
	d.CanWrite = err == nil && ok
	vs, err := ov.CityVersions(ctx, year)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d.Versions = vs
	if len(vs) > 0 {
		d.Current = &vs[0]
	}
	published := false
	for _, v := range vs {
		if v.State == oversight.CityStatePublished {
			published = true
			d.Portal = "/city/reports/" + strconv.Itoa(year)
		}
	}
	d.Overdue = !published && today.After(d.DueOn)
	var body []byte
	if d.Current != nil && d.Current.State == oversight.CityStatePublished {
		full, err := ov.CityPublishedVersion(ctx, year, d.Current.Version)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		frozen, err := full.Frozen()
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		if frozen != nil {
			d.Bureaus = len(frozen.Annex)
		}
		if full.Document != nil {
			body = []byte(*full.Document)
		}
	} else {
		cr, _, err := ov.CityPreview(ctx, year)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		d.Bureaus = len(cr.Annex)
		for _, v := range cr.Violations {
			d.Violations = append(d.Violations, cityViolation{Violation: v})
		}
		for _, a := range cr.Annex {
			for _, v := range a.Violations {
				d.Violations = append(d.Violations, cityViolation{Bureau: a.Bureau.Name, Violation: v})
			}
		}
		d.Narrative = cr.Document().Narrative
		var buf bytes.Buffer
		if err := cr.WriteHTML(&buf); err != nil {
			h.fail(w, r, p, fault.Wrap(err, fault.Internal, "render the city report"))
			return
		}
		body = buf.Bytes()
	}
	if narrative != nil {
		d.Narrative = narrative
	}
	d.Document = documentBody(body)
	p.Data = d
	h.render(w, r, status, "cityreport", p)
}

// documentBody returns what is between <body> and </body> of a document
// rendered by package report (html/template escaped every value), its
// headings one level down under the page's own heading.
func documentBody(doc []byte) template.HTML {
	if i := bytes.Index(doc, []byte("<body>")); i >= 0 {
		doc = doc[i+len("<body>"):]
	}
	if i := bytes.LastIndex(doc, []byte("</body>")); i >= 0 {
		doc = doc[:i]
	}
	for _, h := range [][2]string{{"h2>", "h3>"}, {"h1>", "h2>"}} {
		doc = bytes.ReplaceAll(doc, []byte("<"+h[0]), []byte("<"+h[1]))
		doc = bytes.ReplaceAll(doc, []byte("</"+h[0]), []byte("</"+h[1]))
	}
	return template.HTML(doc) //nolint:gosec // rendered by html/template
}

func (h *handler) cityReportDraft(w http.ResponseWriter, r *http.Request, p *page) {
	if !h.cityOverseer(w, r, p) {
		return
	}
	year := h.cityYear(r)
	v, err := h.deps.Oversight.CityDraft(r.Context(), year)
	if err != nil {
		if formError(p, err) {
			h.renderCityReport(w, r, p, year, nil, fault.HTTPStatus(err))
			return
		}
		h.fail(w, r, p, err)
		return
	}
	h.flash(w, r, p.Base()+"/city-report?year="+strconv.Itoa(year), "flash.cityreport_drafted", strconv.Itoa(v.Version))
}

func (h *handler) cityReportNarrative(w http.ResponseWriter, r *http.Request, p *page) {
	if !h.cityOverseer(w, r, p) {
		return
	}
	year := h.cityYear(r)
	sections := map[string]string{}
	for _, s := range []string{report.SectionOverview, report.SectionProblems, report.SectionOther} {
		sections[s] = r.PostFormValue(s)
	}
	if _, err := h.deps.Oversight.CityEditNarrative(r.Context(), year, sections); err != nil {
		if formError(p, err) {
			h.renderCityReport(w, r, p, year, sections, fault.HTTPStatus(err))
			return
		}
		h.fail(w, r, p, err)
		return
	}
	h.flash(w, r, p.Base()+"/city-report?year="+strconv.Itoa(year), "flash.cityreport_saved", "")
}

func (h *handler) cityReportPublish(w http.ResponseWriter, r *http.Request, p *page) {
	if !h.cityOverseer(w, r, p) {
		return
	}
	year := h.cityYear(r)
	v, err := h.deps.Oversight.CityPublish(r.Context(), year)
	if err != nil {
		if fault.Is(err, fault.Conflict) {
			p.General = p.Msg(fault.MessageOf(err))
			if len(fault.FieldsOf(err)) > 0 {
				p.General = p.T("cityreport.blocked")
			}
			h.renderCityReport(w, r, p, year, nil, http.StatusConflict)
			return
		}
		h.fail(w, r, p, err)
		return
	}
	h.flash(w, r, p.Base()+"/city-report?year="+strconv.Itoa(year), "flash.cityreport_published", strconv.Itoa(v.Version))
}

// cityReportDocument downloads the year's report: a published version as
// frozen (version=N, default the newest), else the preview with the
// draft's narrative; format html, xlsx or json.
func (h *handler) cityReportDocument(w http.ResponseWriter, r *http.Request, p *page) {
	if !h.cityOverseer(w, r, p) {
		return
	}
	ctx := r.Context()
	year := h.cityYear(r)
	version, _ := strconv.Atoi(r.FormValue("version"))
	format := r.FormValue("format")
	var cr *oversight.CityReport
	var frozenHTML *string
	var modified time.Time
	if version > 0 {
		v, err := h.deps.Oversight.CityPublishedVersion(ctx, year, version)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		if cr, err = v.Frozen(); err != nil {
			h.fail(w, r, p, err)
			return
		}
		frozenHTML = v.Document
		if v.PublishedAt != nil {
			modified = *v.PublishedAt
		}
	} else {
		var err error
		if cr, _, err = h.deps.Oversight.CityPreview(ctx, year); err != nil {
			h.fail(w, r, p, err)
			return
		}
	}
	body, ctype, disposition, err := oversight.CityDownload(cr, frozenHTML, format)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", disposition)
	if !modified.IsZero() {
		w.Header().Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	_, _ = w.Write(body)
}
