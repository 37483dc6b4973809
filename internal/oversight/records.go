package oversight

import (
	"context"
	"slices"
	"strings"

	"github.com/uptrace/bun"

	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// Record is one request or appeal behind a figure, with the dates the
// figure's definition looks at.
type Record struct {
	// Kind is request, appeal or catalog_item.
	Kind   string `json:"kind" enum:"request,appeal,catalog_item"`
	ID     int64  `json:"id"`
	Bureau string `json:"bureau" doc:"Slug of the bureau"`
	// Ref is the request's tracking code, the appeal's case number or the
	// catalog item's index number.
	Ref        string       `json:"ref"`
	State      string       `json:"state,omitempty"`
	ReceivedOn workday.Date `json:"received_on,omitzero"`
	DueOn      workday.Date `json:"due_on,omitzero"`
	RepliedOn  workday.Date `json:"replied_on,omitzero"`
	OutcomeOn  workday.Date `json:"outcome_on,omitzero"`
	Outcome    string       `json:"outcome,omitempty"`
	// AppealKind, FiledOn and DecidedOn describe an appeal.
	AppealKind string       `json:"appeal_kind,omitempty"`
	FiledOn    workday.Date `json:"filed_on,omitzero"`
	DecidedOn  workday.Date `json:"decided_on,omitzero"`
	// Title, FormedOn, PublishedOn and PublishDueOn describe a catalog
	// item's first publication: the date the information was formed, the
	// date published and the Art. 26 deadline (20 working days after
	// FormedOn; zero when the calendar does not cover it).
	Title        string       `json:"title,omitempty"`
	FormedOn     workday.Date `json:"formed_on,omitzero"`
	PublishedOn  workday.Date `json:"published_on,omitzero"`
	PublishDueOn workday.Date `json:"publish_due_on,omitzero"`
	// WorkingDays is the value the record adds to reply_days (working days
	// in (received_on, replied_on]), or to overdue_days, or a catalog
	// item's working days in (formed_on, published_on]; nil otherwise or
	// when the calendar does not cover the dates.
	WorkingDays *int `json:"working_days,omitempty"`
}

// Records is a page of the records behind a figure.
type Records struct {
	Metric string `json:"metric"`
	Period Period `json:"period"`
	// Total is the number of records behind the figure: the figure itself
	// (for reply_days, the sample size before dates the calendar does not
	// cover are dropped).
	Total int      `json:"total"`
	Items []Record `json:"items"`
}

// RecordOptions narrows Records: the period (zero: the whole year), roll-up
// of affiliated units, and the page.
type RecordOptions struct {
	From, To workday.Date
	RollUp   bool
	// Limit is the page size: default 500, at most 5000.
	Limit  int
	Offset int
}

// selector is how the records of one metric are found.
type selector struct {
	appeal bool
	// catalog selects first publications of catalog items (late: only
	// those after the Art. 26 deadline); where is unused.
	catalog, late bool
	where         func(p Period, today workday.Date) (string, []any)
}

func inPeriod(col string) func(p Period, _ workday.Date) (string, []any) {
	return func(p Period, _ workday.Date) (string, []any) {
		return col + " >= ? AND " + col + " <= ?", []any{p.From, p.To}
	}
}

// selectors maps each record key (Metric.Records) to its query.
var selectors = func() map[string]selector {
	closed := func(codes []string) func(p Period, _ workday.Date) (string, []any) {
		return func(p Period, _ workday.Date) (string, []any) {
			w, args := "outcome <> '' AND outcome_on >= ? AND outcome_on <= ?", []any{p.From, p.To}
			if codes != nil {
				w += " AND outcome IN (?)"
				args = append(args, bun.List(codes))
			}
			return w, args
		}
	}
	replied := inPeriod("replied_on")
	m := map[string]selector{
		"received": {where: func(p Period, _ workday.Date) (string, []any) {
			return "state <> 'submitted' AND received_on >= ? AND received_on <= ?", []any{p.From, p.To}
		}},
		"closed": {where: closed(nil)},
		"open": {where: func(Period, workday.Date) (string, []any) {
			return "state IN ('open', 'paused')", nil
		}},
		"overdue": {where: func(_ Period, today workday.Date) (string, []any) {
			return "state IN ('open', 'paused') AND due_on < ?", []any{today}
		}},
		"replied": {where: replied},
		"replied_on_time": {where: func(p Period, _ workday.Date) (string, []any) {
			return "replied_on >= ? AND replied_on <= ? AND due_on IS NOT NULL AND replied_on <= due_on", []any{p.From, p.To}
		}},
		"replied_late": {where: func(p Period, _ workday.Date) (string, []any) {
			return "replied_on >= ? AND replied_on <= ? AND (due_on IS NULL OR replied_on > due_on)", []any{p.From, p.To}
		}},
		"reply_days": {where: func(p Period, _ workday.Date) (string, []any) {
			return "replied_on >= ? AND replied_on <= ? AND received_on IS NOT NULL", []any{p.From, p.To}
		}},
		"extended": {where: func(p Period, _ workday.Date) (string, []any) {
			return "EXISTS (SELECT 1 FROM request_events AS e WHERE e.tenant_id = requests.tenant_id AND e.request_id = requests.id AND e.kind = 'extended' AND e.day >= ? AND e.day <= ?)", []any{p.From, p.To}
		}},
		"appeals":           {appeal: true, where: inPeriod("filed_on")},
		"catalog_published": {catalog: true},
		"catalog_late":      {catalog: true, late: true},
	}
	for _, g := range OutcomeGroups {
		m["outcome."+g.Key] = selector{where: closed(g.Codes)}
	}
	for _, o := range []string{"upheld", "corrected", "other", "pending"} {
		m["appeals."+o] = selector{appeal: true, where: func(p Period, _ workday.Date) (string, []any) {
			return "filed_on >= ? AND filed_on <= ? AND outcome = ?", []any{p.From, p.To, o}
		}}
	}
	return m
}()

// RecordKeys lists the metric keys Records accepts, sorted.
func RecordKeys() []string {
	keys := make([]string, 0, len(selectors))
	for k := range selectors {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Records returns the requests (or appeals) behind one dashboard figure:
// tenantID 0 for the city totals, a bureau's id for its row (with
// opts.RollUp, its affiliated units too). metric is a record key
// (Metric.Records). The records come by bureau and id, a page at a time,
// with the total, which equals the figure.
func (s *Service) Records(ctx context.Context, tenantID int64, metric string, year int, opts RecordOptions) (*Records, error) {
	if err := s.require(ctx); err != nil {
		return nil, err
	}
	sel, ok := selectors[metric]
	if !ok {
		return nil, fault.Field("metric", "must be one of %s", strings.Join(RecordKeys(), ", "))
	}
	p, err := period(year, opts.From, opts.To)
	if err != nil {
		return nil, err
	}
	if opts.Limit == 0 {
		opts.Limit = 500
	}
	if opts.Limit < 0 || opts.Limit > 5000 {
		return nil, fault.Field("limit", "must be between 1 and 5000")
	}
	if opts.Offset < 0 {
		return nil, fault.Field("offset", "must not be negative")
	}
	c, err := s.city(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := c.scope(tenantID, opts.RollUp)
	if err != nil {
		return nil, err
	}
	var (
		idx *dayIndex
		cal *workday.Calendar
	)
	if metric == "reply_days" || metric == "overdue" || sel.catalog {
		cal, err = s.calendar.Calendar(ctx)
		if err != nil {
			return nil, err
		}
		idx = s.index.get(cal)
	}
	today := s.Today()
	out := &Records{Metric: metric, Period: p, Items: []Record{}}
	var where string
	var args []any
	if sel.where != nil {
		where, args = sel.where(p, today)
	}
	err = s.read(ctx, func(ctx context.Context, tx bun.Tx) error {
		if len(ids) == 0 {
			return nil
		}
		if sel.catalog {
			return catalogRecords(ctx, tx, c, cal, idx, ids, p, sel.late, opts, out)
		}
		if sel.appeal {
			var cs []struct {
				TenantID  int64        `bun:"tenant_id"`
				ID        int64        `bun:"id"`
				CaseNo    string       `bun:"case_no"`
				Kind      string       `bun:"kind"`
				FiledOn   workday.Date `bun:"filed_on"`
				Outcome   string       `bun:"outcome"`
				DecidedOn workday.Date `bun:"decided_on"`
			}
			q := tx.NewSelect().Table("appeals").Column("tenant_id", "id", "case_no", "kind", "filed_on", "outcome", "decided_on").
				Where("tenant_id IN (?)", bun.List(ids)).Where(where, args...)
			n, err := q.Count(ctx)
			if err != nil {
				return err
			}
			out.Total = int(n)
			if err := q.Order("tenant_id", "id").Limit(int64(opts.Limit)).Offset(int64(opts.Offset)).Scan(ctx, &cs); err != nil {
				return err
			}
			for _, a := range cs {
				b, _ := c.tenantBureau(a.TenantID)
				out.Items = append(out.Items, Record{Kind: "appeal", ID: a.ID, Bureau: b.Slug, Ref: a.CaseNo, AppealKind: a.Kind, FiledOn: a.FiledOn, Outcome: a.Outcome, DecidedOn: a.DecidedOn})
			}
			return nil
		}
		var rs []struct {
			TenantID     int64        `bun:"tenant_id"`
			ID           int64        `bun:"id"`
			TrackingCode string       `bun:"tracking_code"`
			State        string       `bun:"state"`
			ReceivedOn   workday.Date `bun:"received_on"`
			DueOn        workday.Date `bun:"due_on"`
			RepliedOn    workday.Date `bun:"replied_on"`
			OutcomeOn    workday.Date `bun:"outcome_on"`
			Outcome      string       `bun:"outcome"`
		}
		q := tx.NewSelect().Table("requests").Column("tenant_id", "id", "tracking_code", "state", "received_on", "due_on", "replied_on", "outcome_on", "outcome").
			Where("tenant_id IN (?)", bun.List(ids)).Where(where, args...)
		n, err := q.Count(ctx)
		if err != nil {
			return err
		}
		out.Total = int(n)
		if err := q.Order("tenant_id", "id").Limit(int64(opts.Limit)).Offset(int64(opts.Offset)).Scan(ctx, &rs); err != nil {
			return err
		}
		for _, r := range rs {
			b, _ := c.tenantBureau(r.TenantID)
			rec := Record{Kind: "request", ID: r.ID, Bureau: b.Slug, Ref: r.TrackingCode, State: r.State, ReceivedOn: r.ReceivedOn, DueOn: r.DueOn,
				RepliedOn: r.RepliedOn, OutcomeOn: r.OutcomeOn, Outcome: r.Outcome}
			switch metric {
			case "reply_days":
				if d, ok := idx.between(r.ReceivedOn, r.RepliedOn); ok {
					rec.WorkingDays = &d
				}
			case "overdue":
				if d, ok := idx.between(r.DueOn, today); ok {
					rec.WorkingDays = &d
				}
			}
			out.Items = append(out.Items, rec)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
