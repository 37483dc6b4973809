package console

import (
	"net/http"

	"gongkai/internal/catalog"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

type homeData struct {
	Today     workday.Date
	Overdue   []request.Request
	DueSoon   []request.Request
	Review    []catalog.Hit
	Risks     []catalog.Risk
	Reports   []report.Stored
	CanSee    bool
	CanReview bool
}

func (h *handler) home(w http.ResponseWriter, r *http.Request, p *page) {
	p.Active = "home"
	p.Title = p.T("home.title")
	d := homeData{Today: workday.FromTime(h.deps.Now(), h.deps.Location)}
	if p.Bureau.ID != 0 && p.Can("request", "read") {
		d.CanSee = true
		ctx := r.Context()
		page, err := h.deps.Requests.List(ctx, p.Bureau.ID, request.Filter{States: []string{"open", "paused"}, Limit: 200})
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		soon := d.Today.AddDays(7)
		for _, rq := range page.Items {
			switch {
			case rq.DueOn.Before(d.Today):
				d.Overdue = append(d.Overdue, rq)
			case !rq.DueOn.After(soon):
				d.DueSoon = append(d.DueSoon, rq)
			}
		}
		if p.Can("catalog", "review") {
			d.CanReview = true
			res, err := h.deps.Catalog.List(ctx, p.Bureau.ID, catalog.Query{States: []catalog.State{catalog.Submitted}, PerPage: 20})
			if err == nil {
				d.Review = res.Hits
			}
		}
		if risks, err := h.deps.Catalog.PublicationRisks(ctx, p.Bureau.ID, d.Today); err == nil {
			d.Risks = risks
		}
		if rs, err := h.deps.Reports.Versions(ctx, p.Bureau.ID); err == nil {
			d.Reports = rs
		}
	}
	p.Data = d
	h.render(w, r, http.StatusOK, "home", p)
}

// areaPage is the page of an area whose console pages are not in this
// version: it says so and points to the API, which has them.
func (h *handler) areaPage(area string) func(w http.ResponseWriter, r *http.Request, p *page) {
	return func(w http.ResponseWriter, r *http.Request, p *page) {
		p.Active = area
		p.Data = area
		h.render(w, r, http.StatusOK, "area", p)
	}
}
