package oversight

import (
	"context"

	"github.com/uptrace/bun"

	"gongkai/internal/report"
	"gongkai/internal/workday"
)

// OverdueRequest is one request past its due date, for the office to chase.
type OverdueRequest struct {
	Bureau       BureauRef    `json:"bureau"`
	RequestID    int64        `json:"request_id"`
	TrackingCode string       `json:"tracking_code"`
	State        string       `json:"state" enum:"open,paused"`
	ReceivedOn   workday.Date `json:"received_on"`
	DueOn        workday.Date `json:"due_on"`
	// DaysOverdue is the working days in (due_on, today] (metric
	// overdue_days); nil when the calendar does not cover the dates.
	DaysOverdue *int `json:"days_overdue"`
}

// OverdueList is every overdue request in the city, longest overdue first.
type OverdueList struct {
	Today workday.Date     `json:"today"`
	Items []OverdueRequest `json:"items"`
}

// Overdue lists every open or paused request of every bureau whose due date
// is before today (metric overdue), longest overdue first.
func (s *Service) Overdue(ctx context.Context) (*OverdueList, error) {
	if err := s.require(ctx); err != nil {
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
	var rs []struct {
		TenantID     int64        `bun:"tenant_id"`
		ID           int64        `bun:"id"`
		TrackingCode string       `bun:"tracking_code"`
		State        string       `bun:"state"`
		ReceivedOn   workday.Date `bun:"received_on"`
		DueOn        workday.Date `bun:"due_on"`
	}
	err = s.read(ctx, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Table("requests").Column("tenant_id", "id", "tracking_code", "state", "received_on", "due_on").
			Where("state IN ('open', 'paused') AND due_on < ?", today).Order("due_on", "tenant_id", "id").Scan(ctx, &rs)
	})
	if err != nil {
		return nil, err
	}
	out := &OverdueList{Today: today, Items: []OverdueRequest{}}
	for _, r := range rs {
		b, ok := c.tenantBureau(r.TenantID)
		if !ok {
			continue
		}
		o := OverdueRequest{Bureau: b, RequestID: r.ID, TrackingCode: r.TrackingCode, State: r.State, ReceivedOn: r.ReceivedOn, DueOn: r.DueOn}
		if d, ok := idx.between(r.DueOn, today); ok {
			o.DaysOverdue = &d
		}
		out.Items = append(out.Items, o)
	}
	return out, nil
}

// ReportIssue is a bureau whose annual report needs the office's attention.
type ReportIssue struct {
	Bureau BureauRef    `json:"bureau"`
	Report ReportStatus `json:"report"`
	// Source says which tables were checked: "published vN", "submitted vN"
	// or "computed" (from the records now).
	Source     string             `json:"source,omitempty"`
	Violations []report.Violation `json:"violations,omitempty"`
}

// ReportIssues are the report lists the office acts on for one report year.
type ReportIssues struct {
	Year  int          `json:"year"`
	Today workday.Date `json:"today"`
	// Missing are bureaus past their deadline with no version ever
	// submitted (metric missing_reports).
	Missing []ReportIssue `json:"missing"`
	// Failing are bureaus whose tables break an invariant (metric
	// failing_invariants).
	Failing []ReportIssue `json:"failing"`
}

// ReportIssues lists, for the report year, the bureaus without a submitted
// report after their deadline and the bureaus whose tables fail an
// invariant of report.Tables.Check.
func (s *Service) ReportIssues(ctx context.Context, year int) (*ReportIssues, error) {
	cr, err := s.CityReport(ctx, year)
	if err != nil {
		return nil, err
	}
	out := &ReportIssues{Year: year, Today: s.Today(), Missing: []ReportIssue{}, Failing: []ReportIssue{}}
	for _, a := range cr.Annex {
		if a.Report.SubmittedOn.IsZero() && a.Report.Timeliness == Overdue {
			out.Missing = append(out.Missing, ReportIssue{Bureau: a.Bureau, Report: a.Report})
		}
		if len(a.Violations) > 0 {
			out.Failing = append(out.Failing, ReportIssue{Bureau: a.Bureau, Report: a.Report, Source: a.Source, Violations: a.Violations})
		}
	}
	return out, nil
}
