package portal

import (
	"context"
	"html/template"
	"net/http"
	"strconv"

	"gongkai/internal/fault"
	"gongkai/internal/oversight"
	"gongkai/internal/workday"
	"gongkai/web"
)

// CityReports gives the published city-level annual reports
// (*oversight.Service implements it).
type CityReports interface {
	Office(ctx context.Context) (oversight.BureauRef, error)
	CityPublished(ctx context.Context, year int) ([]oversight.StoredCityReport, error)
	CityPublishedVersion(ctx context.Context, year, version int) (*oversight.StoredCityReport, error)
}

type cityReportsData struct {
	Office  oversight.BureauRef
	Reports []cityReportRow
}

// cityReportRow is a published version with its publication day in the
// city's time zone.
type cityReportRow struct {
	oversight.StoredCityReport
	PublishedOn string
}

// registerCityReports serves the city's annual reports (Regulations
// Art. 49: the city publishes last year's report by 31 March): the list at
// /city/reports, each version in the official layout as frozen at
// publication at /city/reports/{year}[?v=N], and its tables as XLSX or
// JSON (?format=xlsx|json).
func (h *handler) registerCityReports(mux *http.ServeMux) {
	list := template.Must(template.ParseFS(web.Templates, "templates/portal_layout.html", "templates/portal_cityreports.html"))
	mux.HandleFunc("GET /city/reports", func(w http.ResponseWriter, r *http.Request) {
		o, err := h.deps.City.Office(r.Context())
		if err != nil {
			h.fail(w, r, fault.New(fault.NotFound, "the city has no oversight office"))
			return
		}
		rs, err := h.deps.City.CityPublished(r.Context(), 0)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d := cityReportsData{Office: o}
		for _, v := range rs {
			row := cityReportRow{StoredCityReport: v}
			if v.PublishedAt != nil {
				row.PublishedOn = workday.FromTime(*v.PublishedAt, workday.ChinaTime).String()
			}
			d.Reports = append(d.Reports, row)
		}
		h.render(w, r, list, page[cityReportsData]{Title: "全市政府信息公开工作年度报告",
			Crumbs: []Crumb{{Name: "首页", URL: "/"}, {Name: "全市政府信息公开工作年度报告"}}, Data: d})
	})
	mux.HandleFunc("GET /city/reports/{year}", func(w http.ResponseWriter, r *http.Request) {
		year, err := strconv.Atoi(r.PathValue("year"))
		if err != nil {
			h.fail(w, r, fault.New(fault.NotFound, "no such report"))
			return
		}
		version, _ := strconv.Atoi(r.URL.Query().Get("v"))
		v, err := h.deps.City.CityPublishedVersion(r.Context(), year, version)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		cr, err := v.Frozen()
		if err != nil || cr == nil {
			h.fail(w, r, fault.New(fault.NotFound, "no published city report for %d", year))
			return
		}
		body, ctype, disposition, err := oversight.CityDownload(cr, v.Document, r.URL.Query().Get("format"))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", ctype)
		if r.URL.Query().Get("format") != "" {
			w.Header().Set("Content-Disposition", disposition)
		}
		if v.PublishedAt != nil {
			w.Header().Set("Last-Modified", v.PublishedAt.UTC().Format(http.TimeFormat))
		}
		_, _ = w.Write(body)
	})
}
