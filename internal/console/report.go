package console

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/fault"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// reportRoutes registers the annual report pages (政府信息公开工作年度报告,
// Regulations Art. 49–50): the years with their state, one year's report
// with its tables, checks, narrative, figures and workflow, the records
// behind every number, the print view and the downloads. Generating files
// as a background job has its own page, …/reports/{year}/exports.
func (h *handler) reportRoutes(bureau route) {
	bureau("GET /console/{bureau}/reports", h.reports)
	bureau("GET /console/{bureau}/reports/{year}", h.reportPage)
	bureau("POST /console/{bureau}/reports/{year}/draft", h.reportDraft)
	bureau("POST /console/{bureau}/reports/{year}/correct", h.reportCorrect)
	bureau("POST /console/{bureau}/reports/{year}/narrative", h.reportNarrative)
	bureau("POST /console/{bureau}/reports/{year}/figures", h.reportFigure)
	bureau("POST /console/{bureau}/reports/{year}/adjustments", h.reportAdjust)
	bureau("POST /console/{bureau}/reports/{year}/submit", h.reportSubmit)
	bureau("POST /console/{bureau}/reports/{year}/publish", h.reportPublish)
	bureau("GET /console/{bureau}/reports/{year}/print", h.reportPrint)
	bureau("GET /console/{bureau}/reports/{year}/download", h.reportDownload)
	bureau("GET /console/{bureau}/reports/{year}/cells", h.reportCells)
}

// reportDue is the day the report on year is to be published by: 31
// January of the next year (Regulations Art. 50).
func reportDue(year int) workday.Date {
	return workday.Date{Year: year + 1, Month: time.January, Day: 31}
}

// reportState is the state of a year's report as the console names it:
// none (not started), draft, submitted or published.
func reportState(r *report.Stored) string {
	if r == nil {
		return "none"
	}
	return r.State
}

// yearRow is one year of the reports index.
type yearRow struct {
	Year     int
	State    string
	Version  int
	Versions int
	// Published is the newest published version, 0 when none.
	Published int
	Due       workday.Date
	Overdue   bool
}

type reportsData struct {
	Years    []yearRow
	CanWrite bool
	Today    workday.Date
}

// yearVersions groups the versions by year, newest version first.
func yearVersions(vs []report.Stored) map[int][]report.Stored {
	out := map[int][]report.Stored{}
	for _, v := range vs {
		out[v.Year] = append(out[v.Year], v)
	}
	return out
}

// reports lists the years: this year and last (the one due next 31
// January) and every year with a version, each with its state and due date.
func (h *handler) reports(w http.ResponseWriter, r *http.Request, p *page) {
	p.Area, p.Title = "reports", p.T("nav.reports")
	if y := r.URL.Query().Get("year"); y != "" {
		if n, err := strconv.Atoi(y); err == nil && n >= 2008 && n <= 2200 {
			http.Redirect(w, r, p.Base()+"/reports/"+strconv.Itoa(n), http.StatusSeeOther)
			return
		}
	}
	vs, err := h.deps.Reports.Versions(r.Context(), p.Bureau.ID)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	today := workday.FromTime(h.deps.Now(), h.deps.Location)
	byYear := yearVersions(vs)
	years := []int{today.Year, today.Year - 1}
	for y := range byYear {
		if !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	slices.Sort(years)
	slices.Reverse(years)
	d := reportsData{CanWrite: p.Can("report", "write"), Today: today}
	for _, y := range years {
		row := yearRow{Year: y, State: "none", Due: reportDue(y), Versions: len(byYear[y])}
		if list := byYear[y]; len(list) > 0 {
			row.State, row.Version = list[0].State, list[0].Version
			for _, v := range list {
				if v.State == report.StatePublished {
					row.Published = v.Version
					break
				}
			}
		}
		row.Overdue = row.Published == 0 && row.Due.Before(today)
		d.Years = append(d.Years, row)
	}
	p.Data = d
	h.render(w, r, http.StatusOK, "reports", p)
}

// cellLink is one number of Table 3 or 4, linked to the records behind it.
type cellLink struct {
	Value int
	URL   string
	// Bad marks a number an invariant check names.
	Bad bool
}

type t3Row struct {
	Code, Label string
	Cells       []cellLink
}

type t3Group struct {
	Label string
	Rows  []t3Row
}

// table3View is Table 3 laid out as the official format: 一 and 二, the
// results under 三 (（一）, （二）, the groups （三）–（六）, （七）总计), then 四.
type table3View struct {
	New, In, Total, Forward t3Row
	Lead                    []t3Row
	Groups                  []t3Group
	ResultRows              int
}

// violationView is a broken invariant with the rows it involves, each
// linked to the records behind it.
type violationView struct {
	report.Violation
	Rows []crumb
}

type figureView struct {
	Key     string
	Value   string
	NA      bool
	Source  string
	Entered bool
}

type reportData struct {
	Year     int
	Due      workday.Date
	Current  *report.Stored
	Shown    *report.Stored
	Versions []report.Stored
	State    string
	Tables   report.Tables
	T3       table3View
	T4       [3][]cellLink
	// T4Groups are the Table 4 group codes, for labels.
	T4Groups   []string
	Violations []violationView
	Narrative  map[string]string
	Sections   []string
	// Editable: the shown version is the current draft and the user may
	// write; Frozen: the tables are the ones frozen at submission.
	Editable, Frozen, CanWrite bool
	// Old: the version shown is not the newest.
	Old         bool
	Figures     []figureView
	Adjustments []report.Adjustment
	RowOptions  []report.Row
	Columns     []struct{ Code, Label string }
	// AdjustForm keeps what was typed in the adjustment form.
	AdjustForm map[string]string
	// Downloads are the download formats.
	Downloads    []string
	VersionQuery string
}

// yearOf reads the {year} of the path; ok is false for a year that is not one.
func yearOf(r *http.Request) (int, bool) {
	y, err := strconv.Atoi(r.PathValue("year"))
	return y, err == nil && y >= 2008 && y <= 2200
}

// reportFigureKeys are the figures entered in the console, in form order.
var reportFigureKeys = []string{report.FigureLicensing, report.FigurePenalty, report.FigureEnforcement, report.FigureFeeIncome, report.FigureRulesApply, report.FigureFeesCollected}

// loadReport assembles the page of a year's report: the version asked
// for (?v=N) or the newest, its tables (computed now for a draft or before
// one exists, frozen once submitted), the checks and the forms' data.
func (h *handler) loadReport(w http.ResponseWriter, r *http.Request, p *page) (*reportData, bool) {
	p.Area = "reports"
	year, ok := yearOf(r)
	if !ok {
		h.fail(w, r, p, fault.New(fault.NotFound, "no such report"))
		return nil, false
	}
	ctx := r.Context()
	vs, err := h.deps.Reports.Versions(ctx, p.Bureau.ID)
	if err != nil {
		h.fail(w, r, p, err)
		return nil, false
	}
	d := &reportData{Year: year, Due: reportDue(year), Versions: yearVersions(vs)[year], CanWrite: p.Can("report", "write"),
		Sections: []string{report.SectionOverview, report.SectionProblems, report.SectionOther}, T4Groups: report.Table4Groups,
		Columns: report.Columns[:report.NumColumns-1], Downloads: []string{"xlsx", "json", "csv2", "csv3", "csv4"}, AdjustForm: map[string]string{}}
	if len(d.Versions) > 0 {
		d.Current, d.Shown = &d.Versions[0], &d.Versions[0]
	}
	if v := r.URL.Query().Get("v"); v != "" {
		n, _ := strconv.Atoi(v)
		i := slices.IndexFunc(d.Versions, func(s report.Stored) bool { return s.Version == n })
		if i < 0 {
			h.fail(w, r, p, fault.New(fault.NotFound, "no such version"))
			return nil, false
		}
		d.Shown, d.VersionQuery = &d.Versions[i], "v="+v
	}
	d.State, d.Old = reportState(d.Shown), d.Shown != d.Current
	p.Title = p.Tf("report.title_year", "year", strconv.Itoa(year))
	p.Crumbs = []crumb{{Name: p.T("nav.reports"), URL: p.Base() + "/reports"}, {Name: p.Title}}
	var violations []report.Violation
	if d.Shown == nil || d.Shown.State == report.StateDraft && d.Shown == d.Current {
		t, vs, err := h.deps.Reports.Check(ctx, p.Bureau.ID, year)
		if err != nil {
			h.fail(w, r, p, err)
			return nil, false
		}
		d.Tables, violations = *t, vs
		for _, key := range reportFigureKeys {
			f, entered := t.EnteredFigure(key)
			fv := figureView{Key: key, Entered: entered, Source: f.Source}
			if entered {
				fv.NA = f.Value == nil
				if f.Value != nil {
					fv.Value = f.Text()
				}
			}
			d.Figures = append(d.Figures, fv)
		}
		if d.Adjustments, err = h.deps.Reports.Adjustments(ctx, p.Bureau.ID, year); err != nil {
			h.fail(w, r, p, err)
			return nil, false
		}
	} else {
		doc, err := h.deps.Reports.Document(ctx, p.Bureau.ID, p.Bureau.Name, d.Shown)
		if err != nil {
			h.fail(w, r, p, err)
			return nil, false
		}
		d.Tables, d.Frozen = doc.Tables, true
	}
	if d.Shown != nil {
		d.Narrative = d.Shown.Narrative
	}
	d.Editable = d.CanWrite && d.Shown != nil && d.Shown == d.Current && d.Shown.State == report.StateDraft
	for _, row := range d.Tables.Table3.Rows {
		if row.Code != report.RowTotal {
			d.RowOptions = append(d.RowOptions, row)
		}
	}
	bad := map[string]bool{}
	for _, v := range violations {
		vv := violationView{Violation: v}
		rows, col := d.Tables.Involved(v)
		colCode := report.ColumnTotal
		if col >= 0 {
			colCode = report.Columns[col].Code
		}
		for _, code := range rows {
			if row := d.Tables.Table3.Row(code); row != nil {
				if len(rows) > 4 && code != report.RowTotal && row.Values[slices.IndexFunc(report.Columns, func(c struct{ Code, Label string }) bool { return c.Code == colCode })] == 0 {
					continue // of the many result rows, only those with a number
				}
				bad[code+"|"+colCode] = true
				vv.Rows = append(vv.Rows, crumb{Name: row.Group + row.Label, URL: h.cellURL(p, year, 3, code, colCode)})
			}
		}
		d.Violations = append(d.Violations, vv)
	}
	d.T3 = h.table3View(p, year, d.Tables.Table3, bad)
	t4 := [3][5]int{d.Tables.Table4.Reconsideration, d.Tables.Table4.SuedDirectly, d.Tables.Table4.SuedAfter}
	for g, group := range report.Table4Groups {
		for i, result := range report.Table4Results {
			d.T4[g] = append(d.T4[g], cellLink{Value: t4[g][i], URL: h.cellURL(p, year, 4, group, result)})
		}
	}
	return d, true
}

func (h *handler) cellURL(p *page, year, table int, row, column string) string {
	q := url.Values{"table": {strconv.Itoa(table)}, "row": {row}, "column": {column}}
	return p.Base() + "/reports/" + strconv.Itoa(year) + "/cells?" + q.Encode()
}

func (h *handler) table3View(p *page, year int, t report.Table3, bad map[string]bool) table3View {
	v := table3View{ResultRows: len(request.Outcomes) + 1}
	mk := func(row report.Row) t3Row {
		out := t3Row{Code: row.Code, Label: row.Label}
		for i, n := range row.Values {
			col := report.Columns[i].Code
			out.Cells = append(out.Cells, cellLink{Value: n, URL: h.cellURL(p, year, 3, row.Code, col), Bad: bad[row.Code+"|"+col]})
		}
		return out
	}
	for _, row := range t.Rows {
		switch {
		case row.Code == report.RowNew:
			v.New = mk(row)
		case row.Code == report.RowCarriedIn:
			v.In = mk(row)
		case row.Code == report.RowTotal:
			v.Total = mk(row)
		case row.Code == report.RowCarriedForward:
			v.Forward = mk(row)
		case row.Group == "":
			v.Lead = append(v.Lead, mk(row))
		default:
			if n := len(v.Groups); n == 0 || v.Groups[n-1].Label != row.Group {
				v.Groups = append(v.Groups, t3Group{Label: row.Group})
			}
			g := &v.Groups[len(v.Groups)-1]
			g.Rows = append(g.Rows, mk(row))
		}
	}
	return v
}

// reportPage shows one year's report.
func (h *handler) reportPage(w http.ResponseWriter, r *http.Request, p *page) {
	d, ok := h.loadReport(w, r, p)
	if !ok {
		return
	}
	p.Data = d
	h.render(w, r, http.StatusOK, "report", p)
}

// reportAgain shows the report page again after a refused form: field
// errors next to the fields, other refusals above the page.
func (h *handler) reportAgain(w http.ResponseWriter, r *http.Request, p *page, err error, keep func(*reportData)) {
	if fault.Is(err, fault.NotFound) || fault.HTTPStatus(err) >= 500 {
		h.fail(w, r, p, err)
		return
	}
	d, ok := h.loadReport(w, r, p)
	if !ok {
		return
	}
	if keep != nil {
		keep(d)
	}
	if fields := fault.FieldsOf(err); len(fields) > 0 && !fault.Is(err, fault.Conflict) {
		for _, f := range fields {
			p.Errors[f.Field] = fieldMessage(p, f.Field, f.Message)
		}
		p.General = p.T("error.fix")
	} else {
		p.General = reportMessage(p, err)
	}
	p.Data = d
	h.render(w, r, fault.HTTPStatus(err), "report", p)
}

// fieldMessage words a field error of the report forms in the page's
// language; the field's last part (value, source, row, ...) says which.
func fieldMessage(p *page, field, msg string) string {
	base := field[strings.LastIndexAny(field, "-.")+1:]
	key := "report.err." + base
	switch {
	case base == "value" && strings.Contains(msg, "negative"):
		key = "report.err.value_negative"
	case base == "delta" && strings.Contains(msg, "zero"):
		key = "report.err.delta_zero"
	case strings.HasPrefix(field, "narrative."):
		key = "report.err.narrative"
	}
	if p.h.messages.Has(p.Locale, key) {
		return p.T(key)
	}
	return p.Msg(msg)
}

// reportMessages are the report service's refusals the console words in
// the page's language; the submatches fill {1}, {2}, ...
var reportMessages = []serviceMessage{
	{regexp.MustCompile(`^the (\d+) report breaks (\d+) invariant\(s\) and cannot be submitted`), "report.err.blocked"},
	{regexp.MustCompile(`^the (\d+) report is ([a-z]+), not ([a-z]+); allowed:`), "report.err.state"},
	{regexp.MustCompile(`^there is no draft of the (\d+) report to edit \(state: ([a-z]+)\)`), "report.err.no_draft"},
}

// reportMessage is the message of a refused report action in the page's
// language.
func reportMessage(p *page, err error) string {
	msg := fault.MessageOf(err)
	for _, sm := range reportMessages {
		sub := sm.pattern.FindStringSubmatch(msg)
		if sub == nil {
			continue
		}
		vars := make([]string, 0, 2*len(sub))
		for i, v := range sub[1:] {
			if i > 0 && !strings.ContainsAny(v, "0123456789") {
				v = p.T("report.state." + v)
			}
			vars = append(vars, strconv.Itoa(i+1), v)
		}
		return p.Tf(sm.key, vars...)
	}
	return p.Msg(msg)
}

// afterReport redirects to the year's page with a message, or shows the
// page again with the error.
func (h *handler) afterReport(w http.ResponseWriter, r *http.Request, p *page, err error, flashKey, anchor string) {
	if err != nil {
		h.reportAgain(w, r, p, err, nil)
		return
	}
	y, _ := yearOf(r)
	h.flash(w, r, p.Base()+"/reports/"+strconv.Itoa(y)+anchor, flashKey, strconv.Itoa(y))
}

// reportDraft produces the year's report: the first draft, with a
// narrative generated from the records.
func (h *handler) reportDraft(w http.ResponseWriter, r *http.Request, p *page) {
	y, ok := yearOf(r)
	if !ok {
		h.fail(w, r, p, fault.New(fault.NotFound, "no such report"))
		return
	}
	_, err := h.deps.Reports.Draft(r.Context(), p.Bureau.ID, y)
	h.afterReport(w, r, p, err, "flash.report_drafted", "")
}

// reportCorrect starts a correction of the published report: a new
// version, a draft starting from the published narrative; the published
// version stays public until the correction is published, then is marked
// superseded.
func (h *handler) reportCorrect(w http.ResponseWriter, r *http.Request, p *page) {
	y, ok := yearOf(r)
	if !ok {
		h.fail(w, r, p, fault.New(fault.NotFound, "no such report"))
		return
	}
	vs, err := h.deps.Reports.Versions(r.Context(), p.Bureau.ID)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	list := yearVersions(vs)[y]
	if len(list) == 0 || list[0].State != report.StatePublished {
		h.reportAgain(w, r, p, fault.New(fault.Conflict, "the %d report is %s, not %s; allowed: correct a published report", y, reportState(first(list)), report.StatePublished), nil)
		return
	}
	_, err = h.deps.Reports.Draft(r.Context(), p.Bureau.ID, y)
	h.afterReport(w, r, p, err, "flash.report_correcting", "")
}

func first(list []report.Stored) *report.Stored {
	if len(list) == 0 {
		return nil
	}
	return &list[0]
}

func (h *handler) reportNarrative(w http.ResponseWriter, r *http.Request, p *page) {
	y, _ := yearOf(r)
	sections := map[string]string{}
	for _, k := range []string{report.SectionOverview, report.SectionProblems, report.SectionOther} {
		if v, ok := r.PostForm[k]; ok {
			sections[k] = strings.ReplaceAll(v[0], "\r\n", "\n")
		}
	}
	_, err := h.deps.Reports.EditNarrative(r.Context(), p.Bureau.ID, y, sections)
	if err != nil {
		h.reportAgain(w, r, p, err, func(d *reportData) {
			for k, v := range sections {
				d.Narrative[k] = v
			}
		})
		return
	}
	h.flash(w, r, p.Base()+"/reports/"+strconv.Itoa(y)+"#narrative", "flash.report_saved", strconv.Itoa(y))
}

// reportFigure records a Table 2 figure with its source; "not applicable"
// records no value, shown as "/".
func (h *handler) reportFigure(w http.ResponseWriter, r *http.Request, p *page) {
	y, _ := yearOf(r)
	key := r.PostFormValue("key")
	raw, na, source := strings.TrimSpace(r.PostFormValue("value")), r.PostFormValue("na") != "", r.PostFormValue("source")
	keep := func(d *reportData) {
		for i := range d.Figures {
			if d.Figures[i].Key == key {
				d.Figures[i].Value, d.Figures[i].NA, d.Figures[i].Source = raw, na, source
			}
		}
	}
	var value *float64
	err := h.current(r, p, y, report.StateDraft)
	if err == nil && !na {
		v, perr := strconv.ParseFloat(raw, 64)
		if raw == "" || perr != nil {
			err = fault.Field("value", "must be a number, or tick not applicable")
		} else {
			value = &v
		}
	}
	if err == nil {
		err = h.deps.Reports.SetFigure(r.Context(), p.Bureau.ID, y, key, value, source)
	}
	if err != nil {
		if fields := fault.FieldsOf(err); len(fields) > 0 {
			fe := []fault.FieldError{}
			for _, f := range fields {
				fe = append(fe, fault.FieldError{Field: "figure-" + key + "-" + f.Field, Message: f.Message})
			}
			err = fault.Fields(fe)
		}
		h.reportAgain(w, r, p, err, keep)
		return
	}
	h.flash(w, r, p.Base()+"/reports/"+strconv.Itoa(y)+"#figures", "flash.report_figure", p.T("report.figure."+key))
}

// current refuses a change to a report that is not in state (figures and
// adjustments change the tables only while the report is a draft).
func (h *handler) current(r *http.Request, p *page, year int, state string) error {
	vs, err := h.deps.Reports.Versions(r.Context(), p.Bureau.ID)
	if err != nil {
		return err
	}
	cur := first(yearVersions(vs)[year])
	if reportState(cur) != state {
		return fault.New(fault.Conflict, "the %d report is %s, not %s; allowed: change the figures of a draft", year, reportState(cur), state)
	}
	return nil
}

// reportAdjust records an explicit, audited change of a Table 3 number,
// such as the opening balance of requests from before the service.
func (h *handler) reportAdjust(w http.ResponseWriter, r *http.Request, p *page) {
	y, _ := yearOf(r)
	form := map[string]string{}
	for _, k := range []string{"row", "column", "delta", "reason"} {
		form[k] = r.PostFormValue(k)
	}
	err := h.current(r, p, y, report.StateDraft)
	if err == nil {
		delta, perr := strconv.Atoi(strings.TrimSpace(form["delta"]))
		if perr != nil {
			err = fault.Field("delta", "must be a whole number")
		} else {
			_, err = h.deps.Reports.Adjust(r.Context(), p.Bureau.ID, report.Adjustment{Year: y, RowCode: form["row"], ColumnCode: form["column"], Delta: delta, Reason: form["reason"]})
		}
	}
	if err != nil {
		if fields := fault.FieldsOf(err); len(fields) > 0 {
			fe := []fault.FieldError{}
			for _, f := range fields {
				fe = append(fe, fault.FieldError{Field: "adjust-" + f.Field, Message: f.Message})
			}
			err = fault.Fields(fe)
		}
		h.reportAgain(w, r, p, err, func(d *reportData) { d.AdjustForm = form })
		return
	}
	h.flash(w, r, p.Base()+"/reports/"+strconv.Itoa(y)+"#adjustments", "flash.report_adjusted", strconv.Itoa(y))
}

// reportSubmit submits the draft to the city; a broken invariant blocks it.
func (h *handler) reportSubmit(w http.ResponseWriter, r *http.Request, p *page) {
	y, _ := yearOf(r)
	_, err := h.deps.Reports.Submit(r.Context(), p.Bureau.ID, y)
	h.afterReport(w, r, p, err, "flash.report_submitted", "")
}

// reportPublish publishes the submitted report on the portal (Art. 50).
func (h *handler) reportPublish(w http.ResponseWriter, r *http.Request, p *page) {
	y, _ := yearOf(r)
	_, err := h.deps.Reports.Publish(r.Context(), p.Bureau.ID, y)
	h.afterReport(w, r, p, err, "flash.report_published", "")
}

// reportDocument is the document of the version asked for (?v=N), the
// newest, or before any a preview computed now.
func (h *handler) reportDocument(r *http.Request, p *page) (*report.Document, error) {
	y, ok := yearOf(r)
	if !ok {
		return nil, fault.New(fault.NotFound, "no such report")
	}
	if _, err := h.deps.Reports.Compute(r.Context(), p.Bureau.ID, y); err != nil { // authorization
		return nil, err
	}
	vs, err := h.deps.Reports.Versions(r.Context(), p.Bureau.ID)
	if err != nil {
		return nil, err
	}
	list := yearVersions(vs)[y]
	cur := first(list)
	if v := r.URL.Query().Get("v"); v != "" {
		n, _ := strconv.Atoi(v)
		i := slices.IndexFunc(list, func(s report.Stored) bool { return s.Version == n })
		if i < 0 {
			return nil, fault.New(fault.NotFound, "no such version")
		}
		cur = &list[i]
	}
	if cur == nil {
		cur = &report.Stored{Year: y, State: "preview", Narrative: map[string]string{}}
	}
	return h.deps.Reports.Document(r.Context(), p.Bureau.ID, p.Bureau.Name, cur)
}

// reportPrint is the report in the official layout with A4 print styles,
// as the portal shows it once published.
func (h *handler) reportPrint(w http.ResponseWriter, r *http.Request, p *page) {
	doc, err := h.reportDocument(r, p)
	if err != nil {
		p.Area = "reports"
		h.fail(w, r, p, err)
		return
	}
	var buf bytes.Buffer
	if err := report.WriteHTML(&buf, doc); err != nil {
		h.fail(w, r, p, fault.Wrap(err, fault.Internal, "render report"))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// reportDownload serves the report as XLSX, JSON or one table as CSV.
func (h *handler) reportDownload(w http.ResponseWriter, r *http.Request, p *page) {
	doc, err := h.reportDocument(r, p)
	if err != nil {
		p.Area = "reports"
		h.fail(w, r, p, err)
		return
	}
	format := r.URL.Query().Get("format")
	name := p.Bureau.Slug + "-" + strconv.Itoa(doc.Year) + "-annual-report"
	if doc.Version > 0 {
		name += "-v" + strconv.Itoa(doc.Version)
	}
	var buf bytes.Buffer
	var ctype string
	switch format {
	case "xlsx":
		ctype, err = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", report.WriteXLSX(&buf, doc)
		name += ".xlsx"
	case "json":
		ctype, err = "application/json", report.WriteJSON(&buf, doc)
		name += ".json"
	case "csv2", "csv3", "csv4":
		n, _ := strconv.Atoi(format[3:])
		ctype, err = "text/csv; charset=utf-8", report.WriteCSV(&buf, doc.Tables, n)
		name += "-table" + format[3:] + ".csv"
	default:
		p.Area = "reports"
		h.fail(w, r, p, fault.Field("format", "must be xlsx, json, csv2, csv3 or csv4"))
		return
	}
	if err != nil {
		h.fail(w, r, p, fault.Wrap(err, fault.Internal, "render report"))
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

type cellsData struct {
	Year      int
	Records   *report.CellRecords
	RowLabel  string
	ColLabel  string
	Table4    bool
	Listed    int
	ReportURL string
	// Outcomes are the Table 3 row labels of the outcomes.
	Outcomes map[string]string
}

// reportCells lists the records behind one number of Table 3 or 4.
func (h *handler) reportCells(w http.ResponseWriter, r *http.Request, p *page) {
	p.Area = "reports"
	y, ok := yearOf(r)
	if !ok {
		h.fail(w, r, p, fault.New(fault.NotFound, "no such report"))
		return
	}
	q := r.URL.Query()
	table, _ := strconv.Atoi(q.Get("table"))
	c := report.Cell{Table: table, Row: q.Get("row"), Column: q.Get("column")}
	recs, err := h.deps.Reports.Records(r.Context(), p.Bureau.ID, y, c)
	if err != nil {
		h.fail(w, r, p, err)
		return
	}
	d := cellsData{Year: y, Records: recs, Table4: table == 4, Listed: recs.Listed(), ReportURL: p.Base() + "/reports/" + strconv.Itoa(y), Outcomes: map[string]string{}}
	for _, o := range request.Outcomes {
		d.Outcomes[o.Code] = o.Group + o.Row
	}
	if table == 3 {
		t, err := h.deps.Reports.Compute(r.Context(), p.Bureau.ID, y)
		if err != nil {
			h.fail(w, r, p, err)
			return
		}
		if row := t.Table3.Row(c.Row); row != nil {
			d.RowLabel = row.Group + row.Label
		}
		for _, col := range report.Columns {
			if col.Code == c.Column {
				d.ColLabel = col.Label
			}
		}
	} else {
		d.RowLabel, d.ColLabel = p.T("report.t4."+c.Row), p.T("report.t4.result."+c.Column)
	}
	yr := strconv.Itoa(y)
	p.Title = p.Tf("report.cells_title", "year", yr)
	p.Crumbs = []crumb{{Name: p.T("nav.reports"), URL: p.Base() + "/reports"}, {Name: p.Tf("report.title_year", "year", yr), URL: d.ReportURL}, {Name: p.Title}}
	p.Data = d
	h.render(w, r, http.StatusOK, "report_cells", p)
}
