// Package reminder finds, per bureau, the deadlines that need someone's
// attention and tells the right people once: disclosure requests due in a
// few working days, due today and overdue (Art. 33), the window to ask for a
// supplement closing (Art. 30), consultation answers due (Art. 32, 34), fee
// payments due (国办函〔2020〕109号), catalog items near or past the
// 20-working-day publication rule (Art. 26) and the annual report due by the
// bureau's deadline (Art. 49). It runs as a River periodic job,
// which River runs on the elected leader only; every reminder is recorded in
// reminders_sent under a unique key in the transaction of its
// notifications, so it fires once even across restarts, retries and
// several instances.
package reminder

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"gongkai/internal/authz"
	"gongkai/internal/calendar"
	"gongkai/internal/db"
	"gongkai/internal/jobs"
	"gongkai/internal/notify"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// Events receives events integrators subscribe to (webhook.Service).
type Events interface {
	EmitTx(ctx context.Context, tx bun.Tx, tenantID int64, kind string, object any) error
}

// Deps are the services reminders use.
type Deps struct {
	DB       *db.DB
	Authz    *authz.Authorizer
	Tenants  *tenant.Service
	Requests *request.Service
	Calendar *calendar.Service
	Notify   *notify.Service
	Events   Events // may be nil
	// Catalog lists catalog items near or past their Art. 26 publication
	// date (catalog.Service); nil: no catalog reminders.
	Catalog CatalogRisks
	// Reports lists published annual reports (report.Service); nil: no
	// annual report reminders.
	Reports PublishedReports
	Log     *slog.Logger
	Now     func() time.Time
}

// Service runs the reminders.
type Service struct {
	db       *db.DB
	authz    *authz.Authorizer
	tenants  *tenant.Service
	requests *request.Service
	calendar *calendar.Service
	notify   *notify.Service
	events   Events
	catalog  CatalogRisks
	reports  PublishedReports
	log      *slog.Logger
	now      func() time.Time
	// cityReports: the city report's publication (city.go); nil: no city
	// report reminders.
	cityReports CityReports
}

// NewService returns the reminder service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{db: d.DB, authz: d.Authz, tenants: d.Tenants, requests: d.Requests, calendar: d.Calendar, notify: d.Notify,
		events: d.Events, catalog: d.Catalog, reports: d.Reports, log: d.Log, now: d.Now}
}

// sent is the storage form of a reminder that fired.
type sent struct {
	bun.BaseModel `bun:"table:reminders_sent"`
	TenantID      int64     `bun:",pk"`
	ObjectType    string    `bun:",pk"`
	ObjectID      string    `bun:",pk"`
	Threshold     string    `bun:",pk"`
	Day           string    `bun:",pk"`
	SentAt        time.Time `bun:",notnull"`
}

// due is one reminder to fire (if it has not yet).
type due struct {
	objectType string // request, catalog_item, report
	objectID   string
	handler    *int64 // who handles the object, if anyone
	link       string // console path
	threshold  string // e.g. due_in_5, due_today, overdue, supplement_window
	day        string // '' or the date that makes the key unique
	kind       string // notify kind
	escalate   bool   // also to the bureau admins
	overseers  bool   // also to the city overseers
	overdue    bool   // first overdue: also the request.overdue event
	view       view
	run        *request.Running // for request reminders
}

// view is the data of the reminder templates.
type view struct {
	Bureau string
	Code   string // tracking code of a request
	Title  string // title of a catalog item
	Year   int    // year of an annual report
	Due    string // a date
	Days   int    // working days left, or late
}

// The reminder texts (Chinese), by threshold prefix: title and body.
var texts = map[string][2]*template.Template{
	"due_in": tmpl(`申请 {{.Code}} 还有 {{.Days}} 个工作日到期`,
		`{{.Bureau}}收到的政府信息公开申请 {{.Code}} 应于 {{.Due}} 前答复（《政府信息公开条例》第三十三条：收到申请之日起 20 个工作日内答复），{{if .Days}}还有 {{.Days}} 个工作日{{else}}今天是最后一天{{end}}。如需延期，须经政府信息公开工作机构负责人同意并告知申请人，延长期限最长不超过 20 个工作日。`),
	"due_today": tmpl(`申请 {{.Code}} 今天到期`,
		`{{.Bureau}}收到的政府信息公开申请 {{.Code}} 的答复期限为今天（{{.Due}}，《政府信息公开条例》第三十三条）。请今天作出答复，或依法延期并告知申请人。`),
	"overdue": tmpl(`申请 {{.Code}} 已逾期{{if .Days}} {{.Days}} 个工作日{{end}}`,
		`{{.Bureau}}收到的政府信息公开申请 {{.Code}} 的答复期限 {{.Due}} 已过（《政府信息公开条例》第三十三条），尚未答复。逾期答复可能引发行政复议或行政诉讼，请尽快处理。`),
	"supplement_window": tmpl(`申请 {{.Code}} 的补正告知期限 {{.Due}} 即将届满`,
		`如政府信息公开申请 {{.Code}} 内容不明确，须在收到申请之日起 7 个工作日内一次性告知申请人作出补正（《政府信息公开条例》第三十条），最后一天为 {{.Due}}，{{if .Days}}还有 {{.Days}} 个工作日{{else}}今天是最后一天{{end}}。逾期不得再要求补正。`),
	"consultation_due": tmpl(`申请 {{.Code}} 的征求意见答复期限 {{.Due}}`,
		`申请 {{.Code}} 征求第三方或其他机关意见的答复期限为 {{.Due}}（《政府信息公开条例》第三十二条、第三十四条：15 个工作日），{{if .Days}}还有 {{.Days}} 个工作日{{else}}今天是最后一天{{end}}。`),
	"consultation_expired": tmpl(`申请 {{.Code}} 的征求意见期限已届满`,
		`申请 {{.Code}} 征求意见的答复期限 {{.Due}} 已过。第三方逾期未提出意见的，由行政机关依照条例规定决定是否公开（第三十二条）；其他机关逾期未提出意见的视为同意公开（第三十四条）。请记录征求意见结束，答复期限将恢复计算。`),
	"fee_due": tmpl(`申请 {{.Code}} 的信息处理费缴费期限 {{.Due}}`,
		`申请人应在 {{.Due}} 前缴纳申请 {{.Code}} 的信息处理费（国办函〔2020〕109号：收到收费通知次日起 20 个工作日内），{{if .Days}}还有 {{.Days}} 个工作日{{else}}今天是最后一天{{end}}。逾期未缴纳的视为放弃申请。`),
	"fee_expired": tmpl(`申请 {{.Code}} 的缴费期限已届满`,
		`申请 {{.Code}} 的信息处理费缴费期限 {{.Due}} 已过。如申请人未缴纳，视为放弃申请（国办函〔2020〕109号），请登记“逾期未缴费”以结案。`),
	"catalog_due": tmpl(`目录信息《{{.Title}}》须于 {{.Due}} 前公开`,
		`属于主动公开范围的政府信息，应当自该政府信息形成或者变更之日起 20 个工作日内及时公开（《政府信息公开条例》第二十六条）。《{{.Title}}》尚未公开，最后期限为 {{.Due}}，{{if .Days}}还有 {{.Days}} 个工作日{{else}}今天是最后一天{{end}}。请尽快完成保密审查并发布。`),
	"catalog_overdue": tmpl(`目录信息《{{.Title}}》已超过公开期限`,
		`《{{.Title}}》应于 {{.Due}} 前公开（《政府信息公开条例》第二十六条：形成或者变更之日起 20 个工作日内），至今尚未公开。请尽快完成保密审查并发布。`),
	"report_due": tmpl(`请编制 {{.Year}} 年政府信息公开工作年度报告（{{.Due}} 前公布）`,
		`{{.Bureau}}应于 {{.Due}} 前向社会公布 {{.Year}} 年政府信息公开工作年度报告（《政府信息公开条例》第四十九条、第五十条）。请生成报告草稿，核对统计表并完成审核发布。`),
	"report_due_soon": tmpl(`{{.Year}} 年政府信息公开工作年度报告须于 {{.Due}} 前公布`,
		`{{.Bureau}}的 {{.Year}} 年政府信息公开工作年度报告尚未公布，最后期限为 {{.Due}}，还有 {{.Days}} 个工作日（《政府信息公开条例》第四十九条）。`),
	"report_overdue": tmpl(`{{.Bureau}}的 {{.Year}} 年政府信息公开工作年度报告已逾期未公布`,
		`{{.Bureau}}的 {{.Year}} 年政府信息公开工作年度报告应于 {{.Due}} 前公布（《政府信息公开条例》第四十九条），至今尚未公布。`),
}

func tmpl(title, body string) [2]*template.Template {
	return [2]*template.Template{template.Must(template.New("title").Parse(title)), template.Must(template.New("body").Parse(body))}
}

func (d due) texts() (string, string, error) {
	key := d.threshold
	if strings.HasPrefix(key, "due_in_") {
		key = "due_in"
	}
	t, ok := texts[key]
	if !ok {
		return "", "", fmt.Errorf("no reminder text for %s", d.threshold)
	}
	var title, body strings.Builder
	if err := t[0].Execute(&title, d.view); err != nil {
		return "", "", err
	}
	if err := t[1].Execute(&body, d.view); err != nil {
		return "", "", err
	}
	return title.String(), body.String(), nil
}

// Summary says what a run did.
type Summary struct {
	Bureaus int // bureaus scanned
	Fired   int // reminders fired now
	Skipped int // reminders already sent earlier (or by another instance)
	Errors  int // requests whose deadline could not be computed
}

// Run scans every bureau once and fires the reminders due today (the
// service's clock). Running it again the same day fires nothing new.
func (s *Service) Run(ctx context.Context) (Summary, error) {
	ctx = authz.WithActor(ctx, authz.System)
	var sum Summary
	ts, err := s.tenants.List(ctx)
	if err != nil {
		return sum, err
	}
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return sum, err
	}
	for _, t := range ts {
		if err := s.runBureau(ctx, cal, t, &sum); err != nil {
			return sum, fmt.Errorf("reminders of %s: %w", t.Slug, err)
		}
		sum.Bureaus++
	}
	if err := s.runCity(ctx, cal, ts, &sum); err != nil { // the city report (city.go)
		return sum, fmt.Errorf("city report reminders: %w", err)
	}
	return sum, nil
}

// recipients are a bureau's people by role, and how the bureau wants its
// reminders addressed (Settings.Recipients, CopyTo).
type recipients struct {
	members   map[int64][]string // user id -> roles
	officers  []int64
	admins    []int64
	overseers []int64 // city overseers (cross-tenant role)
	// andOfficers: the officers hear about a request even when it has a
	// handler (RecipientsHandlerAndOfficers).
	andOfficers bool
	// copies get every reminder (members named in CopyTo).
	copies []int64
}

func (s *Service) recipientsOf(ctx context.Context, tenantID int64, set Settings) (recipients, error) {
	ms, err := s.authz.MembersOf(ctx, tenantID)
	if err != nil {
		return recipients{}, err
	}
	r := recipients{members: map[int64][]string{}, andOfficers: set.Recipients == RecipientsHandlerAndOfficers}
	city, err := s.authz.MembersOf(ctx, 0)
	if err != nil {
		return recipients{}, err
	}
	for _, m := range city {
		if id, ok := userID(m.Subject); ok && slices.Contains(m.Roles, authz.CityOverseer) {
			r.overseers = append(r.overseers, id)
		}
	}
	for _, m := range ms {
		id, ok := userID(m.Subject)
		if !ok {
			continue
		}
		r.members[id] = m.Roles
		if slices.Contains(m.Roles, authz.InfoOfficer) {
			r.officers = append(r.officers, id)
		}
		if slices.Contains(m.Roles, authz.BureauAdmin) {
			r.admins = append(r.admins, id)
		}
	}
	// A copy goes only to people who are still members of the bureau.
	for _, id := range set.copyIDs {
		if len(r.members[id]) > 0 {
			r.copies = append(r.copies, id)
		}
	}
	return r, nil
}

// to returns who hears about an object: its handler (when still a member),
// else the bureau's information officers — or, when the bureau chose so,
// the handler and the officers — else its admins; the members who get
// copies; and the admins when escalating. Each person once.
func (r recipients) to(handler *int64, escalate bool) []int64 {
	var out []int64
	hasHandler := handler != nil && len(r.members[*handler]) > 0
	if hasHandler {
		out = append(out, *handler)
	}
	if !hasHandler || r.andOfficers {
		out = append(out, r.officers...)
	}
	if len(out) == 0 {
		out = append(out, r.admins...)
	}
	out = append(out, r.copies...)
	if escalate {
		out = append(out, r.admins...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (s *Service) runBureau(ctx context.Context, cal *workday.Calendar, t tenant.Tenant, sum *Summary) error {
	set, err := s.settingsOf(ctx, t.ID)
	if err != nil {
		return err
	}
	running, today, err := s.requests.Running(ctx, t.ID)
	if err != nil {
		return err
	}
	working, err := cal.IsWorkingDay(today)
	if err != nil {
		return err
	}
	var dues []due
	for i := range running {
		r := &running[i]
		if r.Err != nil {
			sum.Errors++
			s.log.WarnContext(ctx, "reminders: cannot compute the deadline of a request", "tenant", t.Slug, "request", r.Request.TrackingCode, "error", r.Err)
			continue
		}
		ds, err := reminders(cal, today, working, set, r)
		if err != nil {
			sum.Errors++
			s.log.WarnContext(ctx, "reminders: cannot compute the reminders of a request", "tenant", t.Slug, "request", r.Request.TrackingCode, "error", err)
			continue
		}
		for _, d := range ds {
			d.run = r
			d.objectType, d.objectID, d.handler = "request", strconv.FormatInt(r.Request.ID, 10), r.Request.HandlerID
			d.link = notify.RequestLink(t.Slug, r.Request.ID)
			d.view.Code = r.Request.TrackingCode
			dues = append(dues, d)
		}
	}
	more, err := s.catalogDues(ctx, t, today)
	if err != nil {
		return err
	}
	dues = append(dues, more...)
	if more, err = s.reportDues(ctx, cal, t, today); err != nil {
		return err
	}
	dues = append(dues, more...)
	if len(dues) == 0 {
		return nil
	}
	people, err := s.recipientsOf(ctx, t.ID, set)
	if err != nil {
		return err
	}
	for _, d := range dues {
		d.view.Bureau = t.Name
		fired, err := s.fire(ctx, t, people, d)
		if err != nil {
			return err
		}
		if fired {
			sum.Fired++
		} else {
			sum.Skipped++
		}
	}
	return nil
}

// reminders returns the reminders a request calls for today.
func reminders(cal *workday.Calendar, today workday.Date, working bool, set Settings, r *request.Running) ([]due, error) {
	var out []due
	dl := r.Deadline
	// The reply deadline (Art. 33).
	switch {
	case dl.Overdue && !dl.DueOn.IsZero():
		late, err := cal.WorkingDaysBetween(dl.DueOn, today)
		if err != nil {
			return nil, err
		}
		day := today.String()
		if !set.OverdueDaily {
			day = ""
		}
		if working || !set.OverdueDaily {
			out = append(out, due{threshold: "overdue", day: day, kind: notify.KindOverdue, escalate: set.EscalateOverdue, overdue: true,
				view: view{Due: dl.DueOn.String(), Days: late}})
		}
	case dl.State == deadline.StateOpen && !dl.DueOn.IsZero() && dl.DaysLeft == 0 && dl.DueOn.Equal(today):
		out = append(out, due{threshold: "due_today", day: dl.DueOn.String(), kind: notify.KindDeadline, view: view{Due: dl.DueOn.String()}})
	case dl.State == deadline.StateOpen && !dl.DueOn.IsZero() && dl.DaysLeft > 0:
		// The tightest threshold crossed: with 4 days left and thresholds
		// 5, 3, 1 that is "due in 5" (days missed while the job did not run
		// are not made up).
		th := 0
		for _, n := range set.DueDays {
			if dl.DaysLeft <= n {
				th = n
			}
		}
		if th > 0 {
			out = append(out, due{threshold: "due_in_" + strconv.Itoa(th), day: dl.DueOn.String(), kind: notify.KindDeadline,
				view: view{Due: dl.DueOn.String(), Days: dl.DaysLeft}})
		}
	}
	// The window to ask for a supplement (Art. 30).
	if set.SupplementDays > 0 && r.SupplementPossible && dl.State == deadline.StateOpen && dl.SupplementDueOn.Valid() {
		left, err := cal.WorkingDaysBetween(today, dl.SupplementDueOn)
		if err != nil {
			return nil, err
		}
		if left >= 0 && left <= set.SupplementDays {
			out = append(out, due{threshold: "supplement_window", day: dl.SupplementDueOn.String(), kind: notify.KindSupplement,
				view: view{Due: dl.SupplementDueOn.String(), Days: left}})
		}
	}
	// A consultation's answer (Art. 32, 34) or the fee payment (国办函〔2020〕109号).
	pauses := []struct {
		by          deadline.EventKind
		on          workday.Date
		days        int
		soon, ended string
		kind        string
	}{
		{deadline.ConsultationStarted, dl.ConsultationDueOn, set.ConsultationDays, "consultation_due", "consultation_expired", notify.KindConsultation},
		{deadline.FeeNotified, dl.FeePaymentDueOn, set.FeeDays, "fee_due", "fee_expired", notify.KindFee},
	}
	for _, p := range pauses {
		if dl.PausedBy != p.by || !p.on.Valid() || p.days == 0 {
			continue
		}
		left, err := cal.WorkingDaysBetween(today, p.on)
		if err != nil {
			return nil, err
		}
		switch {
		case today.After(p.on):
			out = append(out, due{threshold: p.ended, day: p.on.String(), kind: p.kind, view: view{Due: p.on.String()}})
		case left <= p.days:
			out = append(out, due{threshold: p.soon, day: p.on.String(), kind: p.kind, view: view{Due: p.on.String(), Days: left}})
		}
	}
	return out, nil
}

// fire records the reminder under its unique key and, when this call is the
// one that recorded it, notifies the recipients — all in one transaction.
// It reports whether it fired.
func (s *Service) fire(ctx context.Context, t tenant.Tenant, people recipients, d due) (bool, error) {
	to := people.to(d.handler, d.escalate)
	if d.overseers {
		to = append(to, people.overseers...)
		slices.Sort(to)
		to = slices.Compact(to)
	}
	title, body, err := d.texts()
	if err != nil {
		return false, err
	}
	objectID := d.objectID
	fired := false
	now := s.now().UTC()
	err = s.db.InTx(ctx, db.Tenant(t.ID), func(ctx context.Context, tx bun.Tx) error {
		ok, err := record(ctx, tx, sent{TenantID: t.ID, ObjectType: d.objectType, ObjectID: objectID, Threshold: d.threshold, Day: d.day, SentAt: now})
		if err != nil || !ok {
			return err
		}
		fired = true
		msgs := make([]notify.Message, 0, len(to))
		for _, uid := range to {
			msgs = append(msgs, notify.Message{TenantID: t.ID, UserID: uid, Kind: d.kind, Title: title, Body: body,
				Link: d.link, ObjectType: d.objectType, ObjectID: objectID})
		}
		if len(msgs) > 0 {
			if _, err := s.notify.Notify(ctx, tx, msgs...); err != nil {
				return err
			}
		} else {
			s.log.WarnContext(ctx, "reminder with no one to tell: the bureau has no handler, information officer or admin", "tenant", t.Slug, "object", d.objectType+":"+objectID, "threshold", d.threshold)
		}
		// The request.overdue event goes out once per request (and due date).
		if d.overdue && d.run != nil && s.events != nil {
			first, err := record(ctx, tx, sent{TenantID: t.ID, ObjectType: "request", ObjectID: objectID, Threshold: "overdue_event", Day: d.view.Due, SentAt: now})
			if err != nil {
				return err
			}
			if first {
				return s.events.EmitTx(ctx, tx, t.ID, request.EventOverdue, request.NewEventObject(&d.run.Request))
			}
		}
		return nil
	})
	return fired, err
}

// record inserts the key and reports whether this call inserted it. Under
// the unique key a concurrent instance waits for this transaction and then
// inserts nothing (Postgres), or cannot start until it ends (SQLite).
func record(ctx context.Context, tx bun.Tx, row sent) (bool, error) {
	res, err := tx.NewInsert().Model(&row).On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return false, db.Translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ScanArgs is the periodic job that runs the reminders.
type ScanArgs struct{}

// Kind names the job.
func (ScanArgs) Kind() string { return "reminders_scan" }

// InsertOpts keeps at most one scan queued or running at a time.
func (ScanArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// ScanWorker works reminders_scan jobs.
type ScanWorker struct {
	river.WorkerDefaults[ScanArgs]
	Service *Service
}

// Register adds the worker to the registry; set Service before jobs run.
func (w *ScanWorker) Register(r *jobs.Registry) { jobs.Add(r, w) }

// Work runs the reminders.
func (w *ScanWorker) Work(ctx context.Context, _ *river.Job[ScanArgs]) error {
	sum, err := w.Service.Run(ctx)
	if err != nil {
		return err
	}
	if sum.Fired > 0 || sum.Errors > 0 {
		w.Service.log.InfoContext(ctx, "reminders sent", "bureaus", sum.Bureaus, "fired", sum.Fired, "errors", sum.Errors)
	}
	return nil
}

// Timeout allows a long scan of many bureaus.
func (w *ScanWorker) Timeout(*river.Job[ScanArgs]) time.Duration { return 10 * time.Minute }

// PeriodicJob returns the reminder scan, every interval and once at start;
// River runs periodic jobs on the elected leader only.
func PeriodicJob(interval time.Duration) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval), func() (river.JobArgs, *river.InsertOpts) {
		return ScanArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "reminders_scan", RunOnStart: true})
}
