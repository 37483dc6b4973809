package oversight

import (
	"context"
	"slices"

	"github.com/uptrace/bun"

	"gongkai/internal/catalog"
	"gongkai/internal/workday"
)

// Catalog figures (metrics catalog_published and catalog_late): the
// disclosure catalog items a bureau first published in the period, and
// those of them published after the Art. 26 deadline — 20 working days
// after the information was formed (catalog.PublicationDays). Both are
// read from the published versions the catalog keeps (catalog_revisions,
// revision 1 being the first publication), which hold the formation date
// as it stood when the item was published: a later revision changes the
// item's formation date but not that of its first publication.

// catalogPublication is one first publication of a catalog item.
type catalogPublication struct {
	TenantID    int64        `bun:"tenant_id"`
	ItemID      int64        `bun:"item_id"`
	Title       string       `bun:"title"`
	FormedOn    workday.Date `bun:"formed_on"`
	PublishedOn workday.Date `bun:"published_on"`
}

// publishedLate reports whether an item formed on formed and first
// published on published missed the Art. 26 deadline: whether 20 working
// days had already passed by the day before publication, i.e. the
// working days in (formed, published-1] are at least 20, so that the
// deadline day (the 20th working day after formed) is before published.
// ok is false when the calendar does not cover the dates; such an item is
// not counted as late.
func (x *dayIndex) publishedLate(formed, published workday.Date) (late, ok bool) {
	if !published.After(formed) {
		return false, true
	}
	n, ok := x.between(formed, published.AddDays(-1))
	if !ok {
		return false, false
	}
	return n >= catalog.PublicationDays, true
}

// catalogCounts fills catalog_published and catalog_late: one grouped read
// of the first publications in the period, judged against the calendar
// index here.
func (s *Service) catalogCounts(ctx context.Context, tx bun.Tx, idx *dayIndex, p Period, rows map[int64]*DashboardRow) error {
	var out []struct {
		TenantID    int64        `bun:"tenant_id"`
		FormedOn    workday.Date `bun:"formed_on"`
		PublishedOn workday.Date `bun:"published_on"`
		N           int          `bun:"n"`
	}
	err := tx.NewSelect().Table("catalog_revisions").Column("tenant_id", "formed_on", "published_on").ColumnExpr("count(*) AS n").
		Where("revision = 1 AND published_on >= ? AND published_on <= ?", p.From, p.To).
		Group("tenant_id", "formed_on", "published_on").Scan(ctx, &out)
	if err != nil {
		return err
	}
	for _, o := range out {
		r := rows[o.TenantID]
		if r == nil {
			continue
		}
		r.CatalogPublished += o.N
		if late, _ := idx.publishedLate(o.FormedOn, o.PublishedOn); late {
			r.CatalogLate += o.N
		}
	}
	return nil
}

// catalogRecords lists the first publications behind catalog_published or
// (late only) catalog_late for the tenants, in bureau and item order, a
// page at a time. Each record carries the item's publication due date.
func catalogRecords(ctx context.Context, tx bun.Tx, c *city, cal *workday.Calendar, idx *dayIndex, ids []int64, p Period, lateOnly bool, opts RecordOptions, out *Records) error {
	var pubs []catalogPublication
	err := tx.NewSelect().Table("catalog_revisions").Column("tenant_id", "item_id", "title", "formed_on", "published_on").
		Where("tenant_id IN (?)", bun.List(ids)).
		Where("revision = 1 AND published_on >= ? AND published_on <= ?", p.From, p.To).
		Order("tenant_id", "item_id").Scan(ctx, &pubs)
	if err != nil {
		return err
	}
	if lateOnly {
		pubs = slices.DeleteFunc(pubs, func(c catalogPublication) bool {
			late, _ := idx.publishedLate(c.FormedOn, c.PublishedOn)
			return !late
		})
	}
	out.Total = len(pubs)
	if opts.Offset >= len(pubs) {
		return nil
	}
	pubs = pubs[opts.Offset:min(len(pubs), opts.Offset+opts.Limit)]
	itemIDs := make([]int64, len(pubs))
	for i, c := range pubs {
		itemIDs[i] = c.ItemID
	}
	var items []struct {
		TenantID int64  `bun:"tenant_id"`
		ID       int64  `bun:"id"`
		IndexNo  string `bun:"index_no"`
		State    string `bun:"state"`
	}
	if len(itemIDs) > 0 {
		if err := tx.NewSelect().Table("catalog_items").Column("tenant_id", "id", "index_no", "state").
			Where("tenant_id IN (?) AND id IN (?)", bun.List(ids), bun.List(itemIDs)).Scan(ctx, &items); err != nil {
			return err
		}
	}
	type key struct{ tenant, id int64 }
	byKey := map[key]int{}
	for i, it := range items {
		byKey[key{it.TenantID, it.ID}] = i
	}
	for _, pub := range pubs {
		b, _ := c.tenantBureau(pub.TenantID)
		rec := Record{Kind: "catalog_item", ID: pub.ItemID, Bureau: b.Slug, Title: pub.Title, FormedOn: pub.FormedOn, PublishedOn: pub.PublishedOn}
		if i, ok := byKey[key{pub.TenantID, pub.ItemID}]; ok {
			rec.Ref, rec.State = items[i].IndexNo, items[i].State
		}
		if due, err := cal.AddWorkingDays(pub.FormedOn, catalog.PublicationDays); err == nil {
			rec.PublishDueOn = due
		}
		if n, ok := idx.between(pub.FormedOn, pub.PublishedOn); ok {
			rec.WorkingDays = &n
		}
		out.Items = append(out.Items, rec)
	}
	return nil
}
