package reminder

import (
	"context"
	"strconv"

	"gongkai/internal/catalog"
	"gongkai/internal/notify"
	"gongkai/internal/report"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// CatalogRisks lists a bureau's unpublished catalog items near or past their
// Art. 26 publication date (catalog.Service).
type CatalogRisks interface {
	PublicationRisks(ctx context.Context, tenantID int64, today workday.Date) ([]catalog.Risk, error)
}

// PublishedReports lists a bureau's published annual reports
// (report.Service).
type PublishedReports interface {
	Published(ctx context.Context, tenantID int64) ([]report.Stored, error)
}

// ReportSoonDays is how many working days before the annual report deadline
// the second report reminder comes.
const ReportSoonDays = 5

// catalogDues are the reminders of catalog items: once when an item enters
// the window before its Art. 26 date (catalog.RiskWindow working days), and
// once when it is past the date, escalated to the bureau admins. They go to
// the item's author while a member, else the information officers.
func (s *Service) catalogDues(ctx context.Context, t tenant.Tenant, today workday.Date) ([]due, error) {
	if s.catalog == nil {
		return nil, nil
	}
	risks, err := s.catalog.PublicationRisks(ctx, t.ID, today)
	if err != nil {
		return nil, err
	}
	var out []due
	for _, r := range risks {
		if r.DueUnknown {
			continue
		}
		id := strconv.FormatInt(r.Item.ID, 10)
		d := due{objectType: "catalog_item", objectID: id, link: "/console/" + t.Slug + "/catalog/items/" + id, kind: notify.KindCatalog,
			day: r.DueOn.String(), view: view{Title: r.Item.Title, Due: r.DueOn.String(), Days: r.DaysLeft}}
		if r.Item.AuthorUserID != 0 {
			author := r.Item.AuthorUserID
			d.handler = &author
		}
		if r.Overdue {
			d.threshold, d.escalate = "catalog_overdue", true
		} else {
			d.threshold = "catalog_due"
		}
		out = append(out, d)
	}
	return out, nil
}

// reportDues are the reminders of the previous year's annual report until it
// is published (Art. 49, 50): once from 1 January, once ReportSoonDays
// working days before the bureau's deadline (31 January unless the city set
// an earlier one), and once when late, escalated to the bureau admins and the
// city overseers. Only report years the bureau spent on the platform count.
// The oversight office's city report is not covered here.
func (s *Service) reportDues(ctx context.Context, cal *workday.Calendar, t tenant.Tenant, today workday.Date) ([]due, error) {
	if s.reports == nil || t.Spec.IsOversight() {
		return nil, nil
	}
	year := today.Year - 1
	dueAt, err := t.Spec.ReportDue(year)
	if err != nil {
		return nil, nil // no deadline configured: nothing to remind of
	}
	dueOn := workday.FromTime(dueAt, dueAt.Location())
	if today.Year != dueOn.Year || year < t.CreatedAt.In(dueAt.Location()).Year() {
		// Only in the year the report is due, and only for years the bureau
		// kept its records here (one that joined in 2026 may have published
		// its 2025 report elsewhere).
		return nil, nil
	}
	published, err := s.reports.Published(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range published {
		if r.Year == year {
			return nil, nil
		}
	}
	left, err := cal.WorkingDaysBetween(today, dueOn)
	if err != nil {
		return nil, err
	}
	d := due{objectType: "report", objectID: strconv.Itoa(year), link: "/console/" + t.Slug + "/reports/" + strconv.Itoa(year), kind: notify.KindReport,
		view: view{Year: year, Due: dueOn.String(), Days: left}}
	var out []due
	switch {
	case today.After(dueOn):
		d.threshold, d.escalate, d.overseers = "report_overdue", true, true
		out = append(out, d)
	case left <= ReportSoonDays:
		d.threshold = "report_due_soon"
		out = append(out, d)
	default:
		d.threshold = "report_due"
		out = append(out, d)
	}
	return out, nil
}
