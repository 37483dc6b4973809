package catalog

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/workday"
)

// DocumentStats counts the items of one document kind for Table 2 of the
// annual report: made in the year, repealed in the year, in force at its end.
type DocumentStats struct {
	Made, Repealed, InForce int
}

// DocumentCounts gives row (一) of Table 2 of the annual report (Art. 50,
// proactive disclosure of rules and normative documents under Art. 20 (一))
// from the catalog, for the bureau and year: documents made in the year
// (published items whose 生成日期 falls in it), repealed in the year (the
// repeal action was taken in it), and in force at the end of it (published
// by 31 December and neither repealed nor withdrawn by then). Withdrawn
// items, withdrawn as published in error, are not counted as made. Only
// items that were published count, so the figures are public: no actor is
// needed (the report service checks its own permission). The app adapts
// it to report.DocumentCounter.
func (s *Service) DocumentCounts(ctx context.Context, tenantID int64, year int) (rules, normative DocumentStats, err error) {
	type row struct {
		ID          int64
		DocKind     string
		State       State
		FormedOn    workday.Date
		PublishedOn workday.Date
	}
	type step struct {
		ItemID int64
		Action string
		At     time.Time
	}
	var items []row
	var steps []step
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model((*Item)(nil)).Column("id", "doc_kind", "state", "formed_on", "published_on").
			Where("tenant_id = ? AND doc_kind IN (?) AND index_no IS NOT NULL", tenantID, bun.List([]string{KindRule, KindNormative})).
			Scan(ctx, &items); err != nil {
			return db.Translate(err)
		}
		return db.Translate(tx.NewSelect().Model((*Transition)(nil)).Column("item_id", "action", "at").
			Where("tenant_id = ? AND action IN (?)", tenantID, bun.List([]string{ActRepeal, ActWithdraw})).Order("id").Scan(ctx, &steps))
	})
	if err != nil {
		return rules, normative, err
	}
	end := time.Date(year+1, 1, 1, 0, 0, 0, 0, workday.ChinaTime)
	lastDay := workday.Date{Year: year, Month: 12, Day: 31}
	endedBy := map[int64]time.Time{}    // first repeal or withdrawal
	repealedAt := map[int64]time.Time{} // latest repeal
	for _, st := range steps {
		if _, ok := endedBy[st.ItemID]; !ok {
			endedBy[st.ItemID] = st.At
		}
		if st.Action == ActRepeal {
			repealedAt[st.ItemID] = st.At
		}
	}
	for _, it := range items {
		c := &normative
		if it.DocKind == KindRule {
			c = &rules
		}
		if it.State != Withdrawn && it.FormedOn.Year == year {
			c.Made++
		}
		if at, ok := repealedAt[it.ID]; ok && it.State == Repealed && workday.FromTime(at, workday.ChinaTime).Year == year {
			c.Repealed++
		}
		if !it.PublishedOn.IsZero() && !it.PublishedOn.After(lastDay) {
			if at, ok := endedBy[it.ID]; !ok || !at.Before(end) {
				c.InForce++
			}
		}
	}
	return rules, normative, nil
}
