package reminder_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/notify"
	"gongkai/internal/notify/mailtest"
	"gongkai/internal/reminder"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// clock is the injected clock of a booted app.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// setDay moves the clock to 09:30 of day in the city's zone.
func (c *clock) setDay(d workday.Date) {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = time.Date(d.Year, d.Month, d.Day, 9, 30, 0, 0, loc)
}

const baseURL = "https://gongkai.example.gov.cn"

// env is a booted app with an SMTP sink, a clock and civil-affairs people:
// hank (information officer, the handler), olive (information officer) and
// ada (bureau admin), each with an e-mail address.
type env struct {
	app     *app.App
	clk     *clock
	smtp    *mailtest.Server
	sys     context.Context
	tenant  int64
	users   map[string]int64
	request *request.Request
}

func boot(t *testing.T, dialect db.Dialect, clk *clock, smtp *mailtest.Server, modify ...func(*config.Config, *app.Options)) *app.App {
	t.Helper()
	return apptest.Boot(t, dialect, append([]func(*config.Config, *app.Options){func(cfg *config.Config, o *app.Options) {
		o.Now = clk.Now
		cfg.SMTPAddr = smtp.Addr
		cfg.SMTPFrom = "gongkai@example.gov.cn"
		cfg.BaseURL = baseURL
	}}, modify...)...)
}

func setup(t *testing.T, dialect db.Dialect) *env {
	t.Helper()
	clk := &clock{}
	clk.setDay(workday.MustParseDate("2026-03-02")) // a Monday
	e := &env{clk: clk, smtp: mailtest.Start(t), sys: authz.WithActor(context.Background(), authz.System), users: map[string]int64{}}
	e.app = boot(t, dialect, clk, e.smtp)
	e.people(t)
	return e
}

// people adds the civil-affairs members and registers a request handled by hank.
func (e *env) people(t *testing.T) {
	t.Helper()
	ta, err := e.app.Tenants.BySlug(e.sys, "civil-affairs")
	if err != nil {
		t.Fatal(err)
	}
	e.tenant = ta.ID
	for name, role := range map[string]string{"hank": authz.InfoOfficer, "olive": authz.InfoOfficer, "ada": authz.BureauAdmin} {
		m, err := e.app.Identity.AddMember(e.sys, e.tenant, identity.NewMember{Username: name, DisplayName: name, Email: name + "@example.org",
			Password: "Correct-Horse-9-Battery", Roles: []string{role}})
		if err != nil {
			t.Fatal(err)
		}
		e.users[name] = m.User.ID
	}
	r, _, err := e.app.Requests.Register(e.sys, e.tenant, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate("2026-03-02"),
		Applicant: request.Applicant{Type: "natural_person", Name: "张三", Phone: "13800000000"}, Content: "申请公开2025年养老服务补贴发放情况"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.app.Requests.Assign(e.sys, e.tenant, r.ID, e.users["hank"]); err != nil {
		t.Fatal(err)
	}
	e.request = r
}

// titles returns the titles in the user's inbox, oldest first.
func (e *env) titles(t *testing.T, user string) []string {
	t.Helper()
	in, err := e.app.Notify.List(e.sys, e.users[user], notify.ListFilter{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(in.Items) - 1; i >= 0; i-- {
		out = append(out, in.Items[i].Title)
	}
	return out
}

// run runs the reminders twice (the second run must fire nothing).
func (e *env) run(t *testing.T) reminder.Summary {
	t.Helper()
	first, err := e.app.Reminders.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.app.Reminders.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if again.Fired != 0 {
		t.Fatalf("second run fired %d reminders again", again.Fired)
	}
	return first
}

// workingDayBefore returns the working day with n working days left until due.
func workingDayBefore(t *testing.T, cal *workday.Calendar, due workday.Date, n int) workday.Date {
	t.Helper()
	for d := due; ; d = d.AddDays(-1) {
		left, err := cal.WorkingDaysBetween(d, due)
		if err != nil {
			t.Fatal(err)
		}
		ok, _ := cal.IsWorkingDay(d)
		if left == n && ok {
			return d
		}
		if left > n {
			t.Fatalf("no working day %d working days before %s", n, due)
		}
	}
}

// TestDeadlineWalk walks a request through its deadline with the injected
// clock and sees each reminder exactly once, in the inbox and by mail.
func TestDeadlineWalk(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			e := setup(t, dialect)
			// Ada takes overdue mail as a daily digest.
			adaCtx := authz.WithActor(context.Background(), authz.Actor{Subject: authz.UserSubject(e.users["ada"]), UserID: e.users["ada"]})
			if _, err := e.app.Notify.SetPreferences(adaCtx, e.users["ada"], []notify.Preference{{Kind: notify.KindOverdue, Delivery: notify.DeliveryDigest}}); err != nil {
				t.Fatal(err)
			}
			cal, err := e.app.Calendar.Calendar(e.sys)
			if err != nil {
				t.Fatal(err)
			}
			due := e.request.DueOn
			code := e.request.TrackingCode
			d, err := e.app.Requests.Get(e.sys, e.tenant, e.request.ID)
			if err != nil {
				t.Fatal(err)
			}
			supplementDue := d.Deadline.SupplementDueOn
			over1, _ := cal.AddWorkingDays(due, 1)
			over2, _ := cal.AddWorkingDays(due, 2)
			steps := []struct {
				name  string
				day   workday.Date
				hank  []string // new titles in hank's inbox
				ada   []string // new titles in ada's inbox
				mails int      // new mails to hank
			}{
				{"supplement window closing (Art. 30)", workingDayBefore(t, cal, supplementDue, 1), []string{"申请 " + code + " 的补正告知期限 " + supplementDue.String() + " 即将届满"}, nil, 1},
				{"due in 5", workingDayBefore(t, cal, due, 5), []string{"申请 " + code + " 还有 5 个工作日到期"}, nil, 1},
				{"4 left: nothing new", workingDayBefore(t, cal, due, 4), nil, nil, 0},
				{"due in 3", workingDayBefore(t, cal, due, 3), []string{"申请 " + code + " 还有 3 个工作日到期"}, nil, 1},
				{"due in 1", workingDayBefore(t, cal, due, 1), []string{"申请 " + code + " 还有 1 个工作日到期"}, nil, 1},
				{"due today", due, []string{"申请 " + code + " 今天到期"}, nil, 1},
				{"overdue", over1, []string{"申请 " + code + " 已逾期 1 个工作日"}, []string{"申请 " + code + " 已逾期 1 个工作日"}, 1},
				{"overdue, next day", over2, []string{"申请 " + code + " 已逾期 2 个工作日"}, []string{"申请 " + code + " 已逾期 2 个工作日"}, 1},
			}
			var wantHank, wantAda []string
			wantMails := 0
			for _, st := range steps {
				e.clk.setDay(st.day)
				e.run(t)
				wantHank, wantAda = append(wantHank, st.hank...), append(wantAda, st.ada...)
				wantMails += st.mails
				if got := e.titles(t, "hank"); !slices.Equal(got, wantHank) {
					t.Fatalf("%s (%s): hank's inbox\n got %q\nwant %q", st.name, st.day, got, wantHank)
				}
				if got := e.titles(t, "ada"); !slices.Equal(got, wantAda) {
					t.Fatalf("%s (%s): ada's inbox\n got %q\nwant %q", st.name, st.day, got, wantAda)
				}
				mails := e.smtp.WaitTo("hank@example.org", wantMails, 15*time.Second)
				if len(mails) != wantMails {
					t.Fatalf("%s: hank received %d mails, want %d", st.name, len(mails), wantMails)
				}
				if st.mails > 0 {
					last := mails[len(mails)-1]
					if want := "【政府信息公开】" + st.hank[0]; last.Subject != want {
						t.Fatalf("%s: subject %q, want %q", st.name, last.Subject, want)
					}
				}
			}
			// Olive (another officer) heard nothing: the request has a handler.
			if got := e.titles(t, "olive"); len(got) != 0 {
				t.Fatalf("olive's inbox: %q", got)
			}
			mails := e.smtp.To("hank@example.org")
			body := mails[1].Body // due in 5
			for _, want := range []string{"hank，您好", "第三十三条", baseURL + notify.RequestLink("civil-affairs", e.request.ID), baseURL + "/console/notifications/settings"} {
				if !strings.Contains(body, want) {
					t.Errorf("mail body lacks %q:\n%s", want, body)
				}
			}
			if !strings.Contains(mails[0].Body, "第三十条") {
				t.Errorf("supplement reminder does not cite Art. 30:\n%s", mails[0].Body)
			}

			// Run by River too: nothing fires again.
			before := len(e.titles(t, "hank"))
			events, cancel := e.app.Jobs.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
			defer cancel()
			if _, err := e.app.Jobs.Insert(context.Background(), reminder.ScanArgs{}, nil); err != nil {
				t.Fatal(err)
			}
			waitJob(t, events, "reminders_scan")
			if after := len(e.titles(t, "hank")); after != before {
				t.Fatalf("a River run fired %d reminders again", after-before)
			}

			// Ada got no immediate overdue mail, then one digest with both.
			if got := e.smtp.To("ada@example.org"); len(got) != 0 {
				t.Fatalf("ada got %d immediate mails despite the digest preference", len(got))
			}
			n, err := e.app.Notify.SendDigests(context.Background())
			if err != nil || n != 1 {
				t.Fatalf("SendDigests = %d, %v; want 1 digest", n, err)
			}
			digest := e.smtp.WaitTo("ada@example.org", 1, 15*time.Second)
			if len(digest) != 1 || !strings.Contains(digest[0].Subject, "每日提醒汇总") || !strings.Contains(digest[0].Subject, "共 2 条") ||
				!strings.Contains(digest[0].Body, "已逾期 1 个工作日") || !strings.Contains(digest[0].Body, "已逾期 2 个工作日") {
				t.Fatalf("ada's digest: %+v", digest)
			}
			if n, _ := e.app.Notify.SendDigests(context.Background()); n != 0 {
				t.Fatalf("a second digest run enqueued %d digests", n)
			}
		})
	}
}

func waitJob(t *testing.T, events <-chan *river.Event, kind string) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Job.Kind != kind {
				continue
			}
			if ev.Kind != river.EventKindJobCompleted {
				t.Fatalf("job %s: %s %v", kind, ev.Kind, ev.Job.Errors)
			}
			return
		case <-timeout:
			t.Fatalf("job %s did not complete", kind)
		}
	}
}

// TestNoHandlerGoesToOfficers: without a handler, the bureau's information
// officers hear about the deadline; a consultation's answer and a fee
// payment get their own reminders; thresholds follow the bureau's settings.
func TestNoHandlerGoesToOfficersAndPauses(t *testing.T) {
	t.Parallel()
	e := setup(t, db.SQLite)
	if _, err := e.app.Reminders.SetSettings(e.sys, e.tenant, reminder.Settings{DueDays: []int{10}, ConsultationDays: 2, FeeDays: 1}); err != nil {
		t.Fatal(err)
	}
	r, _, err := e.app.Requests.Register(e.sys, e.tenant, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate("2026-03-02"),
		Applicant: request.Applicant{Type: "natural_person", Name: "李四", Phone: "13900000000"}, Content: "申请公开养老机构名录"})
	if err != nil {
		t.Fatal(err)
	}
	cal, _ := e.app.Calendar.Calendar(e.sys)
	code := r.TrackingCode
	e.clk.setDay(workingDayBefore(t, cal, r.DueOn, 10))
	e.run(t)
	want := "申请 " + code + " 还有 10 个工作日到期"
	for _, who := range []string{"hank", "olive"} {
		if got := e.titles(t, who); !slices.Contains(got, want) {
			t.Fatalf("%s's inbox %q lacks %q", who, got, want)
		}
	}
	if got := e.titles(t, "ada"); slices.Contains(got, want) {
		t.Fatalf("the admin was told before the deadline: %q", got)
	}
	// A consultation (Art. 32) pauses the clock; its answer is due in 15
	// working days and the reminder comes 2 before.
	start := e.clk.Now()
	startDay := workday.FromTime(start, time.FixedZone("CST", 8*3600))
	if _, err := e.app.Requests.Act(e.sys, e.tenant, r.ID, request.Action{Kind: "consultation_started", On: startDay, Reason: "征求第三方意见"}); err != nil {
		t.Fatal(err)
	}
	answerDue, _ := cal.AddWorkingDays(startDay, 15)
	e.clk.setDay(workingDayBefore(t, cal, answerDue, 2))
	e.run(t)
	want = "申请 " + code + " 的征求意见答复期限 " + answerDue.String()
	if got := e.titles(t, "olive"); !slices.Contains(got, want) {
		t.Fatalf("olive's inbox %q lacks %q", got, want)
	}
	after, _ := cal.AddWorkingDays(answerDue, 1)
	e.clk.setDay(after)
	e.run(t)
	want = "申请 " + code + " 的征求意见期限已届满"
	if got := e.titles(t, "olive"); !slices.Contains(got, want) {
		t.Fatalf("olive's inbox %q lacks %q", got, want)
	}
}

// TestTwoInstancesSendOnce boots two instances on one Postgres database and
// runs their reminder scans at the same time: each reminder is notified and
// mailed once.
func TestTwoInstancesSendOnce(t *testing.T) {
	t.Parallel()
	e := setup(t, db.Postgres)
	second := boot(t, db.Postgres, e.clk, e.smtp, func(cfg *config.Config, _ *app.Options) { cfg.DatabaseURL = e.app.Config.DatabaseURL })
	e.clk.setDay(e.request.DueOn)
	var wg sync.WaitGroup
	var mu sync.Mutex
	fired := make([]int, 2)
	for i, a := range []*app.App{e.app, second, e.app, second, e.app, second} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum, err := a.Reminders.Run(context.Background())
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			fired[i%2] += sum.Fired
			mu.Unlock()
		}()
	}
	wg.Wait()
	if fired[0]+fired[1] != 1 {
		t.Fatalf("fired %v times across instances, want once in total", fired)
	}
	want := []string{"申请 " + e.request.TrackingCode + " 今天到期"}
	if got := e.titles(t, "hank"); !slices.Equal(got, want) {
		t.Fatalf("hank's inbox %q, want %q", got, want)
	}
	if got := e.smtp.WaitTo("hank@example.org", 1, 15*time.Second); len(got) != 1 {
		t.Fatalf("hank received %d mails", len(got))
	}
	time.Sleep(2 * time.Second) // both instances work jobs: no second mail
	if got := e.smtp.To("hank@example.org"); len(got) != 1 {
		t.Fatalf("hank received %d mails after both instances worked jobs", len(got))
	}
}

// matching returns the titles containing sub.
func matching(titles []string, sub string) []string {
	var out []string
	for _, t := range titles {
		if strings.Contains(t, sub) {
			out = append(out, t)
		}
	}
	return out
}

// TestCatalogAndReportReminders: a catalog item near and past its Art. 26
// date reminds its author (then the admin too); the annual report reminds
// the officers from 1 January and, when late, the admin and the city
// overseer — each once.
func TestCatalogAndReportReminders(t *testing.T) {
	t.Parallel()
	e := setup(t, db.SQLite)
	otto, err := e.app.Identity.AddMember(e.sys, 0, identity.NewMember{Username: "otto", DisplayName: "otto", Email: "otto@example.org", Password: "Correct-Horse-9-Battery", Roles: []string{authz.CityOverseer}})
	if err != nil {
		t.Fatal(err)
	}
	e.users["otto"] = otto.User.ID
	hankCtx := authz.WithActor(context.Background(), authz.Actor{Subject: authz.UserSubject(e.users["hank"]), UserID: e.users["hank"], Name: "hank"})
	item, err := e.app.Catalog.Create(hankCtx, e.tenant, catalog.ItemInput{Title: "养老服务补贴实施办法", FormedOn: workday.MustParseDate("2026-03-02"), Category: "elderly_care"})
	if err != nil {
		t.Fatal(err)
	}
	cal, _ := e.app.Calendar.Calendar(e.sys)
	publishBy, _ := cal.AddWorkingDays(item.FormedOn, catalog.PublicationDays)
	e.clk.setDay(workingDayBefore(t, cal, publishBy, 3))
	e.run(t)
	soon := "目录信息《养老服务补贴实施办法》须于 " + publishBy.String() + " 前公开"
	if got := matching(e.titles(t, "hank"), "目录信息"); !slices.Equal(got, []string{soon}) {
		t.Fatalf("hank (author): %q", got)
	}
	if got := matching(e.titles(t, "olive"), "目录信息"); len(got) != 0 {
		t.Fatalf("olive is not the author: %q", got)
	}
	late, _ := cal.AddWorkingDays(publishBy, 1)
	e.clk.setDay(late)
	e.run(t)
	lateTitle := "目录信息《养老服务补贴实施办法》已超过公开期限"
	if got := matching(e.titles(t, "hank"), "目录信息"); !slices.Equal(got, []string{soon, lateTitle}) {
		t.Fatalf("hank after the date: %q", got)
	}
	if got := matching(e.titles(t, "ada"), "目录信息"); !slices.Equal(got, []string{lateTitle}) {
		t.Fatalf("ada (admin) after the date: %q", got)
	}

	// The 2026 annual report, due 31 January 2027.
	steps := []struct {
		day                   string
		officers, admin, city []string
	}{
		{"2027-01-04", []string{"请编制 2026 年政府信息公开工作年度报告（2027-01-31 前公布）"}, nil, nil},
		{"2027-01-05", nil, nil, nil},
		{"2027-01-26", []string{"2026 年政府信息公开工作年度报告须于 2027-01-31 前公布"}, nil, nil},
		{"2027-02-01", []string{"营口市民政局的 2026 年政府信息公开工作年度报告已逾期未公布"}, []string{"营口市民政局的 2026 年政府信息公开工作年度报告已逾期未公布"}, []string{"营口市民政局的 2026 年政府信息公开工作年度报告已逾期未公布"}},
	}
	var officers, admin, city []string
	for _, st := range steps {
		e.clk.setDay(workday.MustParseDate(st.day))
		e.run(t)
		officers, admin, city = append(officers, st.officers...), append(admin, st.admin...), append(city, st.city...)
		for who, want := range map[string][]string{"hank": officers, "olive": officers, "ada": admin, "otto": city} {
			sub := "年度报告"
			if who == "otto" {
				sub = "营口市民政局的" // the overseer hears about every bureau's late report
			}
			if got := matching(e.titles(t, who), sub); !slices.Equal(got, want) {
				t.Fatalf("%s: %s's inbox\n got %q\nwant %q", st.day, who, got, want)
			}
		}
	}
}
