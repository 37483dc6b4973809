package catalog

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
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
				sq = sq.Where("state IN (?)", bun.List(q.States))
			}
			if q.Category != "" {
				sq = sq.Where("category_code IN (?)", bun.List(withDescendants(cats, q.Category)))
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

// related is one link from an item to a related item of the same bureau.
type related struct {
	bun.BaseModel `bun:"table:catalog_related"`
	TenantID      int64     `bun:",pk"`
	ItemID        int64     `bun:",pk"`
	RelatedID     int64     `bun:",pk"`
	Position      int       `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
}

// MaxRelated is the most related items an item lists.
const MaxRelated = 20

// relationOwner is the item whose related items a page shows and edits:
// a revision draft shares those of the published item it revises.
func relationOwner(it *Item) int64 {
	if it.RevisesID != 0 {
		return it.RevisesID
	}
	return it.ID
}

// RelatedItems returns the related items (相关信息) of an item, in the order
// they were given ("catalog read"); a revision draft shows those of the item
// it revises. Only id, index number, title and state are filled.
func (s *Service) RelatedItems(ctx context.Context, tenantID, id int64) ([]Item, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "read"); err != nil {
		return nil, err
	}
	var out []Item
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		it, err := getItem(ctx, tx, tenantID, id, false, s.db.Dialect)
		if err != nil {
			return err
		}
		var links []related
		if err := tx.NewSelect().Model(&links).Where("tenant_id = ? AND item_id = ?", tenantID, relationOwner(it)).Order("position").Scan(ctx); err != nil {
			return db.Translate(err)
		}
		if len(links) == 0 {
			return nil
		}
		ids := make([]int64, len(links))
		for i, l := range links {
			ids[i] = l.RelatedID
		}
		if err := tx.NewSelect().Model(&out).Column("tenant_id", "id", "index_no", "title", "state").
			Where("tenant_id = ? AND id IN (?)", tenantID, bun.List(ids)).Scan(ctx); err != nil {
			return db.Translate(err)
		}
		slices.SortFunc(out, func(a, b Item) int { return slices.Index(ids, a.ID) - slices.Index(ids, b.ID) })
		return nil
	})
	return out, err
}

// SetRelated replaces the related items of an item while it is a draft
// ("catalog write"); for a revision draft, those of the item it revises.
// Each must be another item of the bureau, at most MaxRelated; otherwise a
// 422 on the field related. The change is audited.
func (s *Service) SetRelated(ctx context.Context, tenantID, id int64, ids []int64) error {
	if err := s.authz.Require(ctx, tenantID, "catalog", "write"); err != nil {
		return err
	}
	var uniq []int64
	for _, r := range ids {
		if r != 0 && !slices.Contains(uniq, r) {
			uniq = append(uniq, r)
		}
	}
	if len(uniq) > MaxRelated {
		return fault.Field("related", "at most %d related items", MaxRelated)
	}
	return s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		it, err := getItem(ctx, tx, tenantID, id, true, s.db.Dialect)
		if err != nil {
			return err
		}
		if it.State != Draft {
			return conflictState("edit", it.State)
		}
		owner := relationOwner(it)
		if len(uniq) > 0 {
			n, err := tx.NewSelect().Model((*Item)(nil)).Where("tenant_id = ? AND id IN (?) AND id <> ? AND id <> ?", tenantID, bun.List(uniq), owner, it.ID).Count(ctx)
			if err != nil {
				return db.Translate(err)
			}
			if int(n) != len(uniq) {
				return fault.Field("related", "must be other items of this bureau's catalog")
			}
		}
		var before []related
		if err := tx.NewSelect().Model(&before).Where("tenant_id = ? AND item_id = ?", tenantID, owner).Order("position").Scan(ctx); err != nil {
			return db.Translate(err)
		}
		old := make([]int64, len(before))
		for i, l := range before {
			old[i] = l.RelatedID
		}
		if slices.Equal(old, uniq) {
			return nil
		}
		if _, err := tx.NewDelete().Model((*related)(nil)).Where("tenant_id = ? AND item_id = ?", tenantID, owner).Exec(ctx); err != nil {
			return db.Translate(err)
		}
		now := s.now().UTC()
		if len(uniq) > 0 {
			rows := make([]related, len(uniq))
			for i, r := range uniq {
				rows[i] = related{TenantID: tenantID, ItemID: owner, RelatedID: r, Position: i + 1, CreatedAt: now}
			}
			if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
				return db.Translate(err)
			}
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "catalog.item_related", ObjectType: "catalog_item",
			ObjectID: strconv.FormatInt(owner, 10), Changes: map[string]any{"related": []any{old, uniq}}})
	})
}
