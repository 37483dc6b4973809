package console

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"gongkai/internal/fault"
	"gongkai/internal/oversight"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// The oversight pages (统计监督) are the city overseer's read-only view
// across every bureau (Regulations Art. 49–50 and 53): the dashboard, the
// records behind each figure, monthly trends, the lists the office acts on
// and the metric dictionary. The {bureau} of the path is only the session's
// bureau; every figure is city-wide. The oversight service checks the
// permission ("stats read" across bureaus): anyone else gets 403.

// oversightRoutes registers the oversight pages.
func (h *handler) oversightRoutes(bureau route) {
	bureau("GET /console/{bureau}/oversight", h.oversightDashboard)
	bureau("GET /console/{bureau}/oversight/records", h.oversightRecords)
	bureau("GET /console/{bureau}/oversight/trends", h.oversightTrends)
	bureau("GET /console/{bureau}/oversight/actions", h.oversightActions)
	bureau("GET /console/{bureau}/oversight/metrics", h.oversightMetrics)
}

// oversightTab is one page of the oversight area's sub-navigation.
type oversightTab struct {
	Key, URL string
	Current  bool
}

// oversightTabs lists the area's pages with cur marked.
func oversightTabs(p *page, cur string) []oversightTab {
	base := p.Base() + "/oversight"
	var out []oversightTab
	for _, t := range []struct{ key, path string }{{"dashboard", ""}, {"trends", "/trends"}, {"actions", "/actions"}, {"metrics", "/metrics"}} {
		out = append(out, oversightTab{Key: t.key, URL: base + t.path, Current: t.key == cur})
	}
	return out
}

// oversightPage sets the area, title and breadcrumbs of an oversight page.
func oversightPage(p *page, titleKey string, sub bool) {
	p.Area = "oversight"
	p.Title = p.T(titleKey)
	if sub {
		p.Crumbs = []crumb{{Name: p.T("nav.oversight"), URL: p.Base() + "/oversight"}, {Name: p.Title}}
	}
}

// bureauNames maps every bureau's slug to its name in the page's locale.
func bureauNames(p *page) map[string]string {
	out := map[string]string{}
	for _, b := range p.Bureaus {
		out[b.Slug] = p.BureauName(b.Tenant)
	}
	return out
}

// dashColumn is one figure column of the dashboard: its sort key (a metric
// key) and the records key its cells link to ("" for no link).
type dashColumn struct {
	Key, Records string
	// Group is the column group heading's key suffix ("" for none).
	Group string
}

// dashColumns are the dashboard's figure columns, in order.
var dashColumns = func() []dashColumn {
	cols := []dashColumn{
		{Key: "received", Records: "received"}, {Key: "closed", Records: "closed"}, {Key: "open", Records: "open"}, {Key: "overdue", Records: "overdue"},
		{Key: "replied", Records: "replied", Group: "replies"}, {Key: "replied_on_time", Records: "replied_on_time", Group: "replies"},
		{Key: "replied_late", Records: "replied_late", Group: "replies"}, {Key: "on_time_percent", Records: "replied", Group: "replies"},
		{Key: "reply_days_median", Records: "reply_days", Group: "replies"}, {Key: "reply_days_p90", Records: "reply_days", Group: "replies"},
		{Key: "extended", Records: "extended"},
		{Key: "catalog_published", Records: "catalog_published", Group: "catalog"}, {Key: "catalog_late", Records: "catalog_late", Group: "catalog"},
	}
	for _, g := range oversight.OutcomeGroups {
		cols = append(cols, dashColumn{Key: "outcome." + g.Key, Records: "outcome." + g.Key, Group: "outcomes"})
	}
	for _, k := range []string{"appeals", "appeals.upheld", "appeals.corrected", "appeals.other", "appeals.pending"} {
		cols = append(cols, dashColumn{Key: k, Records: k, Group: "appeals"})
	}
	return cols
}()

// dashCell is one figure of a row: its text and the link to its records.
type dashCell struct {
	Key, Text, URL string
}

// dashRow is a dashboard row ready to show.
type dashRow struct {
	Slug, Name string
	// Child marks an affiliated unit listed under its bureau (roll-up).
	Child  bool
	Totals bool
	Cells  []dashCell
	Report *oversight.ReportStatus
}

type dashboardData struct {
	Year     int
	From, To string
	RollUp   bool
	Sort     string
	Years    []int
	Period   oversight.Period
	Today    workday.Date
	Columns  []dashColumn
	Rows     []dashRow
	Totals   dashRow
	Tabs     []oversightTab
	// Shown is false when the filter is wrong and there is no table.
	Shown bool
	base  string
}

// ColSpan is the number of columns of the dashboard table.
func (d *dashboardData) ColSpan() int { return len(d.Columns) + 4 }

// query is the dashboard's filter as URL parameters, with sort.
func (d *dashboardData) query(sort string) url.Values {
	q := url.Values{"year": {strconv.Itoa(d.Year)}}
	if d.From != "" {
		q.Set("from", d.From)
	}
	if d.To != "" {
		q.Set("to", d.To)
	}
	if d.RollUp {
		q.Set("rollup", "1")
	}
	if sort != "" {
		q.Set("sort", sort)
	}
	return q
}

// SortURL is the link of a column heading: sorts by col (largest first
// for figures), or reverses the order when sorted by col already.
func (d *dashboardData) SortURL(col string) string {
	first := "-" + col
	if col == "bureau" {
		first = col
	}
	next := first
	if d.Sort == first {
		next = strings.TrimPrefix(first, "-")
		if next == first {
			next = "-" + col
		}
	}
	return d.base + "?" + d.query(next).Encode()
}

// AriaSort is the aria-sort value of a column heading.
func (d *dashboardData) AriaSort(col string) string {
	switch d.Sort {
	case col:
		return "ascending"
	case "-" + col:
		return "descending"
	}
	return "none"
}

// TrendsURL is the trends page of a bureau ("" for the city) for the year.
func (d *dashboardData) TrendsURL(slug string) string {
	q := url.Values{"year": {strconv.Itoa(d.Year)}}
	if slug != "" {
		q.Set("of", slug)
	}
	if d.RollUp {
		q.Set("rollup", "1")
	}
	return strings.TrimSuffix(d.base, "/oversight") + "/oversight/trends?" + q.Encode()
}

// yearParam reads the year parameter; def when absent.
func yearParam(q url.Values, def int) (int, error) {
	s := q.Get("year")
	if s == "" {
		return def, nil
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, fault.Field("year", "must be a year such as 2026")
	}
	return y, nil
}

// periodParams reads from and to (YYYY-MM-DD, optional).
func periodParams(q url.Values) (from, to workday.Date, err error) {
	if s := q.Get("from"); s != "" {
		if from, err = workday.ParseDate(s); err != nil {
			return from, to, fault.Field("from", "is not a date (YYYY-MM-DD)")
		}
	}
	if s := q.Get("to"); s != "" {
		if to, err = workday.ParseDate(s); err != nil {
			return from, to, fault.Field("to", "is not a date (YYYY-MM-DD)")
		}
	}
	return from, to, nil
}

// recentYears are the years offered in the selectors: this year and the
// five before.
func recentYears(today workday.Date) []int {
	var out []int
	for y := today.Year; y >= today.Year-5; y-- {
		out = append(out, y)
	}
	return out
}

// figureText formats a dashboard figure for a cell.
func figureText(p *page, r *oversight.DashboardRow, key string) string {
	opt := func(v *int) string {
		if v == nil {
			return p.T("oversight.no_value")
		}
		return strconv.Itoa(*v)
	}
	switch key {
	case "received":
		return strconv.Itoa(r.Received)
	case "closed":
		return strconv.Itoa(r.Closed)
	case "open":
		return strconv.Itoa(r.Open)
	case "overdue":
		return strconv.Itoa(r.Overdue)
	case "replied":
		return strconv.Itoa(r.Replied)
	case "replied_on_time":
		return strconv.Itoa(r.RepliedOnTime)
	case "replied_late":
		return strconv.Itoa(r.RepliedLate)
	case "on_time_percent":
		if r.OnTimePercent == nil {
			return p.T("oversight.no_value")
		}
		return strconv.FormatFloat(*r.OnTimePercent, 'f', 1, 64) + "%"
	case "reply_days_median":
		return opt(r.ReplyDaysMedian)
	case "reply_days_p90":
		return opt(r.ReplyDaysP90)
	case "extended":
		return strconv.Itoa(r.Extended)
	case "catalog_published":
		return strconv.Itoa(r.CatalogPublished)
	case "catalog_late":
		return strconv.Itoa(r.CatalogLate)
	case "appeals":
		return strconv.Itoa(r.Appeals.Total)
	case "appeals.upheld":
		return strconv.Itoa(r.Appeals.Upheld)
	case "appeals.corrected":
		return strconv.Itoa(r.Appeals.Corrected)
	case "appeals.other":
		return strconv.Itoa(r.Appeals.Other)
	case "appeals.pending":
		return strconv.Itoa(r.Appeals.Pending)
	}
	if g, ok := strings.CutPrefix(key, "outcome."); ok {
		m := r.Outcomes
		for i, og := range oversight.OutcomeGroups {
			if og.Key == g {
				return strconv.Itoa([]int{m.Granted, m.PartiallyGranted, m.Refused, m.Unavailable, m.NotProcessed, m.Other}[i])
			}
		}
	}
	return ""
}

// oversightDashboard is the dashboard: one row per bureau for a year and
// period, sortable by any column, with the city totals; every figure links
// to its records.
func (h *handler) oversightDashboard(w http.ResponseWriter, r *http.Request, p *page) {
	oversightPage(p, "oversight.dashboard.title", false)
	ov := h.deps.Oversight
	q := r.URL.Query()
	today := ov.Today()
	d := dashboardData{From: q.Get("from"), To: q.Get("to"), RollUp: q.Get("rollup") == "1", Sort: q.Get("sort"), Years: recentYears(today),
		Today: today, Columns: dashColumns, Tabs: oversightTabs(p, "dashboard"), base: p.Base() + "/oversight"}
	// A bad year, period or sort is shown next to its field, with the
	// form kept as typed.
	formFail := func(err error) {
		if formErrors(p, err) {
			p.Data = &d
			h.render(w, r, fault.HTTPStatus(err), "oversight", p)
			return
		}
		h.fail(w, r, p, err)
	}
	d.Year = today.Year
	year, err := yearParam(q, today.Year)
	if err != nil {
		formFail(err)
		return
	}
	d.Year = year
	from, to, err := periodParams(q)
	if err != nil {
		formFail(err)
		return
	}
	dash, err := ov.Dashboard(r.Context(), year, from, to, d.RollUp)
	if err != nil {
		formFail(err)
		return
	}
	if d.Sort == "" {
		d.Sort = "bureau"
	}
	key, desc := strings.CutPrefix(d.Sort, "-")
	if err := oversight.SortRows(dash.Rows, key, desc); err != nil {
		d.Sort = "bureau"
		formFail(err)
		return
	}
	d.Shown = true
	d.Period = dash.Period
	names := bureauNames(p)
	link := func(slug, records string, rollUp bool) string {
		v := d.query("")
		v.Del("rollup")
		if rollUp {
			v.Set("rollup", "1")
		}
		if slug != "" {
			v.Set("bureau", slug)
		}
		v.Set("metric", records)
		return d.base + "/records?" + v.Encode()
	}
	row := func(src *oversight.DashboardRow, child, totals bool) dashRow {
		out := dashRow{Slug: src.Bureau.Slug, Name: names[src.Bureau.Slug], Child: child, Totals: totals, Report: src.Report}
		if out.Name == "" {
			out.Name = src.Bureau.Name
		}
		if totals {
			out.Name = p.T("oversight.city_totals")
		}
		for _, c := range dashColumns {
			out.Cells = append(out.Cells, dashCell{Key: c.Key, Text: figureText(p, src, c.Key), URL: link(src.Bureau.Slug, c.Records, d.RollUp && !child && !totals)})
		}
		return out
	}
	for i := range dash.Rows {
		d.Rows = append(d.Rows, row(&dash.Rows[i], false, false))
		for j := range dash.Rows[i].Children {
			d.Rows = append(d.Rows, row(&dash.Rows[i].Children[j], true, false))
		}
	}
	d.Totals = row(&dash.Totals, false, true)
	p.Data = &d
	h.render(w, r, http.StatusOK, "oversight", p)
}

// recordsPage is the records page's size.
const recordsPage = 50

// recordRow is a record behind a figure, with the link to it.
type recordRow struct {
	oversight.Record
	BureauName string
	// URL is the read-only page of the record: a request's page in its
	// bureau's console, a published catalog item's public page; "" when
	// there is none.
	URL string
	// OutcomeGroup is the Table 3 group key of a request's outcome.
	OutcomeGroup string
}

type recordsData struct {
	Metric     oversight.Metric
	MetricName string
	Bureau     string // slug; "" for the city
	BureauName string
	Year       int
	Period     oversight.Period
	RollUp     bool
	Total      int
	Rows       []recordRow
	Page       int
	Pages      int
	PrevURL    string
	NextURL    string
	BackURL    string
	// Kind is the kind of the records listed: request, appeal or
	// catalog_item.
	Kind string
	// ShowDays shows the requests' working days (reply times, days
	// overdue).
	ShowDays bool
	Tabs     []oversightTab
}

// oversightRecords lists the records behind one figure of the dashboard
// (drill-down), a page at a time.
func (h *handler) oversightRecords(w http.ResponseWriter, r *http.Request, p *page) {
	oversightPage(p, "oversight.records.title", true)
	ctx := r.Context()
	ov := h.deps.Oversight
	q := r.URL.Query()
	year, err := yearParam(q, ov.Today().Year)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	from, to, err := periodParams(q)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d := recordsData{Bureau: q.Get("bureau"), Year: year, RollUp: q.Get("rollup") == "1", Tabs: oversightTabs(p, "dashboard")}
	var tenantID int64
	names := bureauNames(p)
	if d.Bureau != "" {
		b, err := ov.Bureau(ctx, d.Bureau)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		tenantID, d.BureauName = b.ID, names[b.Slug]
	} else {
		d.BureauName = p.T("oversight.city")
	}
	metric := q.Get("metric")
	m, ok := oversight.MetricByKey(metric)
	if !ok || m.Records != metric {
		// A records key that is not itself a metric's own key does not exist.
		m = oversight.Metric{Key: metric}
	}
	d.Metric, d.MetricName = m, p.Label("oversight.metric", metric, metric)
	d.Page, _ = strconv.Atoi(q.Get("page"))
	d.Page = max(d.Page, 1)
	rs, err := ov.Records(ctx, tenantID, metric, year, oversight.RecordOptions{From: from, To: to, RollUp: d.RollUp, Limit: recordsPage, Offset: (d.Page - 1) * recordsPage})
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d.Period, d.Total = rs.Period, rs.Total
	d.Pages = max(1, (rs.Total+recordsPage-1)/recordsPage)
	pageURL := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		return p.Base() + "/oversight/records?" + v.Encode()
	}
	if d.Page > 1 {
		d.PrevURL = pageURL(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.NextURL = pageURL(d.Page + 1)
	}
	back := url.Values{"year": {strconv.Itoa(year)}}
	for _, k := range []string{"from", "to", "rollup"} {
		if v := q.Get(k); v != "" {
			back.Set(k, v)
		}
	}
	d.BackURL = p.Base() + "/oversight?" + back.Encode()
	d.Kind, d.ShowDays = "request", metric == "reply_days" || metric == "overdue"
	switch {
	case strings.HasPrefix(metric, "appeals"):
		d.Kind = "appeal"
	case strings.HasPrefix(metric, "catalog_"):
		d.Kind = "catalog_item"
	}
	for _, rec := range rs.Items {
		row := recordRow{Record: rec, BureauName: names[rec.Bureau]}
		switch rec.Kind {
		case "request":
			row.URL = "/console/" + rec.Bureau + "/requests/" + strconv.FormatInt(rec.ID, 10)
			for _, g := range oversight.OutcomeGroups {
				if slices.Contains(g.Codes, rec.Outcome) {
					row.OutcomeGroup = g.Key
				}
			}
		case "catalog_item":
			if rec.Ref != "" && (rec.State == "published" || rec.State == "repealed") {
				row.URL = "/b/" + rec.Bureau + "/catalog/" + url.PathEscape(rec.Ref)
			}
		}
		d.Rows = append(d.Rows, row)
	}
	p.Title = d.MetricName + " · " + d.BureauName
	p.Crumbs = []crumb{{Name: p.T("nav.oversight"), URL: d.BackURL}, {Name: p.Title}}
	p.Data = &d
	h.render(w, r, http.StatusOK, "oversight_records", p)
}

type trendsData struct {
	Year     int
	LastYear int
	Years    []int
	Of       string // bureau slug; "" for the city
	RollUp   bool
	Bureaus  []bureauOption
	Trends   *oversight.Trends
	Received template.HTML
	Closed   template.HTML
	Months   []trendMonth
	Tabs     []oversightTab
}

// trendMonth is one month's figures for the table under the charts.
type trendMonth struct {
	Month                                      int
	Received, ReceivedLast, Closed, ClosedLast int
}

// oversightTrends shows month by month received and closed requests, this
// year against last, as charts rendered on the server (inline SVG) with
// the figures in a table, for the city or one bureau.
func (h *handler) oversightTrends(w http.ResponseWriter, r *http.Request, p *page) {
	oversightPage(p, "oversight.trends.title", true)
	ctx := r.Context()
	ov := h.deps.Oversight
	q := r.URL.Query()
	year, err := yearParam(q, ov.Today().Year)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d := trendsData{Year: year, LastYear: year - 1, Years: recentYears(ov.Today()), Of: q.Get("of"), RollUp: q.Get("rollup") == "1", Tabs: oversightTabs(p, "trends")}
	for _, b := range p.Bureaus {
		if b.Kind != tenant.OversightOffice {
			d.Bureaus = append(d.Bureaus, b)
		}
	}
	var tenantID int64
	if d.Of != "" {
		b, err := ov.Bureau(ctx, d.Of)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		tenantID = b.ID
	}
	t, err := ov.Trends(ctx, year, tenantID, d.RollUp)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d.Trends = t
	// The charts are built by the oversight service, which escapes every
	// text it puts in them (encoding/xml).
	d.Received = template.HTML(t.ReceivedChart()) //nolint:gosec // escaped by BarChartSVG
	d.Closed = template.HTML(t.ClosedChart())     //nolint:gosec // escaped by BarChartSVG
	for i := range 12 {
		d.Months = append(d.Months, trendMonth{Month: i + 1, Received: t.Received[i], ReceivedLast: t.ReceivedLastYear[i], Closed: t.Closed[i], ClosedLast: t.ClosedLastYear[i]})
	}
	p.Data = &d
	h.render(w, r, http.StatusOK, "oversight_trends", p)
}

type actionsData struct {
	Year    int
	Years   []int
	Overdue *oversight.OverdueList
	Issues  *oversight.ReportIssues
	Names   map[string]string
	Tabs    []oversightTab
}

// oversightActions lists what the office acts on: overdue requests across
// the city, and for a report year the bureaus without a submitted report
// after the deadline and those whose report fails an invariant.
func (h *handler) oversightActions(w http.ResponseWriter, r *http.Request, p *page) {
	oversightPage(p, "oversight.actions.title", true)
	ctx := r.Context()
	ov := h.deps.Oversight
	// The report on a year is due early the next year (Art. 49): the
	// default is last year's.
	year, err := yearParam(r.URL.Query(), ov.Today().Year-1)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	od, err := ov.Overdue(ctx)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	is, err := ov.ReportIssues(ctx, year)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	p.Data = &actionsData{Year: year, Years: recentYears(ov.Today()), Overdue: od, Issues: is, Names: bureauNames(p), Tabs: oversightTabs(p, "actions")}
	h.render(w, r, http.StatusOK, "oversight_actions", p)
}

// metricEntry is a metric of the dictionary in the page's locale.
type metricEntry struct {
	oversight.Metric
	Name, Definition string
}

type metricsData struct {
	Metrics []metricEntry
	Groups  []oversight.OutcomeGroup
	Tabs    []oversightTab
}

// oversightMetrics is the metric dictionary: each figure's exact
// definition, in the page's language.
func (h *handler) oversightMetrics(w http.ResponseWriter, r *http.Request, p *page) {
	oversightPage(p, "oversight.metrics.title", true)
	ms, gs, err := h.deps.Oversight.Dictionary(r.Context())
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d := metricsData{Groups: gs, Tabs: oversightTabs(p, "metrics")}
	for _, m := range ms {
		e := metricEntry{Metric: m, Name: m.Label, Definition: m.DefinitionZH}
		if p.Locale == "en" {
			e.Name, e.Definition = m.LabelEN, m.Definition
		}
		d.Metrics = append(d.Metrics, e)
	}
	p.Data = &d
	h.render(w, r, http.StatusOK, "oversight_metrics", p)
}
