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
	"gongkai/internal/request/deadline"
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
	// WithTotal also counts every matching request (a full count; the
	// worklist itself only needs to know whether there is a next page).
	WithTotal bool
}

// Page is one page of requests.
type Page struct {
	Items   []Request
	HasMore bool
	Total   int // -1 unless Filter.WithTotal
}

// List returns a page of the bureau's requests, soonest due first (requests
// without a due date last).
func (s *Service) List(ctx context.Context, tenantID int64, f Filter) (Page, error) {
	page := Page{Total: -1}
	if err := s.authz.Require(ctx, tenantID, "request", "read"); err != nil {
		return page, err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 0 || f.Limit > 500 {
		return page, fault.Field("limit", "must be between 1 and 500")
	}
	if f.Offset < 0 {
		return page, fault.Field("offset", "must not be negative")
	}
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&page.Items).Where("tenant_id = ?", tenantID)
		if len(f.States) > 0 {
			q = q.Where("state IN (?)", bun.List(f.States))
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
		if f.WithTotal {
			n, err := q.Count(ctx)
			if err != nil {
				return err
			}
			page.Total = int(n)
		}
		if err := q.OrderExpr("due_on ASC NULLS LAST, id").Limit(int64(f.Limit + 1)).Offset(int64(f.Offset)).Scan(ctx); err != nil {
			return err
		}
		if len(page.Items) > f.Limit {
			page.Items, page.HasMore = page.Items[:f.Limit], true
		}
		return nil
	})
	return page, err
}

// RecomputeAll recomputes the cached due date of every open or paused
// request in every bureau against the current calendar, and returns how many
// changed. It runs after a calendar change (see RecomputeWorker): one query
// streams every running request's log in order, the pure engine recomputes
// each request as its log completes, and only changed rows are written,
// after the stream (a connection serves one query at a time).
func (s *Service) RecomputeAll(ctx context.Context) (int, error) {
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now().UTC()
	today := s.today()
	var changes []dueChange
	err = s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT r.tenant_id, r.id, r.state, r.due_on, e.kind, e.day, e.days, e.reason
FROM requests AS r JOIN request_events AS e ON e.tenant_id = r.tenant_id AND e.request_id = r.id
WHERE r.state IN ('open', 'paused')
ORDER BY r.tenant_id, r.id, e.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		var (
			cur     dueChange // the request whose log is being read
			curDue  workday.Date
			log     = make([]deadline.Event, 0, 16)
			started bool
		)
		flush := func() error {
			res, err := deadline.ComputeDue(log, s.rules, cal, today)
			if err != nil {
				return err
			}
			if !res.DueOn.Equal(curDue) || res.State != cur.state {
				changes = append(changes, dueChange{cur.tenantID, cur.id, res.DueOn, res.State})
			}
			return nil
		}
		for rows.Next() {
			var (
				tid, id  int64
				state    string
				due, day workday.Date
				kind     string
				days     int
				reason   string
			)
			if err := rows.Scan(&tid, &id, &state, &due, &kind, &day, &days, &reason); err != nil {
				return err
			}
			if !started || tid != cur.tenantID || id != cur.id {
				if started {
					if err := flush(); err != nil {
						return err
					}
				}
				cur, curDue, log, started = dueChange{tenantID: tid, id: id, state: state}, due, log[:0], true
			}
			log = append(log, deadline.Event{Kind: deadline.EventKind(kind), On: day, Days: days, Reason: reason})
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if started {
			if err := flush(); err != nil {
				return err
			}
		}
		rows.Close()
		for off := 0; off < len(changes); off += 500 {
			if err := s.writeDue(ctx, tx, changes[off:min(off+500, len(changes))], cal.Version(), now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(changes), nil
}

// dueChange is a recomputed deadline to write.
type dueChange struct {
	tenantID, id int64
	due          workday.Date
	state        string
}

// writeDue stores recomputed deadlines with one UPDATE ... FROM (VALUES ...)
// per batch.
func (s *Service) writeDue(ctx context.Context, tx bun.Tx, batch []dueChange, version string, now time.Time) error {
	if len(batch) == 0 {
		return nil
	}
	var sb strings.Builder
	args := make([]any, 0, 4*len(batch)+2)
	args = append(args, version, now)
	for i, c := range batch {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?)")
		args = append(args, c.tenantID, c.id, c.due, c.state)
	}
	due := "v.column3"
	if s.db.Dialect == db.Postgres {
		due = "CAST(v.column3 AS date)"
	}
	q := "UPDATE requests SET due_on = " + due + ", state = v.column4, calendar_version = ?, updated_at = ? FROM (VALUES " + sb.String() +
		") AS v WHERE requests.tenant_id = v.column1 AND requests.id = v.column2"
	_, err := tx.ExecContext(ctx, q, args...)
	return err
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
