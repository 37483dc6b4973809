package app

import (
	"time"

	"github.com/riverqueue/river"

	"gongkai/internal/config"
	"gongkai/internal/jobs"
	"gongkai/internal/notify"
	"gongkai/internal/pii"
	"gongkai/internal/reminder"
	"gongkai/internal/report"
	"gongkai/internal/webhook"
)

// ReminderInterval is how often the reminder scan runs (and once at start).
const ReminderInterval = time.Hour

// DigestHour is the local hour at which daily notification digests go out.
const DigestHour = 8

// background holds the workers of notifications, reminders and webhooks:
// registered before the job client is built, bound to their services after.
type background struct {
	notify   *notify.Workers
	deliver  *webhook.DeliverWorker
	reminder *reminder.ScanWorker
	exports  *report.ExportWorker // annual report files (report/generate.go)
}

// registerBackground adds the workers to the registry.
func registerBackground(r *jobs.Registry) *background {
	bg := &background{notify: notify.NewWorkers(), deliver: &webhook.DeliverWorker{}, reminder: &reminder.ScanWorker{}, exports: &report.ExportWorker{}}
	bg.notify.Register(r)
	bg.deliver.Register(r)
	bg.reminder.Register(r)
	bg.exports.Register(r)
	return bg
}

// periodicJobs are the reminder scan and the daily digest; River runs them on
// the elected leader only.
func (bg *background) periodicJobs(cfg config.Config) []*river.PeriodicJob {
	return []*river.PeriodicJob{reminder.PeriodicJob(ReminderInterval), notify.DigestPeriodicJob(DigestHour, cfg.Location)}
}

// wireBackground builds the notification, webhook and reminder services,
// binds the workers to them, makes requests emit webhook events, and builds
// the River UI.
func (a *App) wireBackground(bg *background, cipher *pii.Cipher) error {
	cfg := a.Config
	var sender notify.Sender = notify.LogSender{Log: a.Log}
	if cfg.SMTPAddr != "" {
		sender = notify.SMTPSender{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword}
	}
	a.Notify = notify.NewService(a.DB, a.Jobs, a.Identity, notify.Options{BaseURL: cfg.BaseURL, From: cfg.SMTPFrom, Sender: sender,
		Log: a.Log, Now: a.opts.Now, Location: cfg.Location})
	a.Webhooks = webhook.NewService(webhook.Deps{DB: a.DB, Authz: a.Authz, Tenants: a.Tenants, Jobs: a.Jobs, Notify: a.Notify, Cipher: cipher, Log: a.Log, Now: a.opts.Now},
		webhook.Guard{Allow: cfg.WebhookAllow}, webhook.Options{DisableAfter: cfg.WebhookDisableAfter, RetryBase: cfg.WebhookRetryBase})
	a.Reminders = reminder.NewService(reminder.Deps{DB: a.DB, Authz: a.Authz, Tenants: a.Tenants, Requests: a.Requests, Calendar: a.Calendar,
		Notify: a.Notify, Events: a.Webhooks, Catalog: a.Catalog, Reports: a.Reports, Log: a.Log, Now: a.opts.Now})
	bg.notify.Bind(a.Notify)
	bg.deliver.Service = a.Webhooks
	bg.reminder.Service = a.Reminders
	bg.exports.Service = a.Reports
	a.Reports.SetJobs(a.Jobs)
	a.Requests.SetEvents(a.Webhooks)
	a.Catalog.SetEvents(a.Webhooks)
	a.Reports.SetEvents(a.Webhooks)
	return a.newJobsUI()
}
