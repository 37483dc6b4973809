// Package oversight is the city oversight office's read-only view across all
// bureaus (政务公开办, Regulations Art. 49–50 and 53): a dashboard of
// per-bureau figures with the records behind each figure, month-by-month
// trends, the lists the office acts on, and the consolidated city-level
// annual report. Every figure has a written definition (Metrics, served by
// the API and copied in docs/metrics.md).
//
// The office reads other bureaus' rows: every query here runs in a
// transaction scoped to db.AllTenants and, on Postgres, marked READ ONLY, so
// that nothing in this package can change a bureau's data. Callers need
// "stats read" in the cross-tenant domain (the city_overseer role).
package oversight

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/report"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// CalendarSource gives the working-day calendar in force; *calendar.Service
// implements it.
type CalendarSource interface {
	Calendar(ctx context.Context) (*workday.Calendar, error)
}

// Service computes the oversight figures.
type Service struct {
	db       *db.DB
	authz    *authz.Authorizer
	tenants  *tenant.Service
	calendar CalendarSource
	reports  *report.Service
	loc      *time.Location
	now      func() time.Time
	index    dayIndexCache
}

// NewService returns the oversight service; loc is the city's time zone, in
// which "today" is taken (as for the deadlines of package request).
func NewService(d *db.DB, az *authz.Authorizer, ts *tenant.Service, cal CalendarSource, rs *report.Service, loc *time.Location, now func() time.Time) *Service {
	if loc == nil {
		loc = workday.ChinaTime
	}
	return &Service{db: d, authz: az, tenants: ts, calendar: cal, reports: rs, loc: loc, now: now}
}

// Today is the current day in the city's time zone: the day "now" figures
// (open, overdue) are taken on.
func (s *Service) Today() workday.Date { return workday.FromTime(s.now(), s.loc) }

// require checks the cross-bureau read permission ("stats read" in the "*"
// domain): the city overseer and the platform administrator have it, a
// bureau's own people and tokens do not.
func (s *Service) require(ctx context.Context) error {
	return s.authz.Require(ctx, 0, "stats", "read")
}

// read runs fn in one transaction that sees every bureau's rows and, on
// Postgres, cannot write (SET TRANSACTION READ ONLY): the oversight office
// reads, never changes.
func (s *Service) read(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		if s.db.Dialect == db.Postgres {
			if _, err := tx.ExecContext(ctx, "SET TRANSACTION READ ONLY"); err != nil {
				return err
			}
		}
		return fn(ctx, tx)
	})
}

// readAll runs independent read-only queries: in one transaction one after
// the other on SQLite (one connection), each in its own transaction and
// concurrently on Postgres. The queries must write disjoint variables.
func (s *Service) readAll(ctx context.Context, queries ...func(ctx context.Context, tx bun.Tx) error) error {
	if s.db.Dialect != db.Postgres {
		return s.read(ctx, func(ctx context.Context, tx bun.Tx) error {
			for _, q := range queries {
				if err := q(ctx, tx); err != nil {
					return err
				}
			}
			return nil
		})
	}
	errs := make([]error, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		wg.Go(func() { errs[i] = s.read(ctx, q) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// BureauRef identifies a bureau or affiliated unit in the figures.
type BureauRef struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Parent is the slug of the bureau an affiliated unit (直属单位) belongs
	// to; empty for a top-level bureau.
	Parent string `json:"parent,omitempty"`
}

// city is the set of bureaus the office oversees, in slug order, without
// the oversight office itself, and the office.
type city struct {
	bureaus []tenant.Tenant
	byID    map[int64]tenant.Tenant
	office  *tenant.Tenant
}

func (s *Service) city(ctx context.Context) (*city, error) {
	ts, err := s.tenants.List(ctx)
	if err != nil {
		return nil, err
	}
	c := &city{byID: map[int64]tenant.Tenant{}}
	for i := range ts {
		t := ts[i]
		if t.Kind == tenant.OversightOffice {
			if c.office == nil {
				c.office = &t
			}
			continue
		}
		c.bureaus = append(c.bureaus, t)
		c.byID[t.ID] = t
	}
	return c, nil
}

// bureau returns the BureauRef of a tenant.
func (c *city) bureau(t tenant.Tenant) BureauRef {
	b := BureauRef{ID: t.ID, Slug: t.Slug, Name: t.Name, Kind: string(t.Kind)}
	if p, ok := c.byID[t.ParentID]; ok {
		b.Parent = p.Slug
	}
	return b
}

// top returns the top-level bureau a tenant rolls up into: itself, or the
// highest ancestor among the overseen bureaus.
func (c *city) top(id int64) int64 {
	seen := 0
	for {
		t, ok := c.byID[id]
		if !ok || t.ParentID == 0 || seen > len(c.byID) {
			return id
		}
		if _, ok := c.byID[t.ParentID]; !ok {
			return id
		}
		id = t.ParentID
		seen++
	}
}

// scope returns the tenant ids a figure of tenantID covers: every bureau for
// 0 (the city), the tenant alone, or with rollUp the tenant and its
// affiliated units. A tenant that is not an overseen bureau is not found.
func (c *city) scope(tenantID int64, rollUp bool) ([]int64, error) {
	var ids []int64
	if tenantID == 0 {
		for _, t := range c.bureaus {
			ids = append(ids, t.ID)
		}
		return ids, nil
	}
	if _, ok := c.byID[tenantID]; !ok {
		return nil, fault.New(fault.NotFound, "bureau not found (the oversight office itself has no figures)")
	}
	if !rollUp {
		return []int64{tenantID}, nil
	}
	for _, t := range c.bureaus {
		if t.ID == tenantID || c.top(t.ID) == tenantID {
			ids = append(ids, t.ID)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// Period is the span of days that the period figures count, both ends
// included.
type Period struct {
	From workday.Date `json:"from"`
	To   workday.Date `json:"to"`
}

// Contains reports whether d is in the period.
func (p Period) Contains(d workday.Date) bool {
	return !d.IsZero() && !d.Before(p.From) && !d.After(p.To)
}

// period validates the year and the optional period within which the period
// figures count: the whole year when from and to are zero; a missing end
// defaults to the year's bound.
func period(year int, from, to workday.Date) (Period, error) {
	if year < 2008 || year > 2200 {
		return Period{}, fault.Field("year", "must be a year such as 2026")
	}
	p := Period{From: workday.Date{Year: year, Month: time.January, Day: 1}, To: workday.Date{Year: year, Month: time.December, Day: 31}}
	if !from.IsZero() {
		if !from.Valid() {
			return Period{}, fault.Field("from", "is not a date (YYYY-MM-DD)")
		}
		p.From = from
	}
	if !to.IsZero() {
		if !to.Valid() {
			return Period{}, fault.Field("to", "is not a date (YYYY-MM-DD)")
		}
		p.To = to
	}
	if p.To.Before(p.From) {
		return Period{}, fault.Field("to", "must not be before from (%s)", p.From)
	}
	return p, nil
}

// Bureau returns the overseen bureau with the slug, after checking the
// permission (so that a caller without it learns nothing about slugs).
func (s *Service) Bureau(ctx context.Context, slug string) (BureauRef, error) {
	if err := s.require(ctx); err != nil {
		return BureauRef{}, err
	}
	c, err := s.city(ctx)
	if err != nil {
		return BureauRef{}, err
	}
	for _, t := range c.bureaus {
		if t.Slug == slug {
			return c.bureau(t), nil
		}
	}
	return BureauRef{}, fault.Field("bureau", "no overseen bureau has the slug %q", slug)
}

// Dictionary returns the metric dictionary (Metrics) and the Table 3
// outcome groups, for the console and integrators with the overseer role.
func (s *Service) Dictionary(ctx context.Context) ([]Metric, []OutcomeGroup, error) {
	if err := s.require(ctx); err != nil {
		return nil, nil, err
	}
	return slices.Clone(Metrics), slices.Clone(OutcomeGroups), nil
}
