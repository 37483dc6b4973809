package oversight

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"sync"

	"github.com/uptrace/bun"
	"github.com/xuri/excelize/v2"

	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/report"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// AnnexRow is one bureau's tables in the annex of the city report.
type AnnexRow struct {
	Bureau BureauRef    `json:"bureau"`
	Report ReportStatus `json:"report"`
	// Source says which tables are summed: "published vN" or "submitted vN"
	// (the tables frozen at submission), or "computed" (from the records now,
	// when no version was submitted).
	Source     string             `json:"source"`
	Tables     report.Tables      `json:"tables"`
	Violations []report.Violation `json:"violations"`
}

// CityReport is the consolidated annual report of the city (Art. 49–50):
// Tables 2–4 summed over every bureau and affiliated unit, the oversight
// office excluded, with each bureau's tables as an annex (metric
// city_tables).
type CityReport struct {
	Year int `json:"year"`
	// Office is the oversight office that publishes the city report.
	Office     BureauRef          `json:"office"`
	Tables     report.Tables      `json:"tables"`
	Violations []report.Violation `json:"violations"`
	Annex      []AnnexRow         `json:"annex"`
	// Narrative, Version and State are those of a stored version of the
	// report (cityworkflow.go); without them Document generates the
	// narrative from the figures (a preview).
	Narrative map[string]string `json:"-"`
	Version   int               `json:"-"`
	State     string            `json:"-"`
}

var zeroDate workday.Date

// tablesOf is one bureau's tables for one year and where they come from.
type tablesOf struct {
	tables *report.Tables
	source string
}

// CityReport computes the city report for the year: each bureau's tables
// (frozen if it submitted, else computed from its records by
// report.Service.Compute) for the year and the year before, checked with
// report.Tables.Check, and summed cell by cell.
func (s *Service) CityReport(ctx context.Context, year int) (*CityReport, error) {
	if err := s.require(ctx); err != nil {
		return nil, err
	}
	if _, err := period(year, zeroDate, zeroDate); err != nil {
		return nil, err
	}
	c, err := s.city(ctx)
	if err != nil {
		return nil, err
	}
	if len(c.bureaus) == 0 {
		return nil, fault.New(fault.NotFound, "there are no bureaus to consolidate")
	}
	years := []int{year}
	if year-1 >= 2008 {
		years = append(years, year-1)
	}
	var reps []reportRow
	err = s.read(ctx, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewSelect().Model((*report.Stored)(nil)).Column("tenant_id", "year", "version", "state", "submitted_at", "published_at", "tables").
			Where("year IN (?)", bun.List(years)).OrderExpr("tenant_id, year, version DESC").Scan(ctx, &reps)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Frozen tables: the newest submitted or published version of each year.
	got := map[[2]int64]tablesOf{}
	for _, r := range reps {
		key := [2]int64{r.TenantID, int64(r.Year)}
		if _, done := got[key]; done || len(r.Tables) == 0 || string(r.Tables) == "null" || r.State == report.StateDraft {
			continue
		}
		var t report.Tables
		if err := json.Unmarshal(r.Tables, &t); err != nil {
			return nil, fault.Wrap(err, fault.Internal, "decode the frozen tables of a %d report", r.Year)
		}
		got[key] = tablesOf{tables: &t, source: fmt.Sprintf("%s v%d", r.State, r.Version)}
	}
	// Everything else is computed from the records, a few bureaus at a time
	// on Postgres (SQLite has one connection).
	var todo [][2]int64
	for _, t := range c.bureaus {
		for _, y := range years {
			if _, ok := got[[2]int64{t.ID, int64(y)}]; !ok {
				todo = append(todo, [2]int64{t.ID, int64(y)})
			}
		}
	}
	if err := s.computeAll(ctx, todo, got); err != nil {
		return nil, err
	}
	status := reportStatuses(c, reps, year, s.now())
	cr := &CityReport{Year: year, Annex: []AnnexRow{}}
	if c.office != nil {
		cr.Office = c.bureau(*c.office)
	} else {
		cr.Office = BureauRef{Name: "市政务公开办公室", Kind: string(tenant.OversightOffice)}
	}
	var prevFwd *[report.NumColumns]int
	if len(years) == 2 {
		prevFwd = &[report.NumColumns]int{}
	}
	for i, t := range c.bureaus {
		cur := got[[2]int64{t.ID, int64(year)}]
		a := AnnexRow{Bureau: c.bureau(t), Report: *status[t.ID], Source: cur.source, Tables: *cur.tables}
		var fwd *[report.NumColumns]int
		if prevFwd != nil {
			prev := got[[2]int64{t.ID, int64(year - 1)}]
			if row := prev.tables.Table3.Row(report.RowCarriedForward); row != nil {
				v := row.Values
				fwd = &v
				for k := range v {
					prevFwd[k] += v[k]
				}
			}
		}
		a.Violations = nonNilViolations(a.Tables.Check(fwd))
		if i == 0 {
			cr.Tables = zeroTables(a.Tables)
		}
		addTables(&cr.Tables, &a.Tables)
		cr.Annex = append(cr.Annex, a)
	}
	cr.Violations = nonNilViolations(cr.Tables.Check(prevFwd))
	return cr, nil
}

// computeAll computes the tables of each (tenant, year) in todo into got.
func (s *Service) computeAll(ctx context.Context, todo [][2]int64, got map[[2]int64]tablesOf) error {
	workers := 1
	if s.db.Dialect == db.Postgres {
		workers = 8
	}
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		first error
		next  = make(chan [2]int64)
	)
	for range min(workers, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				t, err := s.reports.Compute(ctx, k[0], int(k[1]))
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				if err == nil {
					got[k] = tablesOf{tables: t, source: "computed"}
				}
				mu.Unlock()
			}
		}()
	}
	for _, k := range todo {
		next <- k
	}
	close(next)
	wg.Wait()
	return first
}

func nonNilViolations(v []report.Violation) []report.Violation {
	if v == nil {
		return []report.Violation{}
	}
	return v
}

// zeroTables returns tables shaped like t (the same Table 3 rows) with every
// number zero and every Table 2 figure not applicable.
func zeroTables(t report.Tables) report.Tables {
	z := report.Tables{Year: t.Year, Table3: report.Table3{Rows: make([]report.Row, len(t.Table3.Rows))}}
	for i, r := range t.Table3.Rows {
		z.Table3.Rows[i] = report.Row{Code: r.Code, Group: r.Group, Label: r.Label}
	}
	return z
}

// sumSource is the source of a summed Table 2 figure.
const sumSource = "各单位合计"

// addFigure adds b to a: the sum of the figures that apply; "/" (nil) only
// while no bureau's figure applies.
func addFigure(a *report.Figure, b report.Figure) {
	if b.Value == nil {
		return
	}
	v := *b.Value
	if a.Value != nil {
		v += *a.Value
	}
	a.Value, a.Source = &v, sumSource
}

func addCounts(a *report.DocumentCounts, b report.DocumentCounts) {
	addFigure(&a.Made, b.Made)
	addFigure(&a.Repealed, b.Repealed)
	addFigure(&a.InForce, b.InForce)
}

// addTables adds b into a cell by cell (Table 3 by row code).
func addTables(a, b *report.Tables) {
	addCounts(&a.Table2.Rules, b.Table2.Rules)
	addCounts(&a.Table2.Normative, b.Table2.Normative)
	addFigure(&a.Table2.Licensing, b.Table2.Licensing)
	addFigure(&a.Table2.Penalty, b.Table2.Penalty)
	addFigure(&a.Table2.Enforcement, b.Table2.Enforcement)
	addFigure(&a.Table2.FeeIncome, b.Table2.FeeIncome)
	for _, r := range b.Table3.Rows {
		if ar := a.Table3.Row(r.Code); ar != nil {
			for k := range ar.Values {
				ar.Values[k] += r.Values[k]
			}
		}
	}
	for k := range a.OpeningBalance {
		a.OpeningBalance[k] += b.OpeningBalance[k]
	}
	for k := 0; k < 5; k++ {
		a.Table4.Reconsideration[k] += b.Table4.Reconsideration[k]
		a.Table4.SuedDirectly[k] += b.Table4.SuedDirectly[k]
		a.Table4.SuedAfter[k] += b.Table4.SuedAfter[k]
	}
}

// total returns the 总计 column of a Table 3 row.
func total(t *report.Tables, code string) int {
	if r := t.Table3.Row(code); r != nil {
		return r.Values[report.NumColumns-1]
	}
	return 0
}

// Document is the city report as a report.Document (the office's name as
// the bureau), for the renderers of package report. The narrative is a
// starting text generated from the figures.
func (cr *CityReport) Document() *report.Document {
	t := &cr.Tables
	overview := fmt.Sprintf("%d年，全市%d个部门和单位认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，推进政府信息公开工作。\n\n"+
		"依申请公开方面，全市全年新收政府信息公开申请%d件，上年结转%d件，办结%d件，结转下年度继续办理%d件。"+
		"全年发生政府信息公开行政复议%d件、行政诉讼%d件。\n\n"+
		"本报告表格由各部门、单位年度报告数据汇总而成，各部门、单位明细见附件。",
		cr.Year, len(cr.Annex), total(t, report.RowNew), total(t, report.RowCarriedIn), total(t, report.RowTotal), total(t, report.RowCarriedForward),
		t.Table4.Reconsideration[4], t.Table4.SuedDirectly[4]+t.Table4.SuedAfter[4])
	d := &report.Document{Bureau: cr.Office.Name, Year: cr.Year, Version: 1, State: "preview", Tables: cr.Tables, Narrative: map[string]string{
		report.SectionOverview: overview,
		report.SectionProblems: "（请填写本年度全市政府信息公开工作存在的主要问题及改进情况，以及考核、社会评议和责任追究结果。）",
		report.SectionOther:    "（请填写其他需要报告的事项。）",
	}}
	if cr.Narrative != nil {
		d.Narrative = cr.Narrative
	}
	if cr.Version > 0 {
		d.Version, d.State = cr.Version, cr.State
	}
	return d
}

// annexColumns are the headings of the annex table.
var annexColumns = []string{"单位", "报告状态", "表格来源", "本年新收", "上年结转", "（七）总计", "结转下年度", "行政复议", "直接起诉", "复议后起诉", "勾稽关系"}

// annexCells returns the annex table row of one bureau.
func annexCells(a *AnnexRow) []string {
	check := "通过"
	if len(a.Violations) > 0 {
		check = fmt.Sprintf("%d项不符", len(a.Violations))
	}
	state := map[string]string{ReportNotStarted: "未开始", report.StateDraft: "草稿", report.StateSubmitted: "已报送", report.StatePublished: "已公开"}[a.Report.State]
	source := "按记录计算"
	if a.Source != "computed" {
		source = "报送时固定（" + a.Source + "）"
	}
	t := &a.Tables
	return []string{a.Bureau.Name, state, source, strconv.Itoa(total(t, report.RowNew)), strconv.Itoa(total(t, report.RowCarriedIn)),
		strconv.Itoa(total(t, report.RowTotal)), strconv.Itoa(total(t, report.RowCarriedForward)),
		strconv.Itoa(t.Table4.Reconsideration[4]), strconv.Itoa(t.Table4.SuedDirectly[4]), strconv.Itoa(t.Table4.SuedAfter[4]), check}
}

var annexTemplate = template.Must(template.New("annex").Parse(`<h2>附件：各部门、单位政府信息公开申请及复议诉讼情况</h2>
<table>
<thead><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{range .Rows}}<tr>{{range $i, $c := .}}<td{{if eq $i 0}} class="label"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
`))

// WriteHTML renders the city report in the official layout
// (report.WriteHTML) with the per-bureau annex after section 六.
func (cr *CityReport) WriteHTML(w io.Writer) error {
	var main bytes.Buffer
	if err := report.WriteHTML(&main, cr.Document()); err != nil {
		return err
	}
	var annex bytes.Buffer
	rows := make([][]string, 0, len(cr.Annex))
	for i := range cr.Annex {
		rows = append(rows, annexCells(&cr.Annex[i]))
	}
	if err := annexTemplate.Execute(&annex, struct {
		Columns []string
		Rows    [][]string
	}{annexColumns, rows}); err != nil {
		return err
	}
	html := main.Bytes()
	at := bytes.LastIndex(html, []byte("</body>"))
	if at < 0 {
		at = len(html)
	}
	out := make([]byte, 0, len(html)+annex.Len())
	out = append(append(append(out, html[:at]...), annex.Bytes()...), html[at:]...)
	_, err := w.Write(out)
	return err
}

// WriteXLSX writes Tables 2–4 (report.WriteXLSX) and the annex as a fourth
// sheet.
func (cr *CityReport) WriteXLSX(w io.Writer) error {
	var main bytes.Buffer
	if err := report.WriteXLSX(&main, cr.Document()); err != nil {
		return err
	}
	f, err := excelize.OpenReader(&main)
	if err != nil {
		return err
	}
	defer f.Close()
	const sheet = "附件 各单位明细"
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	rows := [][]string{annexColumns}
	for i := range cr.Annex {
		rows = append(rows, annexCells(&cr.Annex[i]))
	}
	for r, line := range rows {
		for col, cell := range line {
			ref, _ := excelize.CoordinatesToCellName(col+1, r+1)
			var v any = cell
			if n, err := strconv.Atoi(cell); err == nil && col >= 3 {
				v = n
			}
			if err := f.SetCellValue(sheet, ref, v); err != nil {
				return err
			}
		}
	}
	_ = f.SetColWidth(sheet, "A", "A", 40)
	return f.Write(w)
}

// CityDocument is the JSON form of the city report: the report.Document
// schema (as report.WriteJSON writes it) plus the annex.
type CityDocument struct {
	report.Document
	Annex []AnnexRow `json:"annex"`
}

// WriteJSON writes the city report as JSON (CityDocument).
func (cr *CityReport) WriteJSON(w io.Writer) error {
	d := CityDocument{Document: *cr.Document(), Annex: cr.Annex}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
