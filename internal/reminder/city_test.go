package reminder_test

import (
	"context"
	"slices"
	"testing"

	"gongkai/internal/authz"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/notify"
	"gongkai/internal/workday"
)

// cityPeople adds otto (city overseer) and oda (bureau admin of the
// oversight office) and returns otto's context.
func (e *env) cityPeople(t *testing.T) context.Context {
	t.Helper()
	office, err := e.app.Tenants.BySlug(e.sys, "oversight")
	if err != nil {
		t.Fatal(err)
	}
	for name, where := range map[string]struct {
		tenant int64
		role   string
	}{"otto": {0, authz.CityOverseer}, "oda": {office.ID, authz.BureauAdmin}} {
		m, err := e.app.Identity.AddMember(e.sys, where.tenant, identity.NewMember{Username: name, DisplayName: name, Email: name + "@example.org",
			Password: "Correct-Horse-9-Battery", Roles: []string{where.role}})
		if err != nil {
			t.Fatal(err)
		}
		e.users[name] = m.User.ID
	}
	return authz.WithActor(context.Background(), authz.Actor{Subject: authz.UserSubject(e.users["otto"]), UserID: e.users["otto"], Name: "otto"})
}

// TestCityReportReminders: the 2026 city report, due 31 March 2027,
// reminds the overseers from 1 January and 5 working days before, and when
// late also the oversight office's admin — each once; once published,
// nothing more.
func TestCityReportReminders(t *testing.T) {
	t.Parallel()
	const (
		due  = "请编制 2026 年全市政府信息公开工作年度报告（2027-03-31 前公布）"
		soon = "2026 年全市政府信息公开工作年度报告须于 2027-03-31 前公布"
		late = "2026 年全市政府信息公开工作年度报告已逾期未公布"
	)
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			e := setup(t, dialect)
			e.cityPeople(t)
			cal, err := e.app.Calendar.Calendar(e.sys)
			if err != nil {
				t.Fatal(err)
			}
			soonDay := workingDayBefore(t, cal, workday.MustParseDate("2027-03-31"), 5)
			steps := []struct {
				day       string
				otto, oda []string
			}{
				{"2026-12-31", nil, nil}, // the 2025 report predates the platform
				{"2027-01-04", []string{due}, nil},
				{"2027-01-05", nil, nil},
				{soonDay.String(), []string{soon}, nil},
				{"2027-04-01", []string{late}, []string{late}},
				{"2027-04-02", nil, nil},
			}
			var otto, oda []string
			for _, st := range steps {
				e.clk.setDay(workday.MustParseDate(st.day))
				e.run(t)
				otto, oda = append(otto, st.otto...), append(oda, st.oda...)
				if got := matching(e.titles(t, "otto"), "全市"); !slices.Equal(got, otto) {
					t.Fatalf("%s: otto's inbox\n got %q\nwant %q", st.day, got, otto)
				}
				if got := matching(e.titles(t, "oda"), "全市"); !slices.Equal(got, oda) {
					t.Fatalf("%s: oda's inbox\n got %q\nwant %q", st.day, got, oda)
				}
				for _, who := range []string{"hank", "olive", "ada"} {
					if got := matching(e.titles(t, who), "全市"); len(got) != 0 {
						t.Fatalf("%s: %s (civil affairs) hears of the city report: %q", st.day, who, got)
					}
				}
			}
			in, err := e.app.Notify.List(e.sys, e.users["otto"], notify.ListFilter{Limit: 10})
			if err != nil || len(in.Items) == 0 || in.Items[0].Link != "/console/oversight/city-report?year=2026" || in.Items[0].Kind != notify.KindReport {
				t.Fatalf("otto's newest notification: %v %+v", err, in.Items)
			}
		})
	}
}

// TestCityReportRemindersStopWhenPublished: once the city report is
// published, its remaining reminders do not fire.
func TestCityReportRemindersStopWhenPublished(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			e := setup(t, dialect)
			ottoCtx := e.cityPeople(t)
			e.clk.setDay(workday.MustParseDate("2027-01-04"))
			e.run(t)
			if got := matching(e.titles(t, "otto"), "全市"); len(got) != 1 {
				t.Fatalf("otto on 4 January: %q", got)
			}
			if _, err := e.app.Oversight.CityDraft(ottoCtx, 2026); err != nil {
				t.Fatal(err)
			}
			if _, err := e.app.Oversight.CityPublish(ottoCtx, 2026); err != nil {
				t.Fatal(err)
			}
			for _, day := range []string{"2027-03-24", "2027-03-31", "2027-04-01"} {
				e.clk.setDay(workday.MustParseDate(day))
				e.run(t)
				if len(matching(e.titles(t, "otto"), "全市")) != 1 {
					t.Fatalf("%s: reminded after publication: %q", day, matching(e.titles(t, "otto"), "全市"))
				}
			}
			if got := matching(e.titles(t, "oda"), "全市"); len(got) != 0 {
				t.Fatalf("oda after publication: %q", got)
			}
		})
	}
}
