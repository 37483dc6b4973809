package catalog

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// BulkItem is an item for BulkPublish: its content and the day it was
// published.
type BulkItem struct {
	ItemInput
	// PublishedOn is the publication date; it gives the year and month of
	// the index number. Not before FormedOn and not after today.
	PublishedOn workday.Date
}

// bulkChunk is the number of rows per INSERT statement: within the bind
// parameter limits of both databases for the widest row (catalog_items).
const bulkChunk = 500

// BulkPublish stores already published items in one transaction with set
// inserts, for synthetic data sets and migrations of an existing catalog
// (platform administrators only: it skips the confidentiality review of
// Art. 17, which such items went through elsewhere). Index numbers come
// from the bureau's counters exactly as publishing assigns them — in order
// of publication date, gapless per year, after those already taken — the
// published content is kept as revision 1, each item gets one "publish"
// step, the public search index is brought up to date, and one audit record
// counts the items. Items are validated as Create validates them; any
// invalid row rejects the whole batch, naming the row. No events are sent:
// subscribers learn of these items from the catalog itself.
func (s *Service) BulkPublish(ctx context.Context, tenantID int64, items []BulkItem) (int, error) {
	if err := s.authz.Require(ctx, 0, "platform", "manage"); err != nil {
		return 0, err
	}
	t, err := s.loadTenant(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	today := s.today(t)
	var fields []fault.FieldError
	for i := range items {
		prefix := "items[" + strconv.Itoa(i) + "]."
		fields = append(fields, s.prepare(t, &items[i].ItemInput, prefix)...)
		switch p := items[i].PublishedOn; {
		case !p.Valid():
			fields = append(fields, fault.FieldError{Field: prefix + "published_on", Message: "is required and must be a valid date (YYYY-MM-DD)"})
		case p.After(today):
			fields = append(fields, fault.FieldError{Field: prefix + "published_on", Message: fmt.Sprintf("%s is in the future", p)})
		case p.Before(items[i].FormedOn):
			fields = append(fields, fault.FieldError{Field: prefix + "published_on", Message: fmt.Sprintf("%s is before the date formed %s", p, items[i].FormedOn)})
		}
		if len(fields) >= 20 {
			break
		}
	}
	if err := fault.Fields(fields); err != nil {
		return 0, err
	}
	order := make([]int, len(items))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return items[a].PublishedOn.Compare(items[b].PublishedOn) })
	a := actor(ctx)
	now := s.now().UTC()
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.seedTx(ctx, tx, t); err != nil {
			return err
		}
		cats, err := categoriesTx(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		names := categoryNames(cats)
		for i := range items {
			if err := fault.Fields(checkCategory(names, items[i].Category, "items["+strconv.Itoa(i)+"].")); err != nil {
				return err
			}
		}
		first, err := s.reserveIndexSeqs(ctx, tx, tenantID, items, order)
		if err != nil {
			return err
		}
		rows := make([]Item, 0, len(items))
		seq := map[int]int{}
		for _, i := range order {
			in := items[i]
			year := in.PublishedOn.Year
			n := first[year] + seq[year]
			seq[year]++
			idx, err := t.Spec.IndexNumber(year, in.PublishedOn.Month, n)
			if err != nil {
				return fault.Wrap(err, fault.Conflict, "cannot form the index number: %s", fault.MessageOf(err))
			}
			it := Item{TenantID: tenantID, State: Published, Validity: InForce, IndexNo: idx, IndexYear: year, IndexSeq: n,
				PublishedOn: in.PublishedOn, Revision: 1, Author: a.Subject, AuthorUserID: a.UserID, AuthorName: a.Name,
				ReviewerName: a.Name, CreatedAt: now, UpdatedAt: now}
			s.apply(in.ItemInput, &it)
			rows = append(rows, it)
		}
		for lo := 0; lo < len(rows); lo += bulkChunk {
			part := rows[lo:min(len(rows), lo+bulkChunk)]
			if _, err := tx.NewInsert().Model(&part).Returning("id").Exec(ctx); err != nil {
				return db.Translate(err)
			}
			revs := make([]Revision, len(part))
			steps := make([]Transition, len(part))
			for k, it := range part {
				revs[k] = Revision{TenantID: tenantID, ItemID: it.ID, Revision: 1, Title: it.Title, Summary: it.Summary, Body: it.Body,
					DocNo: it.DocNo, Issuer: it.Issuer, FormedOn: it.FormedOn, PublishedOn: it.PublishedOn, CategoryCode: it.CategoryCode,
					Topics: it.Topics, DocKind: it.DocKind, Basis: it.Basis, ReviewerName: it.ReviewerName, PublisherName: a.Name, PublishedAt: now}
				steps[k] = Transition{TenantID: tenantID, ItemID: it.ID, Action: ActPublish, ToState: string(Published),
					Comment: "批量发布", Actor: a.Subject, ActorName: a.Name, At: now}
			}
			if _, err := tx.NewInsert().Model(&revs).Exec(ctx); err != nil {
				return db.Translate(err)
			}
			if _, err := tx.NewInsert().Model(&steps).Exec(ctx); err != nil {
				return db.Translate(err)
			}
		}
		if err := rebuildGramsTx(ctx, tx, s.db.Dialect, tenantID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "catalog.items_bulk_published", ObjectType: "catalog",
			ObjectID: strconv.FormatInt(tenantID, 10), Changes: map[string]any{"items": len(rows)}})
	})
	if err != nil {
		return 0, err
	}
	return len(items), nil
}

// reserveIndexSeqs takes from the bureau's counters as many consecutive
// index sequences per year as items are published in that year, and
// returns the first of each year (takeIndexSeqs, as publishing does), so
// concurrent publishers queue behind the batch and nothing is skipped or
// taken twice.
func (s *Service) reserveIndexSeqs(ctx context.Context, tx bun.IDB, tenantID int64, items []BulkItem, order []int) (map[int]int, error) {
	count := map[int]int{}
	var years []int
	for _, i := range order {
		y := items[i].PublishedOn.Year
		if count[y] == 0 {
			years = append(years, y)
		}
		count[y]++
	}
	slices.SortFunc(years, cmp.Compare)
	first := map[int]int{}
	for _, y := range years {
		seq, err := takeIndexSeqs(ctx, tx, tenantID, y, count[y])
		if err != nil {
			return nil, err
		}
		first[y] = seq
	}
	return first, nil
}
