// Package calendar keeps the city's working-day calendar: the national
// schedule (internal/workday) plus corrections and local rest days stored in
// the database, each with who, when and why. A change enqueues the
// recomputation of every running deadline in the same transaction.
package calendar

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/jobs"
	"gongkai/internal/workday"
)

// Override is one stored correction: the day is a working day or a rest day.
type Override struct {
	bun.BaseModel `bun:"table:calendar_overrides"`
	ID            int64        `bun:",pk,autoincrement" json:"id"`
	Day           workday.Date `bun:",notnull" json:"day"`
	Working       bool         `bun:",notnull" json:"working"`
	Reason        string       `bun:",notnull" json:"reason"`
	CreatedBy     string       `bun:",notnull" json:"created_by"`
	CreatedAt     time.Time    `bun:",notnull" json:"created_at"`
}

// ChangedArgs is the job enqueued when the calendar changes: whoever keeps
// due dates registers a worker for it and recomputes them.
type ChangedArgs struct {
	Version string `json:"version"`
}

// Kind names the job.
func (ChangedArgs) Kind() string { return "calendar_changed" }

// Service reads and changes the calendar.
type Service struct {
	db    *db.DB
	authz *authz.Authorizer
	jobs  *jobs.Client
	now   func() time.Time

	mu          sync.Mutex
	fingerprint string
	cal         *workday.Calendar
}

// NewService returns the calendar service.
func NewService(d *db.DB, az *authz.Authorizer, jc *jobs.Client, now func() time.Time) *Service {
	return &Service{db: d, authz: az, jobs: jc, now: now}
}

// Calendar returns the current calendar, rebuilt when the stored overrides
// changed. Call it outside a transaction (it reads the overrides).
func (s *Service) Calendar(ctx context.Context) (*workday.Calendar, error) {
	var rows []Override
	if err := s.db.Bun.NewSelect().Model(&rows).Order("day").Scan(ctx); err != nil {
		return nil, db.Translate(err)
	}
	var fp strings.Builder
	ovs := make([]workday.Override, 0, len(rows))
	for _, r := range rows {
		fp.WriteString(r.Day.String())
		if r.Working {
			fp.WriteString("w")
		}
		ovs = append(ovs, workday.Override{Date: r.Day, Working: r.Working, Reason: r.Reason})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cal != nil && s.fingerprint == fp.String() {
		return s.cal, nil
	}
	cal, err := workday.NewCalendar(ovs)
	if err != nil {
		return nil, err
	}
	s.cal, s.fingerprint = cal, fp.String()
	return cal, nil
}

// List returns the stored overrides, by day.
func (s *Service) List(ctx context.Context) ([]Override, error) {
	var rows []Override
	if err := s.db.Bun.NewSelect().Model(&rows).Order("day").Scan(ctx); err != nil {
		return nil, db.Translate(err)
	}
	return rows, nil
}

// Set records that day is a working day or a rest day (replacing an earlier
// override of the same day), with the reason — the notice or the local rule.
// Platform administrators only. Running deadlines are recomputed by the
// job enqueued in the same transaction.
func (s *Service) Set(ctx context.Context, day workday.Date, working bool, reason string) (*Override, error) {
	reason = strings.TrimSpace(reason)
	if !day.Valid() {
		return nil, fault.Field("day", "is not a valid date (YYYY-MM-DD)")
	}
	if reason == "" {
		return nil, fault.Field("reason", "is required: name the notice or the local rule")
	}
	if err := s.authz.Require(ctx, 0, "calendar", "write"); err != nil {
		return nil, err
	}
	// The new calendar must build (the year must be covered).
	current, err := s.List(ctx)
	if err != nil {
		return nil, err
	}
	ovs := []workday.Override{{Date: day, Working: working, Reason: reason}}
	for _, o := range current {
		if !o.Day.Equal(day) {
			ovs = append(ovs, workday.Override{Date: o.Day, Working: o.Working, Reason: o.Reason})
		}
	}
	next, err := workday.NewCalendar(ovs)
	if err != nil {
		return nil, err
	}
	actor, _ := authz.ActorFrom(ctx)
	now := s.now().UTC()
	row := &Override{Day: day, Working: working, Reason: reason, CreatedBy: actor.Name, CreatedAt: now}
	err = s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*Override)(nil)).Where("day = ?", day).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(row).Returning("id").Exec(ctx); err != nil {
			return err
		}
		if _, err := s.jobs.InsertTx(ctx, tx.Tx, ChangedArgs{Version: next.Version()}, &river.InsertOpts{}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{Action: "calendar.day_set", ObjectType: "calendar_day", ObjectID: day.String(),
			Changes: map[string]any{"working": working, "reason": reason, "calendar_version": next.Version()}})
	})
	if err != nil {
		return nil, err
	}
	return row, nil
}
