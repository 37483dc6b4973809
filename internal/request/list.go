package request

import (
	"context"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"gongkai/internal/calendar"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// Filter selects requests for the worklist.
type Filter struct {
	States        []string // empty: every state
	Channel       string
	ApplicantType string
	HandlerID     int64
	OverdueOn     workday.Date // when set: only open or paused requests due before this day
	UpdatedSince  time.Time    // for synchronisation by integrators
	Limit         int          // default 50, at most 500
	Offset        int
}

// List returns the bureau's requests, soonest due first (requests without
// a due date last), and the total matching.
func (s *Service) List(ctx context.Context, tenantID int64, f Filter) ([]Request, int, error) {
	if err := s.authz.Require(ctx, tenantID, "request", "read"); err != nil {
		return nil, 0, err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 0 || f.Limit > 500 {
		return nil, 0, fault.Field("limit", "must be between 1 and 500")
	}
	if f.Offset < 0 {
		return nil, 0, fault.Field("offset", "must not be negative")
	}
	var out []Request
	var total int
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&out).Where("tenant_id = ?", tenantID)
		if len(f.States) > 0 {
			q = q.Where("state IN (?)", bun.In(f.States))
		}
		if f.Channel != "" {
			q = q.Where("channel = ?", f.Channel)
		}
		if f.ApplicantType != "" {
			q = q.Where("applicant_type = ?", f.ApplicantType)
		}
		if f.HandlerID != 0 {
			q = q.Where("handler_id = ?", f.HandlerID)
		}
		if f.OverdueOn.Valid() {
			q = q.Where("state IN ('open', 'paused') AND due_on < ?", f.OverdueOn)
		}
		if !f.UpdatedSince.IsZero() {
			q = q.Where("updated_at > ?", f.UpdatedSince.UTC())
		}
		n, err := q.OrderExpr("due_on IS NULL, due_on, id").Limit(int64(f.Limit)).Offset(int64(f.Offset)).ScanAndCount(ctx)
		total = int(n)
		return err
	})
	return out, total, err
}

// MaskID shows an identity document number as its first 3 and last 4
// characters, the rest hidden (110***********1234).
func MaskID(id string) string {
	r := []rune(id)
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// RecomputeAll recomputes the cached due date of every open or paused
// request in every bureau against the current calendar, and returns how many
// changed. It runs after a calendar change (see RecomputeWorker).
func (s *Service) RecomputeAll(ctx context.Context) (int, error) {
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	changed := 0
	now := s.now().UTC()
	err = s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		var open []Request
		if err := tx.NewSelect().Model(&open).Where("state IN ('open', 'paused')").Scan(ctx); err != nil {
			return err
		}
		for i := range open {
			r := &open[i]
			evs, err := events(ctx, tx, r)
			if err != nil {
				return err
			}
			before := r.DueOn
			if err := s.refreshTx(ctx, tx, cal, r, engineEvents(evs), now); err != nil {
				return err
			}
			if !before.Equal(r.DueOn) {
				changed++
			}
		}
		return nil
	})
	return changed, err
}

// RecomputeWorker recomputes running deadlines when the calendar changes.
type RecomputeWorker struct {
	river.WorkerDefaults[calendar.ChangedArgs]
	Service *Service
}

// Work runs the recomputation.
func (w *RecomputeWorker) Work(ctx context.Context, job *river.Job[calendar.ChangedArgs]) error {
	_, err := w.Service.RecomputeAll(ctx)
	return err
}
