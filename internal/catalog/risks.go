package catalog

import (
	"context"
	"slices"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// Risk is an unpublished item near or past its Art. 26 due date.
type Risk struct {
	Item Item
	// DueOn is FormedOn + 20 working days (Art. 26); zero when the
	// calendar does not cover the period (DueUnknown).
	DueOn workday.Date
	// DaysLeft is the working days from today to DueOn: 0 on the due date,
	// negative when overdue.
	DaysLeft   int
	Overdue    bool
	DueUnknown bool
}

// PublicationRisks lists the bureau's items not yet published (drafts,
// items under review, approved items, revision drafts) whose Art. 26 due
// date — 20 working days after the date the information was formed or
// changed — is at most 5 working days after today or already past, soonest
// due first ("catalog read"). Items whose period the calendar does not
// cover are listed too, marked DueUnknown. The console home and the
// reminder jobs use it. A zero today means today in the bureau's time zone.
func (s *Service) PublicationRisks(ctx context.Context, tenantID int64, today workday.Date) ([]Risk, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "read"); err != nil {
		return nil, err
	}
	if today.IsZero() {
		t, err := s.loadTenant(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		today = s.today(t)
	} else if !today.Valid() {
		return nil, fault.Field("today", "is not a valid date")
	}
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var items []Item
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewSelect().Model(&items).ExcludeColumn("body").
			Where("tenant_id = ? AND state IN (?)", tenantID, bun.List([]State{Draft, Submitted, Approved})).
			OrderExpr("formed_on, id").Scan(ctx)
		return db.Translate(err)
	})
	if err != nil {
		return nil, err
	}
	out := []Risk{}
	for _, it := range items {
		normalize(&it)
		due, err := cal.AddWorkingDays(it.FormedOn, PublicationDays)
		if err != nil {
			out = append(out, Risk{Item: it, DueUnknown: true})
			continue
		}
		left, err := cal.WorkingDaysBetween(today, due)
		if err != nil {
			out = append(out, Risk{Item: it, DueOn: due, DueUnknown: true})
			continue
		}
		if left <= RiskWindow {
			out = append(out, Risk{Item: it, DueOn: due, DaysLeft: left, Overdue: today.After(due)})
		}
	}
	slices.SortStableFunc(out, func(a, b Risk) int {
		if a.DueUnknown != b.DueUnknown {
			if a.DueUnknown {
				return -1
			}
			return 1
		}
		return a.DueOn.Compare(b.DueOn)
	})
	return out, nil
}
