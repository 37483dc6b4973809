package report

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/appeal"
	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/jobs"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// DocumentStats counts the items of one document kind for Table 2 (Art. 20
// (一)): made in the year (by 生成日期), repealed in the year, in force on
// 31 December.
type DocumentStats struct {
	Made, Repealed, InForce int
}

// DocumentCounter gives the catalog's Table 2 counts; the catalog service
// implements it.
type DocumentCounter interface {
	DocumentCounts(ctx context.Context, tenantID int64, year int) (rules, normative DocumentStats, err error)
}

// Figure keys of Table 2 entered by the bureau or pushed by integrators.
const (
	FigureLicensing     = "licensing"      // 行政许可 本年处理决定数量
	FigurePenalty       = "penalty"        // 行政处罚
	FigureEnforcement   = "enforcement"    // 行政强制
	FigureFeeIncome     = "fee_income"     // 行政事业性收费 本年收费金额（万元）
	FigureRulesApply    = "rules_apply"    // 1 when the bureau makes 规章; otherwise 规章 shows "/"
	FigureFeesCollected = "fees_collected" // 信息处理费 collected (元), reported in section 六
)

// FigureKeys lists the keys a bureau may enter.
var FigureKeys = []string{FigureLicensing, FigurePenalty, FigureEnforcement, FigureFeeIncome, FigureRulesApply, FigureFeesCollected}

// storedFigure is one entered figure.
type storedFigure struct {
	bun.BaseModel `bun:"table:report_figures"`
	TenantID      int64     `bun:",pk"`
	Year          int       `bun:",pk"`
	Key           string    `bun:",pk"`
	Value         *float64  `bun:"value"`
	Source        string    `bun:",notnull"`
	UpdatedBy     string    `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
}

// Adjustment changes one Table 3 cell explicitly, e.g. the opening balance
// of requests received before the bureau used the service.
type Adjustment struct {
	bun.BaseModel `bun:"table:report_adjustments"`
	TenantID      int64     `bun:",notnull" json:"-"`
	ID            int64     `bun:",pk,autoincrement" json:"id"`
	Year          int       `bun:",notnull" json:"year"`
	RowCode       string    `bun:",notnull" json:"row"`
	ColumnCode    string    `bun:",notnull" json:"column"`
	Delta         int       `bun:",notnull" json:"delta"`
	Reason        string    `bun:",notnull" json:"reason"`
	CreatedBy     string    `bun:",notnull" json:"created_by"`
	CreatedAt     time.Time `bun:",notnull" json:"created_at"`
}

// Service computes and keeps annual reports.
type Service struct {
	db        *db.DB
	authz     *authz.Authorizer
	documents DocumentCounter
	now       func() time.Time
	events    Events
	jobs      *jobs.Client // enqueues report exports (generate.go)
}

// NewService returns the report service; documents may be nil until the
// catalog is wired, in which case Table 2 document counts are zero.
func NewService(d *db.DB, az *authz.Authorizer, documents DocumentCounter, now func() time.Time) *Service {
	return &Service{db: d, authz: az, documents: documents, now: now}
}

func yearBounds(year int) (workday.Date, workday.Date) {
	return workday.Date{Year: year, Month: time.January, Day: 1}, workday.Date{Year: year, Month: time.December, Day: 31}
}

type cellCount struct {
	Key           string `bun:"key"`
	ApplicantType string `bun:"applicant_type"`
	N             int    `bun:"n"`
}

// yearCount counts one (outcome, applicant type) group of a bureau's
// requests for each part of Table 3.
type yearCount struct {
	Key            string `bun:"key"`
	ApplicantType  string `bun:"applicant_type"`
	Received       int    `bun:"received"`
	CarriedIn      int    `bun:"carried_in"`
	Finished       int    `bun:"finished"`
	CarriedForward int    `bun:"carried_forward"`
}

// Compute returns Tables 2–4 of the bureau for the year, from its records.
func (s *Service) Compute(ctx context.Context, tenantID int64, year int) (*Tables, error) {
	if err := s.authz.Require(ctx, tenantID, "report", "read"); err != nil {
		return nil, err
	}
	if year < 2008 || year > 2200 {
		return nil, fault.Field("year", "must be a year such as 2026")
	}
	return s.compute(ctx, tenantID, year)
}

// RawCompute is Compute with Table 3 counted from the requests themselves,
// as before the summary request_year_counts: the oracle of the summary's
// tests and the comparison of the benchmarks.
func (s *Service) RawCompute(ctx context.Context, tenantID int64, year int) (*Tables, error) {
	if err := s.authz.Require(ctx, tenantID, "report", "read"); err != nil {
		return nil, err
	}
	if year < 2008 || year > 2200 {
		return nil, fault.Field("year", "must be a year such as 2026")
	}
	return s.computeFrom(ctx, tenantID, year, true)
}

// table3Counts counts the bureau's requests for each part of Table 3 of
// the year, per (outcome, applicant type), among the requests that matter
// for the year (received by its end, not finished before its start): 一
// received in the year; 二 received before it and not finished before it;
// the results finished in the year; 四 not finished by its end. Requests
// still 'submitted' (online, unconfirmed) and those without a receipt date
// do not count.
//
// They come from request_year_counts, which the triggers on requests keep
// per (bureau, applicant type, outcome, year of receipt, year of the
// outcome or 0): the year's bounds are whole years, so comparing years is
// comparing the dates, and a bureau has a few hundred such rows where it
// has thousands of requests. With raw, they are counted from the requests
// in one pass instead (RawCompute).
func table3Counts(ctx context.Context, tx bun.Tx, tenantID int64, year int, raw bool) ([]yearCount, error) {
	var rows []yearCount
	var q *bun.SelectQuery
	if raw {
		start, end := yearBounds(year)
		q = tx.NewSelect().Table("requests").ColumnExpr("outcome AS key, applicant_type").
			ColumnExpr("SUM(CASE WHEN received_on >= ? THEN 1 ELSE 0 END) AS received", start).
			ColumnExpr("SUM(CASE WHEN received_on < ? THEN 1 ELSE 0 END) AS carried_in", start).
			ColumnExpr("SUM(CASE WHEN outcome <> '' AND outcome_on IS NOT NULL AND outcome_on <= ? THEN 1 ELSE 0 END) AS finished", end).
			ColumnExpr("SUM(CASE WHEN outcome_on IS NULL OR outcome_on > ? THEN 1 ELSE 0 END) AS carried_forward", end).
			Where("tenant_id = ?", tenantID).Where("state <> ?", request.StateSubmitted).
			Where("received_on <= ? AND (outcome_on IS NULL OR outcome_on >= ?)", end, start)
	} else {
		q = tx.NewSelect().Table("request_year_counts").ColumnExpr("outcome AS key, applicant_type").
			ColumnExpr("SUM(CASE WHEN received_year = ? THEN n ELSE 0 END) AS received", year).
			ColumnExpr("SUM(CASE WHEN received_year < ? THEN n ELSE 0 END) AS carried_in", year).
			ColumnExpr("SUM(CASE WHEN outcome <> '' AND outcome_year = ? THEN n ELSE 0 END) AS finished", year).
			ColumnExpr("SUM(CASE WHEN outcome_year = 0 OR outcome_year > ? THEN n ELSE 0 END) AS carried_forward", year).
			Where("tenant_id = ?", tenantID).
			Where("received_year <= ? AND (outcome_year = 0 OR outcome_year >= ?)", year, year)
	}
	if err := q.GroupExpr("outcome, applicant_type").Scan(ctx, &rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// compute computes the tables, Table 3 from the summary of the requests.
func (s *Service) compute(ctx context.Context, tenantID int64, year int) (*Tables, error) {
	return s.computeFrom(ctx, tenantID, year, false)
}

// computeFrom computes the tables; raw counts Table 3 from the requests
// themselves rather than from their summary (table3Counts).
func (s *Service) computeFrom(ctx context.Context, tenantID int64, year int, raw bool) (*Tables, error) {
	start, end := yearBounds(year)
	t := &Tables{Year: year, Table3: newTable3()}
	var rules, normative DocumentStats
	if s.documents != nil {
		var err error
		if rules, normative, err = s.documents.DocumentCounts(ctx, tenantID, year); err != nil {
			return nil, err
		}
	}
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		add := func(rowCode string, counts []cellCount) {
			for _, c := range counts {
				code := rowCode
				if code == "" {
					code = c.Key
				}
				row := t.Table3.Row(code)
				col, ok := columnIndex(c.ApplicantType)
				if row != nil && ok {
					row.Values[col] += c.N
				}
			}
		}
		rows, err := table3Counts(ctx, tx, tenantID, year, raw)
		if err != nil {
			return err
		}
		for _, r := range rows {
			add(RowNew, []cellCount{{r.Key, r.ApplicantType, r.Received}})
			add(RowCarriedIn, []cellCount{{r.Key, r.ApplicantType, r.CarriedIn}})
			add("", []cellCount{{r.Key, r.ApplicantType, r.Finished}})
			add(RowCarriedForward, []cellCount{{r.Key, r.ApplicantType, r.CarriedForward}})
		}
		var adjs []Adjustment
		if err := tx.NewSelect().Model(&adjs).Where("tenant_id = ? AND year = ?", tenantID, year).Scan(ctx); err != nil {
			return err
		}
		for _, a := range adjs {
			if row := t.Table3.Row(a.RowCode); row != nil {
				if col, ok := columnIndex(a.ColumnCode); ok {
					row.Values[col] += a.Delta
					if a.RowCode == RowCarriedIn {
						t.OpeningBalance[col] += a.Delta
						t.OpeningBalance[NumColumns-1] += a.Delta
					}
				}
			}
		}
		// Table 4: cases filed in the year, by their result as of 31 December.
		var cases []appeal.Case
		if err := tx.NewSelect().Model(&cases).Where("tenant_id = ? AND filed_on >= ? AND filed_on <= ?", tenantID, start, end).Scan(ctx); err != nil {
			return err
		}
		for _, c := range cases {
			outcome := c.Outcome
			if c.DecidedOn.IsZero() || c.DecidedOn.After(end) {
				outcome = appeal.Pending
			}
			i := slices.Index(appeal.Outcomes, outcome)
			g := &t.Table4.Reconsideration
			switch c.Kind {
			case appeal.SuedDirectly:
				g = &t.Table4.SuedDirectly
			case appeal.SuedAfter:
				g = &t.Table4.SuedAfter
			}
			g[i]++
			g[4]++
		}
		// Table 2.
		var figs []storedFigure
		if err := tx.NewSelect().Model(&figs).Where("tenant_id = ? AND year = ?", tenantID, year).Scan(ctx); err != nil {
			return err
		}
		fig := func(key string) Figure {
			for _, f := range figs {
				if f.Key == key {
					return Figure{Value: f.Value, Source: f.Source}
				}
			}
			return Figure{Source: "未填报"}
		}
		t.figures = map[string]Figure{}
		for _, f := range figs {
			t.figures[f.Key] = Figure{Value: f.Value, Source: f.Source}
		}
		t.Table2.Licensing, t.Table2.Penalty, t.Table2.Enforcement, t.Table2.FeeIncome = fig(FigureLicensing), fig(FigurePenalty), fig(FigureEnforcement), fig(FigureFeeIncome)
		const catalogSource = "主动公开目录"
		t.Table2.Normative = DocumentCounts{Made: count(normative.Made, catalogSource), Repealed: count(normative.Repealed, catalogSource), InForce: count(normative.InForce, catalogSource)}
		if f := fig(FigureRulesApply); f.Value != nil && *f.Value == 1 {
			t.Table2.Rules = DocumentCounts{Made: count(rules.Made, catalogSource), Repealed: count(rules.Repealed, catalogSource), InForce: count(rules.InForce, catalogSource)}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	t.Table3.finish()
	return t, nil
}

// Check computes the tables and returns every violated invariant, including
// last year's carried-forward against this year's carried-in.
func (s *Service) Check(ctx context.Context, tenantID int64, year int) (*Tables, []Violation, error) {
	t, err := s.Compute(ctx, tenantID, year)
	if err != nil {
		return nil, nil, err
	}
	prev, err := s.compute(ctx, tenantID, year-1)
	if err != nil {
		return nil, nil, err
	}
	fwd := prev.Table3.Row(RowCarriedForward).Values
	return t, t.Check(&fwd), nil
}

// SetFigure records a Table 2 figure entered by the bureau or pushed by an
// integrator; value nil means the field does not apply ("/").
func (s *Service) SetFigure(ctx context.Context, tenantID int64, year int, key string, value *float64, source string) error {
	if !slices.Contains(FigureKeys, key) {
		return fault.Field("key", "must be one of %s", strings.Join(FigureKeys, ", "))
	}
	if value != nil && *value < 0 {
		return fault.Field("value", "must not be negative")
	}
	source = strings.TrimSpace(source)
	if source == "" {
		return fault.Field("source", "is required: say where the figure comes from")
	}
	if err := s.authz.Require(ctx, tenantID, "report", "write"); err != nil {
		return err
	}
	actor, _ := authz.ActorFrom(ctx)
	now := s.now().UTC()
	f := &storedFigure{TenantID: tenantID, Year: year, Key: key, Value: value, Source: source, UpdatedBy: actor.Name, UpdatedAt: now}
	return s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*storedFigure)(nil)).Where("tenant_id = ? AND year = ? AND key = ?", tenantID, year, key).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(f).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "report.figure_set", ObjectType: "report_figure", ObjectID: fmt.Sprintf("%d/%s", year, key),
			Changes: map[string]any{"value": value, "source": source}})
	})
}

// Adjust records an explicit Table 3 adjustment (an opening balance), audited.
func (s *Service) Adjust(ctx context.Context, tenantID int64, a Adjustment) (*Adjustment, error) {
	blank := newTable3()
	if blank.Row(a.RowCode) == nil || a.RowCode == RowTotal {
		return nil, fault.Field("row", "is not a Table 3 row code")
	}
	if _, ok := columnIndex(a.ColumnCode); !ok {
		return nil, fault.Field("column", "is not an applicant column")
	}
	if a.Delta == 0 {
		return nil, fault.Field("delta", "must not be zero")
	}
	if strings.TrimSpace(a.Reason) == "" {
		return nil, fault.Field("reason", "is required")
	}
	if err := s.authz.Require(ctx, tenantID, "report", "write"); err != nil {
		return nil, err
	}
	actor, _ := authz.ActorFrom(ctx)
	now := s.now().UTC()
	a.TenantID, a.ID, a.CreatedBy, a.CreatedAt = tenantID, 0, actor.Name, now
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&a).Returning("id").Exec(ctx); err != nil {
			return err
		}
		b, _ := json.Marshal(a)
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "report.adjusted", ObjectType: "report_adjustment", ObjectID: fmt.Sprint(a.ID), Changes: json.RawMessage(b)})
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}
