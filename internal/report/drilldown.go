package report

import (
	"context"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"gongkai/internal/appeal"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// Table 4 group codes (the kinds of package appeal) and the total result.
var (
	// Table4Groups are the three groups of Table 4 in order: 行政复议,
	// 行政诉讼（未经复议直接起诉）, 行政诉讼（复议后起诉）.
	Table4Groups = []string{appeal.Reconsideration, appeal.SuedDirectly, appeal.SuedAfter}
	// Table4Results are the five numbers of each group: 结果维持, 结果纠正,
	// 其他结果, 尚未审结, 总计.
	Table4Results = []string{appeal.Upheld, appeal.Corrected, appeal.Other, appeal.Pending, ColumnTotal}
)

// ColumnTotal is the code of the 总计 column of Table 3 and the 总计 result
// of Table 4.
const ColumnTotal = "total"

// Cell names one number of Table 3 or Table 4.
type Cell struct {
	// Table is 3 or 4.
	Table int `json:"table"`
	// Row is a Table 3 row code (new, carried_in, an outcome code, total,
	// carried_forward) or a Table 4 group (reconsideration,
	// litigation_direct, litigation_after_reconsideration).
	Row string `json:"row"`
	// Column is a Table 3 applicant column code or total, or a Table 4
	// result (upheld, corrected, other, pending, total).
	Column string `json:"column"`
}

// Value returns the number the tables show in the cell.
func (t *Tables) Value(c Cell) int {
	switch c.Table {
	case 3:
		row := t.Table3.Row(c.Row)
		col := slices.IndexFunc(Columns, func(x struct{ Code, Label string }) bool { return x.Code == c.Column })
		if row == nil || col < 0 {
			return 0
		}
		return row.Values[col]
	case 4:
		g, r := slices.Index(Table4Groups, c.Row), slices.Index(Table4Results, c.Column)
		if g < 0 || r < 0 {
			return 0
		}
		return [3][5]int{t.Table4.Reconsideration, t.Table4.SuedDirectly, t.Table4.SuedAfter}[g][r]
	}
	return 0
}

// CellRequest is a disclosure request counted in a Table 3 cell.
type CellRequest struct {
	ID            int64        `json:"id"`
	TrackingCode  string       `json:"tracking_code"`
	ApplicantType string       `json:"applicant_type"`
	ApplicantName string       `json:"applicant_name"`
	State         string       `json:"state"`
	Outcome       string       `json:"outcome,omitempty"`
	ReceivedOn    workday.Date `json:"received_on"`
	OutcomeOn     workday.Date `json:"outcome_on,omitzero"`
}

// CellAppeal is a reconsideration or litigation case counted in a Table 4
// cell, with the result it is counted under (as of 31 December).
type CellAppeal struct {
	ID        int64        `json:"id"`
	CaseNo    string       `json:"case_no"`
	RequestID *int64       `json:"request_id,omitempty"`
	Kind      string       `json:"kind"`
	Body      string       `json:"body"`
	FiledOn   workday.Date `json:"filed_on"`
	CountedAs string       `json:"counted_as"`
	DecidedOn workday.Date `json:"decided_on,omitzero"`
}

// CellRecords are the records behind one number of the report: the requests
// (Table 3) or cases (Table 4) it counts and the adjustments added to it.
type CellRecords struct {
	Year        int           `json:"year"`
	Cell        Cell          `json:"cell"`
	Value       int           `json:"value" doc:"The number the tables show in the cell, computed now"`
	Requests    []CellRequest `json:"requests"`
	Appeals     []CellAppeal  `json:"appeals"`
	Adjustments []Adjustment  `json:"adjustments"`
}

// Listed is what the listed records add up to: one per request or case
// plus the adjustments' deltas. It equals Value.
func (r *CellRecords) Listed() int {
	n := len(r.Requests) + len(r.Appeals)
	for _, a := range r.Adjustments {
		n += a.Delta
	}
	return n
}

// validCell checks that c names a number of Table 3 or Table 4.
func validCell(c Cell) error {
	switch c.Table {
	case 3:
		t := newTable3()
		if t.Row(c.Row) == nil {
			return fault.Field("row", "is not a Table 3 row code")
		}
		if !slices.ContainsFunc(Columns, func(x struct{ Code, Label string }) bool { return x.Code == c.Column }) {
			return fault.Field("column", "is not a Table 3 column: use an applicant type or total")
		}
	case 4:
		if !slices.Contains(Table4Groups, c.Row) {
			return fault.Field("row", "is not a Table 4 group: use %s", strings.Join(Table4Groups, ", "))
		}
		if !slices.Contains(Table4Results, c.Column) {
			return fault.Field("column", "is not a Table 4 result: use %s", strings.Join(Table4Results, ", "))
		}
	default:
		return fault.Field("table", "must be 3 or 4")
	}
	return nil
}

// Records lists the records behind one number of Table 3 or Table 4 for the
// year, counted by the same rules as Compute (国办公开办函〔2021〕30号;
// Regulations Art. 50): the requests in the row and column, or the cases of
// the group with the result; and for Table 3 the adjustments added to the
// cell.
func (s *Service) Records(ctx context.Context, tenantID int64, year int, c Cell) (*CellRecords, error) {
	if err := validCell(c); err != nil {
		return nil, err
	}
	t, err := s.Compute(ctx, tenantID, year) // authorization and the year's range
	if err != nil {
		return nil, err
	}
	out := &CellRecords{Year: year, Cell: c, Value: t.Value(c), Requests: []CellRequest{}, Appeals: []CellAppeal{}, Adjustments: []Adjustment{}}
	start, end := yearBounds(year)
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if c.Table == 4 {
			return s.cellAppeals(ctx, tx, tenantID, start, end, c, out)
		}
		return s.cellRequests(ctx, tx, tenantID, year, start, end, c, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) cellRequests(ctx context.Context, tx bun.Tx, tenantID int64, year int, start, end workday.Date, c Cell, out *CellRecords) error {
	var outcomes []string
	for _, o := range request.Outcomes {
		outcomes = append(outcomes, o.Code)
	}
	var rqs []request.Request
	q := tx.NewSelect().Model(&rqs).Where("tenant_id = ?", tenantID).Where("state <> ?", request.StateSubmitted)
	switch c.Row {
	case RowNew:
		q = q.Where("received_on >= ? AND received_on <= ?", start, end)
	case RowCarriedIn:
		q = q.Where("received_on < ? AND (outcome_on IS NULL OR outcome_on >= ?)", start, start)
	case RowCarriedForward:
		q = q.Where("received_on <= ? AND (outcome_on IS NULL OR outcome_on > ?)", end, end)
	case RowTotal:
		q = q.Where("outcome IN (?) AND outcome_on >= ? AND outcome_on <= ?", bun.List(outcomes), start, end)
	default:
		q = q.Where("outcome = ? AND outcome_on >= ? AND outcome_on <= ?", c.Row, start, end)
	}
	var columns []string
	if c.Column == ColumnTotal {
		for _, col := range Columns[:NumColumns-1] {
			columns = append(columns, col.Code)
		}
	} else {
		columns = []string{c.Column}
	}
	q = q.Where("applicant_type IN (?)", bun.List(columns))
	if err := q.OrderExpr("received_on, id").Scan(ctx); err != nil {
		return err
	}
	for _, r := range rqs {
		out.Requests = append(out.Requests, CellRequest{ID: r.ID, TrackingCode: r.TrackingCode, ApplicantType: r.ApplicantType, ApplicantName: r.ApplicantName,
			State: r.State, Outcome: r.Outcome, ReceivedOn: r.ReceivedOn, OutcomeOn: r.OutcomeOn})
	}
	rows := []string{c.Row}
	if c.Row == RowTotal {
		rows = outcomes // （七）总计 is the sum of the result rows, adjustments included
	}
	var adjs []Adjustment
	if err := tx.NewSelect().Model(&adjs).Where("tenant_id = ? AND year = ?", tenantID, year).
		Where("row_code IN (?) AND column_code IN (?)", bun.List(rows), bun.List(columns)).OrderExpr("id").Scan(ctx); err != nil {
		return err
	}
	out.Adjustments = append(out.Adjustments, adjs...)
	return nil
}

func (s *Service) cellAppeals(ctx context.Context, tx bun.Tx, tenantID int64, start, end workday.Date, c Cell, out *CellRecords) error {
	var cases []appeal.Case
	if err := tx.NewSelect().Model(&cases).Where("tenant_id = ? AND filed_on >= ? AND filed_on <= ?", tenantID, start, end).
		OrderExpr("filed_on, id").Scan(ctx); err != nil {
		return err
	}
	for _, cs := range cases {
		// As in Compute: the result as of 31 December; a kind that is
		// not litigation counts as reconsideration.
		result := cs.Outcome
		if cs.DecidedOn.IsZero() || cs.DecidedOn.After(end) {
			result = appeal.Pending
		}
		group := appeal.Reconsideration
		if cs.Kind == appeal.SuedDirectly || cs.Kind == appeal.SuedAfter {
			group = cs.Kind
		}
		if group != c.Row || (c.Column != ColumnTotal && result != c.Column) {
			continue
		}
		out.Appeals = append(out.Appeals, CellAppeal{ID: cs.ID, CaseNo: cs.CaseNo, RequestID: cs.RequestID, Kind: cs.Kind, Body: cs.Body,
			FiledOn: cs.FiledOn, CountedAs: result, DecidedOn: cs.DecidedOn})
	}
	return nil
}

// Adjustments lists the explicit Table 3 adjustments of the year (opening
// balances and corrections), oldest first.
func (s *Service) Adjustments(ctx context.Context, tenantID int64, year int) ([]Adjustment, error) {
	if err := s.authz.Require(ctx, tenantID, "report", "read"); err != nil {
		return nil, err
	}
	out := []Adjustment{}
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Where("tenant_id = ? AND year = ?", tenantID, year).OrderExpr("id").Scan(ctx)
	})
	return out, err
}

// Involved says where a violation is: the Table 3 rows it concerns and the
// column index (-1 when it concerns every column or Table 4), so a page can
// mark the cells and link to the records behind them.
func (t *Tables) Involved(v Violation) (rows []string, column int) {
	column = slices.IndexFunc(Columns, func(x struct{ Code, Label string }) bool { return x.Label == v.Column })
	switch {
	case strings.HasPrefix(v.Rule, "一 + 二"):
		return []string{RowNew, RowCarriedIn, RowTotal, RowCarriedForward}, column
	case strings.HasPrefix(v.Rule, "（七）总计"):
		rows = []string{RowTotal}
		for _, o := range request.Outcomes {
			rows = append(rows, o.Code)
		}
		return rows, column
	case strings.HasPrefix(v.Rule, "上年"):
		return []string{RowCarriedIn}, column
	case strings.HasPrefix(v.Rule, "总计 ="):
		for _, r := range t.Table3.Rows {
			if r.Label == v.Column {
				return []string{r.Code}, NumColumns - 1
			}
		}
	}
	return nil, -1
}

// EnteredFigure returns the Table 2 figure entered for key (FigureKeys) and
// whether one was entered, for tables computed from the records (frozen
// tables do not keep it).
func (t *Tables) EnteredFigure(key string) (Figure, bool) {
	f, ok := t.figures[key]
	return f, ok
}
