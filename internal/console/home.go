package console

import (
	"net/http"
	"time"

	"gongkai/internal/catalog"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// dueSoonDays is how many working days ahead the home page looks for
// requests coming due.
const dueSoonDays = 5

type homeData struct {
	Today   workday.Date
	DueBy   workday.Date
	DueDays int
	// Each list is nil when the user may not read it (the panel is left
	// out), empty when there is nothing (the panel says what to do).
	Overdue      []request.Request
	OverdueTotal int
	DueSoon      []request.Request
	Review       []catalog.Hit
	ReviewTotal  int
	Risks        []catalog.Risk
	Reports      []report.Stored
	ReportYear   int
	ReportDue    workday.Date
	CanRequests  bool
	CanRegister  bool
	CanReview    bool
	CanCatalog   bool
	CanReports   bool
}

// home is the 工作台 of a bureau: who the user is there, and what needs
// them now, each list with an empty state that says what to do next.
func (h *handler) home(w http.ResponseWriter, r *http.Request, p *page) {
	p.Area = "home"
	p.Title = p.T("home.title")
	ctx := r.Context()
	now := h.deps.Now()
	d := homeData{Today: workday.FromTime(now, h.deps.Location), DueDays: dueSoonDays}
	if p.Bureau.ID == 0 {
		p.Data = d
		h.render(w, r, http.StatusOK, "home", p)
		return
	}
	if p.Can("request", "read") {
		d.CanRequests, d.CanRegister = true, p.Can("request", "write")
		overdue, err := h.deps.Requests.List(ctx, p.Bureau.ID, request.Filter{OverdueOn: d.Today, Limit: 10, WithTotal: true})
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		d.Overdue, d.OverdueTotal = nonNil(overdue.Items), overdue.Total
		cal, err := h.deps.Requests.Calendar(ctx)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		if d.DueBy, err = cal.AddWorkingDays(d.Today, dueSoonDays); err != nil {
			d.DueBy = d.Today.AddDays(7) // the calendar does not cover next week yet
		}
		running, err := h.deps.Requests.List(ctx, p.Bureau.ID, request.Filter{States: []string{"open", "paused"}, Offset: d.OverdueTotal, Limit: 20})
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		d.DueSoon = []request.Request{}
		for _, rq := range running.Items {
			if rq.DueOn.IsZero() || rq.DueOn.After(d.DueBy) {
				break
			}
			if !rq.DueOn.Before(d.Today) {
				d.DueSoon = append(d.DueSoon, rq)
			}
		}
	}
	if p.Can("catalog", "review") {
		d.CanReview = true
		res, err := h.deps.Catalog.List(ctx, p.Bureau.ID, catalog.Query{States: []catalog.State{catalog.Submitted}, PerPage: 10})
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		d.Review, d.ReviewTotal = nonNil(res.Hits), res.Total
	}
	if p.Can("catalog", "read") {
		d.CanCatalog = true
		risks, err := h.deps.Catalog.PublicationRisks(ctx, p.Bureau.ID, d.Today)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		d.Risks = nonNil(risks)
	}
	if p.Can("report", "read") {
		d.CanReports = true
		rs, err := h.deps.Reports.Versions(ctx, p.Bureau.ID)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		// The report on a year is published by 31 January of the next
		// (Regulations Art. 50).
		d.ReportYear = d.Today.Year - 1
		d.ReportDue = workday.Date{Year: d.Today.Year, Month: time.January, Day: 31}
		for _, s := range rs {
			if s.Year == d.ReportYear && !s.Superseded {
				d.Reports = append(d.Reports, s)
			}
		}
		d.Reports = nonNil(d.Reports)
	}
	p.Data = d
	h.render(w, r, http.StatusOK, "home", p)
}

// nonNil turns a nil slice into an empty one: on the home page nil means
// "not shown" and empty means "nothing to do".
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
