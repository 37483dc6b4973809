package reminder

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"gongkai/internal/authz"
	"gongkai/internal/notify"
	"gongkai/internal/oversight"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// CityReports lists the published versions of the city report of a year
// (oversight.Service).
type CityReports interface {
	CityPublished(ctx context.Context, year int) ([]oversight.StoredCityReport, error)
}

// SetCityReports turns on the reminders of the city report (nil: off).
func (s *Service) SetCityReports(c CityReports) { s.cityReports = c }

func init() {
	texts["city_report_due"] = tmpl(`请编制 {{.Year}} 年全市政府信息公开工作年度报告（{{.Due}} 前公布）`,
		`{{.Bureau}}应于 {{.Due}} 前向社会公布本级政府 {{.Year}} 年政府信息公开工作年度报告（《政府信息公开条例》第四十九条）。请在各部门、单位报送年度报告后生成全市报告草稿，核对汇总表格和勾稽关系，完成正文后公开。`)
	texts["city_report_due_soon"] = tmpl(`{{.Year}} 年全市政府信息公开工作年度报告须于 {{.Due}} 前公布`,
		`全市 {{.Year}} 年政府信息公开工作年度报告尚未公布，最后期限为 {{.Due}}，还有 {{.Days}} 个工作日（《政府信息公开条例》第四十九条）。`)
	texts["city_report_overdue"] = tmpl(`{{.Year}} 年全市政府信息公开工作年度报告已逾期未公布`,
		`全市 {{.Year}} 年政府信息公开工作年度报告应于 {{.Due}} 前由{{.Bureau}}公布（《政府信息公开条例》第四十九条），至今尚未公布。`)
}

// runCity fires the reminders of the previous year's city report until it
// is published (Art. 49: the city publishes by 31 March), like the bureau
// report's (reportDues): once from 1 January, once ReportSoonDays working
// days before 31 March, and once when late. They go to the city overseers,
// who draft and publish it; when late also to the oversight office's bureau
// admins. Only report years the office spent on the platform count; a city
// without an oversight office has none.
func (s *Service) runCity(ctx context.Context, cal *workday.Calendar, ts []tenant.Tenant, sum *Summary) error {
	if s.cityReports == nil {
		return nil
	}
	i := slices.IndexFunc(ts, func(t tenant.Tenant) bool { return t.Spec.IsOversight() })
	if i < 0 {
		return nil
	}
	office := ts[i]
	loc, err := office.Spec.Location()
	if err != nil {
		return err
	}
	today := workday.FromTime(s.now(), loc)
	year := today.Year - 1
	if year < office.CreatedAt.In(loc).Year() {
		return nil
	}
	published, err := s.cityReports.CityPublished(ctx, year)
	if err != nil || len(published) > 0 {
		return err
	}
	dueOn := workday.Date{Year: today.Year, Month: oversight.CityDueMonth, Day: oversight.CityDueDay}
	left, err := cal.WorkingDaysBetween(today, dueOn)
	if err != nil {
		return err
	}
	d := due{objectType: "city_report", objectID: strconv.Itoa(year), link: "/console/" + office.Slug + "/city-report?year=" + strconv.Itoa(year),
		kind: notify.KindReport, view: view{Bureau: office.Name, Year: year, Due: dueOn.String(), Days: left}}
	switch {
	case today.After(dueOn):
		d.threshold, d.escalate, d.overseers = "city_report_overdue", true, true
	case left <= ReportSoonDays:
		d.threshold = "city_report_due_soon"
	default:
		d.threshold = "city_report_due"
	}
	people, err := s.cityRecipients(ctx, office.ID)
	if err != nil {
		return err
	}
	fired, err := s.fire(ctx, office, people, d)
	if err != nil {
		return err
	}
	if fired {
		sum.Fired++
	} else {
		sum.Skipped++
	}
	return nil
}

// cityRecipients addresses the city report's reminders: the city overseers
// (in the place of a bureau's information officers) and the oversight
// office's bureau admins (who hear when it is late).
func (s *Service) cityRecipients(ctx context.Context, officeID int64) (recipients, error) {
	r := recipients{members: map[int64][]string{}}
	city, err := s.authz.MembersOf(ctx, 0)
	if err != nil {
		return r, err
	}
	for _, m := range city {
		if id, err := strconv.ParseInt(strings.TrimPrefix(m.Subject, "user:"), 10, 64); err == nil && strings.HasPrefix(m.Subject, "user:") && slices.Contains(m.Roles, authz.CityOverseer) {
			r.officers = append(r.officers, id)
			r.overseers = append(r.overseers, id)
		}
	}
	ms, err := s.authz.MembersOf(ctx, officeID)
	if err != nil {
		return r, err
	}
	for _, m := range ms {
		if id, err := strconv.ParseInt(strings.TrimPrefix(m.Subject, "user:"), 10, 64); err == nil && strings.HasPrefix(m.Subject, "user:") && slices.Contains(m.Roles, authz.BureauAdmin) {
			r.admins = append(r.admins, id)
		}
	}
	return r, nil
}
