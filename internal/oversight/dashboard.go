package oversight

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/report"
	"gongkai/internal/workday"
)

// OutcomeMix counts closed requests by Table 3 group (OutcomeGroups).
type OutcomeMix struct {
	Granted          int `json:"granted" doc:"（一）予以公开"`
	PartiallyGranted int `json:"partially_granted" doc:"（二）部分公开"`
	Refused          int `json:"refused" doc:"（三）不予公开"`
	Unavailable      int `json:"unavailable" doc:"（四）无法提供"`
	NotProcessed     int `json:"not_processed" doc:"（五）不予处理"`
	Other            int `json:"other" doc:"（六）其他处理"`
}

// at returns the count of the i-th group of OutcomeGroups.
func (m *OutcomeMix) at(i int) *int {
	return [...]*int{&m.Granted, &m.PartiallyGranted, &m.Refused, &m.Unavailable, &m.NotProcessed, &m.Other}[i]
}

func (m *OutcomeMix) add(o OutcomeMix) {
	for i := range OutcomeGroups {
		*m.at(i) += *o.at(i)
	}
}

// AppealCounts counts the appeals filed in the period by their outcome today.
type AppealCounts struct {
	Total     int `json:"total"`
	Upheld    int `json:"upheld" doc:"维持"`
	Corrected int `json:"corrected" doc:"纠正"`
	Other     int `json:"other" doc:"其他"`
	Pending   int `json:"pending" doc:"尚未审结"`
}

func (a *AppealCounts) add(o AppealCounts) {
	a.Total += o.Total
	a.Upheld += o.Upheld
	a.Corrected += o.Corrected
	a.Other += o.Other
	a.Pending += o.Pending
}

// Report states on the dashboard besides those of package report.
const (
	ReportNotStarted = "not_started"
)

// Report timeliness (metric report_timeliness).
const (
	OnTime  = "on_time"
	Late    = "late"
	Overdue = "overdue"
	NotDue  = "not_due"
)

// ReportStatus is where a bureau's annual report for the year stands.
type ReportStatus struct {
	// State is not_started, draft, submitted or published (newest version).
	State   string `json:"state" enum:"not_started,draft,submitted,published"`
	Version int    `json:"version,omitempty"`
	// DueOn is the deadline day (tenant.Spec.ReportDue).
	DueOn workday.Date `json:"due_on"`
	// SubmittedOn and PublishedOn are the first submission and publication
	// of any version, in the bureau's time zone.
	SubmittedOn workday.Date `json:"first_submitted_on,omitzero"`
	PublishedOn workday.Date `json:"first_published_on,omitzero"`
	// Timeliness is on_time, late, overdue or not_due (metric report_timeliness).
	Timeliness string `json:"timeliness" enum:"on_time,late,overdue,not_due"`
}

// DashboardRow is one bureau's figures on the dashboard (see Metrics for each
// definition).
type DashboardRow struct {
	Bureau        BureauRef `json:"bureau"`
	Received      int       `json:"received"`
	Closed        int       `json:"closed"`
	Open          int       `json:"open"`
	Overdue       int       `json:"overdue"`
	Replied       int       `json:"replied"`
	RepliedOnTime int       `json:"replied_on_time"`
	RepliedLate   int       `json:"replied_late"`
	OnTimePercent *float64  `json:"on_time_percent"`
	// ReplyDays is the number of replies with a countable working-day time.
	ReplyDays       int  `json:"reply_days"`
	ReplyDaysMedian *int `json:"reply_days_median"`
	ReplyDaysP90    *int `json:"reply_days_p90"`
	Extended        int  `json:"extended"`
	// CatalogPublished and CatalogLate are the catalog items first
	// published in the period and those published after the Art. 26
	// deadline (catalog_counts.go).
	CatalogPublished int          `json:"catalog_published"`
	CatalogLate      int          `json:"catalog_late"`
	Outcomes         OutcomeMix   `json:"outcomes"`
	Appeals          AppealCounts `json:"appeals"`
	// Report is the bureau's own annual report; nil on the totals row.
	Report *ReportStatus `json:"report,omitempty"`
	// Children are the affiliated units summed into this row (rollUp only),
	// each with its own figures.
	Children []DashboardRow `json:"children,omitempty"`

	hist histogram
}

// add sums the counts of o into r and pools its reply times.
func (r *DashboardRow) add(o *DashboardRow) {
	r.Received += o.Received
	r.Closed += o.Closed
	r.Open += o.Open
	r.Overdue += o.Overdue
	r.Replied += o.Replied
	r.RepliedOnTime += o.RepliedOnTime
	r.Extended += o.Extended
	r.CatalogPublished += o.CatalogPublished
	r.CatalogLate += o.CatalogLate
	r.Outcomes.add(o.Outcomes)
	r.Appeals.add(o.Appeals)
	if r.hist == nil {
		r.hist = histogram{}
	}
	r.hist.add(o.hist)
}

// finish derives the figures computed from the counts: late replies, the
// on-time percentage and the percentiles.
func (r *DashboardRow) finish() {
	r.RepliedLate = r.Replied - r.RepliedOnTime
	r.OnTimePercent = nil
	if r.Replied > 0 {
		p := math.Round(float64(r.RepliedOnTime)*1000/float64(r.Replied)) / 10
		r.OnTimePercent = &p
	}
	r.ReplyDays = r.hist.n()
	r.ReplyDaysMedian, r.ReplyDaysP90 = nil, nil
	if v, ok := r.hist.percentile(50); ok {
		r.ReplyDaysMedian = &v
	}
	if v, ok := r.hist.percentile(90); ok {
		r.ReplyDaysP90 = &v
	}
}

// Dashboard is the oversight dashboard for a year and period.
type Dashboard struct {
	Year   int          `json:"year"`
	Period Period       `json:"period"`
	Today  workday.Date `json:"today"`
	RollUp bool         `json:"rollup"`
	// Rows are one per bureau (rolled-up: one per top-level bureau), in slug
	// order unless sorted.
	Rows []DashboardRow `json:"rows"`
	// Totals sums every bureau; its percentiles pool every reply.
	Totals DashboardRow `json:"totals"`
	// Omitted names figures of the issue that the dashboard does not have
	// yet, and why.
	Omitted []string `json:"omitted"`
}

// omittedColumns are the dashboard figures not computed yet: none.
var omittedColumns = []string{}

// Dashboard returns one row per bureau (the oversight office excluded) for
// the year; from and to narrow the period figures (zero: the whole year).
// With rollUp, affiliated units are summed into the row of their top-level
// bureau, which lists them as Children.
//
// The request figures come from the summary that triggers keep with every
// write (summary.go): the day counts for any period, the monthly reply-time
// histogram for periods of whole months (the whole year, a quarter, a month:
// what the console offers); other periods count reply times from the
// requests.
func (s *Service) Dashboard(ctx context.Context, year int, from, to workday.Date, rollUp bool) (*Dashboard, error) {
	return s.dashboard(ctx, year, from, to, rollUp, false)
}

// dashboard is Dashboard; with raw, every request figure is counted from the
// requests themselves, as before the summary (the tests compare both).
func (s *Service) dashboard(ctx context.Context, year int, from, to workday.Date, rollUp, raw bool) (*Dashboard, error) {
	if err := s.require(ctx); err != nil {
		return nil, err
	}
	p, err := period(year, from, to)
	if err != nil {
		return nil, err
	}
	c, err := s.city(ctx)
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	idx := s.index.get(cal)
	today := s.Today()
	rows := map[int64]*DashboardRow{}
	for _, t := range c.bureaus {
		rows[t.ID] = &DashboardRow{Bureau: c.bureau(t), hist: histogram{}}
	}
	var reps []reportRow
	// Independent read-only queries, each filling its own fields of the
	// rows: one after the other in one transaction on SQLite (one
	// connection), concurrently on Postgres (one transaction each).
	queries := []func(ctx context.Context, tx bun.Tx) error{
		func(ctx context.Context, tx bun.Tx) error { return s.summaryCounts(ctx, tx, p, rows) },
		func(ctx context.Context, tx bun.Tx) error { return s.runningCounts(ctx, tx, today, rows) },
		func(ctx context.Context, tx bun.Tx) error { return s.summaryReplyTimes(ctx, tx, idx, p, rows) },
		func(ctx context.Context, tx bun.Tx) error { return s.extensionCounts(ctx, tx, p, rows) },
		func(ctx context.Context, tx bun.Tx) error { return s.catalogCounts(ctx, tx, idx, p, rows) },
		func(ctx context.Context, tx bun.Tx) error {
			if err := s.appealCounts(ctx, tx, p, rows); err != nil {
				return err
			}
			var err error
			reps, err = reportRows(ctx, tx, year)
			return err
		},
	}
	switch {
	case raw:
		queries[0] = func(ctx context.Context, tx bun.Tx) error { return s.requestCounts(ctx, tx, p, today, rows) }
		queries[1] = func(ctx context.Context, tx bun.Tx) error { return nil }
		queries[2] = func(ctx context.Context, tx bun.Tx) error { return s.replyTimes(ctx, tx, idx, p, rows) }
	case !wholeMonths(p):
		queries[2] = func(ctx context.Context, tx bun.Tx) error { return s.replyTimes(ctx, tx, idx, p, rows) }
	default:
		if err := s.syncSummary(ctx, idx); err != nil {
			return nil, err
		}
	}
	if err := s.readAll(ctx, queries...); err != nil {
		return nil, err
	}
	status := reportStatuses(c, reps, year, s.now())
	d := &Dashboard{Year: year, Period: p, Today: today, RollUp: rollUp, Rows: []DashboardRow{}, Totals: DashboardRow{Bureau: BureauRef{Slug: "", Name: "全市合计"}, hist: histogram{}}, Omitted: omittedColumns}
	for _, t := range c.bureaus {
		r := rows[t.ID]
		r.Report = status[t.ID]
		d.Totals.add(r)
	}
	if rollUp {
		for _, t := range c.bureaus {
			top := c.top(t.ID)
			if top == t.ID {
				continue
			}
			parent, child := rows[top], rows[t.ID]
			parent.add(child)
			child.finish()
			parent.Children = append(parent.Children, *child)
		}
	}
	for _, t := range c.bureaus {
		if rollUp && c.top(t.ID) != t.ID {
			continue
		}
		r := rows[t.ID]
		r.finish()
		d.Rows = append(d.Rows, *r)
	}
	d.Totals.finish()
	return d, nil
}

// requestCounts fills received, closed, open, overdue, replied, on-time
// and the outcome mix from the requests themselves (the dashboard reads the
// summary instead; kept for the tests' comparison), in one scan of the requests grouped by bureau only
// (the primary key's order: no sort), with one conditional sum per figure.
func (s *Service) requestCounts(ctx context.Context, tx bun.Tx, p Period, today workday.Date, rows map[int64]*DashboardRow) error {
	var out []struct {
		TenantID int64 `bun:"tenant_id"`
		Received int   `bun:"received"`
		Open     int   `bun:"open"`
		Overdue  int   `bun:"overdue"`
		Replied  int   `bun:"replied"`
		OnTime   int   `bun:"on_time"`
		G0       int   `bun:"g0"`
		G1       int   `bun:"g1"`
		G2       int   `bun:"g2"`
		G3       int   `bun:"g3"`
		G4       int   `bun:"g4"`
		G5       int   `bun:"g5"`
	}
	q := tx.NewSelect().Table("requests").Column("tenant_id").
		ColumnExpr("sum(CASE WHEN received_on >= ? AND received_on <= ? THEN 1 ELSE 0 END) AS received", p.From, p.To).
		ColumnExpr("sum(CASE WHEN state IN ('open', 'paused') THEN 1 ELSE 0 END) AS open").
		ColumnExpr("sum(CASE WHEN state IN ('open', 'paused') AND due_on < ? THEN 1 ELSE 0 END) AS overdue", today).
		ColumnExpr("sum(CASE WHEN replied_on >= ? AND replied_on <= ? THEN 1 ELSE 0 END) AS replied", p.From, p.To).
		ColumnExpr("sum(CASE WHEN replied_on >= ? AND replied_on <= ? AND due_on IS NOT NULL AND replied_on <= due_on THEN 1 ELSE 0 END) AS on_time", p.From, p.To)
	for i, g := range OutcomeGroups {
		q = q.ColumnExpr("sum(CASE WHEN outcome IN (?) AND outcome_on >= ? AND outcome_on <= ? THEN 1 ELSE 0 END) AS g"+strconv.Itoa(i), bun.List(g.Codes), p.From, p.To)
	}
	if err := q.Where("state <> 'submitted'").Group("tenant_id").Scan(ctx, &out); err != nil {
		return err
	}
	for _, o := range out {
		r := rows[o.TenantID]
		if r == nil {
			continue
		}
		r.Received, r.Open, r.Overdue, r.Replied, r.RepliedOnTime = o.Received, o.Open, o.Overdue, o.Replied, o.OnTime
		r.Outcomes = OutcomeMix{Granted: o.G0, PartiallyGranted: o.G1, Refused: o.G2, Unavailable: o.G3, NotProcessed: o.G4, Other: o.G5}
		r.Closed = o.G0 + o.G1 + o.G2 + o.G3 + o.G4 + o.G5
	}
	return nil
}

// extensionCounts fills extended: requests with an extension in the period.
func (s *Service) extensionCounts(ctx context.Context, tx bun.Tx, p Period, rows map[int64]*DashboardRow) error {
	var out []struct {
		TenantID int64 `bun:"tenant_id"`
		N        int   `bun:"n"`
	}
	err := tx.NewSelect().Table("request_events").Column("tenant_id").ColumnExpr("count(DISTINCT request_id) AS n").
		Where("kind = 'extended' AND day >= ? AND day <= ?", p.From, p.To).
		Group("tenant_id").Scan(ctx, &out)
	if err != nil {
		return err
	}
	for _, o := range out {
		if r := rows[o.TenantID]; r != nil {
			r.Extended = o.N
		}
	}
	return nil
}

// replyTimes fills each row's histogram of working days to reply. On
// Postgres the working days are looked up in the calendar index inside the
// query, which returns one row per bureau and value; on SQLite the query
// streams each reply's dates as day offsets from the index's first day and
// the lookup happens here.
func (s *Service) replyTimes(ctx context.Context, tx bun.Tx, idx *dayIndex, p Period, rows map[int64]*DashboardRow) error {
	if s.db.Dialect == db.Postgres {
		if len(idx.cum) == 0 {
			return nil
		}
		var out []struct {
			TenantID int64 `bun:"tenant_id"`
			Days     *int  `bun:"days"`
			N        int   `bun:"n"`
		}
		base := idx.base.String()
		err := tx.NewRaw(`SELECT r.tenant_id, c.a[(r.replied_on - DATE '`+base+`') + 1] - c.a[(r.received_on - DATE '`+base+`') + 1] AS days, count(*) AS n
FROM requests AS r, (SELECT CAST(? AS int[]) AS a) AS c
WHERE r.replied_on >= ? AND r.replied_on <= ? AND r.received_on IS NOT NULL
GROUP BY 1, 2`, idx.literal, p.From, p.To).Scan(ctx, &out)
		if err != nil {
			return err
		}
		for _, o := range out {
			if r := rows[o.TenantID]; r != nil && o.Days != nil {
				r.hist[*o.Days] += o.N
			}
		}
		return nil
	}
	// No GROUP BY (it would sort): stream the replies in primary-key order
	// as day offsets and count them here.
	base := idx.base.String()
	rs, err := tx.QueryContext(ctx, "SELECT tenant_id, CAST(julianday(received_on) - julianday(?) AS INTEGER), CAST(julianday(replied_on) - julianday(?) AS INTEGER) "+
		"FROM requests WHERE replied_on >= ? AND replied_on <= ? AND received_on IS NOT NULL", base, base, p.From, p.To)
	if err != nil {
		return err
	}
	defer rs.Close()
	var (
		tenantID, last int64
		from, to       int
		r              *DashboardRow
	)
	for rs.Next() {
		if err := rs.Scan(&tenantID, &from, &to); err != nil {
			return err
		}
		if tenantID != last || r == nil {
			r, last = rows[tenantID], tenantID
		}
		if r == nil {
			continue
		}
		if days, ok := idx.betweenOffsets(from, to); ok {
			r.hist[days]++
		}
	}
	return rs.Err()
}

// appealCounts fills the appeals filed in the period by outcome.
func (s *Service) appealCounts(ctx context.Context, tx bun.Tx, p Period, rows map[int64]*DashboardRow) error {
	var out []struct {
		TenantID int64  `bun:"tenant_id"`
		Outcome  string `bun:"outcome"`
		N        int    `bun:"n"`
	}
	err := tx.NewSelect().Table("appeals").Column("tenant_id", "outcome").ColumnExpr("count(*) AS n").
		Where("filed_on >= ? AND filed_on <= ?", p.From, p.To).
		Group("tenant_id", "outcome").Scan(ctx, &out)
	if err != nil {
		return err
	}
	for _, o := range out {
		r := rows[o.TenantID]
		if r == nil {
			continue
		}
		r.Appeals.Total += o.N
		switch o.Outcome {
		case "upheld":
			r.Appeals.Upheld += o.N
		case "corrected":
			r.Appeals.Corrected += o.N
		case "other":
			r.Appeals.Other += o.N
		default:
			r.Appeals.Pending += o.N
		}
	}
	return nil
}

// reportRow is one stored report version, without its narrative.
type reportRow struct {
	TenantID    int64      `bun:"tenant_id"`
	Year        int        `bun:"year"`
	Version     int        `bun:"version"`
	State       string     `bun:"state"`
	SubmittedAt *time.Time `bun:"submitted_at"`
	PublishedAt *time.Time `bun:"published_at"`
	Tables      []byte     `bun:"tables"`
}

// reportRows reads every bureau's report versions for the years, newest
// version first per bureau.
func reportRows(ctx context.Context, tx bun.Tx, years ...int) ([]reportRow, error) {
	var out []reportRow
	err := tx.NewSelect().Model((*report.Stored)(nil)).Column("tenant_id", "year", "version", "state", "submitted_at", "published_at").
		Where("year IN (?)", bun.List(years)).OrderExpr("tenant_id, year, version DESC").Scan(ctx, &out)
	return out, err
}

// reportStatuses derives each bureau's report status for the year.
func reportStatuses(c *city, reps []reportRow, year int, now time.Time) map[int64]*ReportStatus {
	out := map[int64]*ReportStatus{}
	for _, t := range c.bureaus {
		st := &ReportStatus{State: ReportNotStarted}
		loc, err := t.Spec.Location()
		if err != nil {
			loc = workday.ChinaTime
		}
		if due, err := t.Spec.ReportDue(year); err == nil {
			st.DueOn = workday.FromTime(due, loc)
		}
		for _, r := range reps {
			if r.TenantID != t.ID || r.Year != year {
				continue
			}
			if st.Version == 0 {
				st.State, st.Version = r.State, r.Version
			}
			if r.SubmittedAt != nil {
				if d := workday.FromTime(*r.SubmittedAt, loc); st.SubmittedOn.IsZero() || d.Before(st.SubmittedOn) {
					st.SubmittedOn = d
				}
			}
			if r.PublishedAt != nil {
				if d := workday.FromTime(*r.PublishedAt, loc); st.PublishedOn.IsZero() || d.Before(st.PublishedOn) {
					st.PublishedOn = d
				}
			}
		}
		st.Timeliness = timeliness(st, workday.FromTime(now, loc))
		out[t.ID] = st
	}
	return out
}

// timeliness judges the first publication against the deadline day.
func timeliness(st *ReportStatus, today workday.Date) string {
	switch {
	case st.DueOn.IsZero():
		return NotDue
	case !st.PublishedOn.IsZero() && !st.PublishedOn.After(st.DueOn):
		return OnTime
	case !st.PublishedOn.IsZero():
		return Late
	case today.After(st.DueOn):
		return Overdue
	default:
		return NotDue
	}
}

// SortKeys lists the keys SortRows accepts.
var SortKeys = []string{"bureau", "received", "closed", "open", "overdue", "replied", "replied_on_time", "replied_late", "on_time_percent",
	"reply_days_median", "reply_days_p90", "extended", "catalog_published", "catalog_late", "outcome.granted", "outcome.partially_granted", "outcome.refused", "outcome.unavailable",
	"outcome.not_processed", "outcome.other", "appeals", "appeals.upheld", "appeals.corrected", "appeals.other", "appeals.pending",
	"report_state", "report_timeliness"}

// SortRows orders dashboard rows by a figure (SortKeys), ties by slug;
// rows without the figure (no replies for a percentage) come last. Children
// are sorted the same way.
func SortRows(rows []DashboardRow, key string, desc bool) error {
	if !slices.Contains(SortKeys, key) {
		return fault.Field("sort", "must be one of %s", strings.Join(SortKeys, ", "))
	}
	val := func(r *DashboardRow) (float64, bool) {
		opt := func(p *int) (float64, bool) {
			if p == nil {
				return 0, false
			}
			return float64(*p), true
		}
		switch key {
		case "received":
			return float64(r.Received), true
		case "closed":
			return float64(r.Closed), true
		case "open":
			return float64(r.Open), true
		case "overdue":
			return float64(r.Overdue), true
		case "replied":
			return float64(r.Replied), true
		case "replied_on_time":
			return float64(r.RepliedOnTime), true
		case "replied_late":
			return float64(r.RepliedLate), true
		case "on_time_percent":
			if r.OnTimePercent == nil {
				return 0, false
			}
			return *r.OnTimePercent, true
		case "reply_days_median":
			return opt(r.ReplyDaysMedian)
		case "reply_days_p90":
			return opt(r.ReplyDaysP90)
		case "extended":
			return float64(r.Extended), true
		case "catalog_published":
			return float64(r.CatalogPublished), true
		case "catalog_late":
			return float64(r.CatalogLate), true
		case "appeals":
			return float64(r.Appeals.Total), true
		case "appeals.upheld":
			return float64(r.Appeals.Upheld), true
		case "appeals.corrected":
			return float64(r.Appeals.Corrected), true
		case "appeals.other":
			return float64(r.Appeals.Other), true
		case "appeals.pending":
			return float64(r.Appeals.Pending), true
		case "report_state":
			if r.Report == nil {
				return 0, false
			}
			return float64(slices.Index([]string{ReportNotStarted, report.StateDraft, report.StateSubmitted, report.StatePublished}, r.Report.State)), true
		case "report_timeliness":
			if r.Report == nil {
				return 0, false
			}
			return float64(slices.Index([]string{Overdue, Late, NotDue, OnTime}, r.Report.Timeliness)), true
		}
		if g, ok := strings.CutPrefix(key, "outcome."); ok {
			if i := slices.IndexFunc(OutcomeGroups, func(o OutcomeGroup) bool { return o.Key == g }); i >= 0 {
				return float64(*r.Outcomes.at(i)), true
			}
		}
		return 0, false
	}
	slices.SortStableFunc(rows, func(a, b DashboardRow) int {
		if key != "bureau" {
			va, oka := val(&a)
			vb, okb := val(&b)
			switch {
			case oka != okb:
				if oka {
					return -1
				}
				return 1
			case va != vb:
				if desc {
					return cmp.Compare(vb, va)
				}
				return cmp.Compare(va, vb)
			}
		} else if desc {
			return strings.Compare(b.Bureau.Slug, a.Bureau.Slug)
		}
		return strings.Compare(a.Bureau.Slug, b.Bureau.Slug)
	})
	for i := range rows {
		if len(rows[i].Children) > 0 {
			_ = SortRows(rows[i].Children, key, desc)
		}
	}
	return nil
}

// tenantBureau returns the Bureau of an overseen tenant id.
func (c *city) tenantBureau(id int64) (BureauRef, bool) {
	t, ok := c.byID[id]
	if !ok {
		return BureauRef{}, false
	}
	return c.bureau(t), true
}
