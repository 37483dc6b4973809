package catalog

import (
	"context"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// WorkingCalendar returns the working-day calendar the service counts the
// Art. 26 publication period with (the national schedule and the city's
// corrections), so that lists can show each item's due date.
func (s *Service) WorkingCalendar(ctx context.Context) (*workday.Calendar, error) {
	return s.calendar.Calendar(ctx)
}

// ExplainDue returns the Art. 26 due date of information formed or changed
// on formedOn — 20 working days counted from the next day — with a
// day-by-day account of the count (rest days and make-up working days
// named), so that staff can check it.
func (s *Service) ExplainDue(ctx context.Context, formedOn workday.Date) (workday.Date, []string, error) {
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return workday.Date{}, nil, err
	}
	return cal.ExplainAdd(formedOn, PublicationDays)
}

// List orders of ListSorted.
const (
	OrderChanged   = "changed"   // newest change first (List's order)
	OrderDue       = "due"       // Art. 26 due date soonest first: earliest date formed first
	OrderPublished = "published" // newest first publication first, unpublished last
)

// ListSorted is List in a chosen order, for the staff list: a search (Q set)
// keeps its ranking, best match first; a list without search text is in
// order (OrderChanged by default). An unknown order answers 422.
func (s *Service) ListSorted(ctx context.Context, tenantID int64, q Query, order string) (*Results, error) {
	if q.Q != "" && len(Terms(q.Q)) > 0 || order == "" || order == OrderChanged {
		return s.List(ctx, tenantID, q)
	}
	var by string
	switch order {
	case OrderDue:
		by = "formed_on ASC, id ASC"
	case OrderPublished:
		by = "published_on DESC NULLS LAST, id DESC"
	default:
		return nil, fault.Field("sort", "must be changed, due or published")
	}
	if err := s.authz.Require(ctx, tenantID, "catalog", "read"); err != nil {
		return nil, err
	}
	if _, err := q.normalize(); err != nil {
		return nil, err
	}
	res := &Results{Page: q.Page, PerPage: q.PerPage}
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		cats, err := categoriesTx(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		filter := func(sq *bun.SelectQuery) *bun.SelectQuery {
			sq = sq.Where("tenant_id = ?", tenantID)
			if len(q.States) > 0 {
				sq = sq.Where("state IN (?)", bun.In(q.States))
			}
			if q.Category != "" {
				sq = sq.Where("category_code IN (?)", bun.In(withDescendants(cats, q.Category)))
			}
			if q.Year != 0 {
				sq = sq.Where("published_on >= ? AND published_on < ?", workday.Date{Year: q.Year, Month: 1, Day: 1}, workday.Date{Year: q.Year + 1, Month: 1, Day: 1})
			}
			if q.DocKind != "" {
				sq = sq.Where("doc_kind = ?", q.DocKind)
			}
			return sq
		}
		n, err := filter(tx.NewSelect().Model((*Item)(nil))).Count(ctx)
		if err != nil {
			return db.Translate(err)
		}
		res.Total = int(n)
		var items []Item
		if err := filter(tx.NewSelect().Model(&items).ExcludeColumn("body", "search_title", "search_text")).OrderExpr(by).
			Limit(int64(q.PerPage)).Offset(int64((q.Page - 1) * q.PerPage)).Scan(ctx); err != nil {
			return db.Translate(err)
		}
		names := categoryNames(cats)
		res.Hits = make([]Hit, 0, len(items))
		for i := range items {
			normalize(&items[i])
			it := items[i]
			res.Hits = append(res.Hits, Hit{Item: it, CategoryName: names[it.CategoryCode], TitleHTML: Highlight(it.Title, nil),
				SummaryHTML: Highlight(Excerpt(it.Summary, nil, 120), nil)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
