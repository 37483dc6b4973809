// Package notify tells people what needs their attention: an in-app inbox
// (the console bell) and an e-mail copy sent through SMTP by a River job,
// immediately or in a daily digest as each person prefers. Notifications are
// written inside the transaction of the change that causes them, and the
// e-mail job is enqueued in that same transaction, so a rolled-back change
// notifies no one and a committed one is never lost.
package notify

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/identity"
	"gongkai/internal/jobs"
)

// The kinds of notification. Preferences are kept per kind.
const (
	// KindDeadline: a disclosure request's reply deadline is near (Art. 33).
	KindDeadline = "request.deadline"
	// KindOverdue: a disclosure request is past its reply deadline (Art. 33).
	KindOverdue = "request.overdue"
	// KindSupplement: the 7-working-day window to ask for a supplement is
	// closing (Art. 30).
	KindSupplement = "request.supplement"
	// KindConsultation: a consulted third party's or agency's answer is due
	// (Art. 32, 34).
	KindConsultation = "request.consultation"
	// KindFee: the applicant's fee payment period is ending (国办函〔2020〕109号).
	KindFee = "request.fee"
	// KindCatalog: a catalog item is near or past its publication date
	// (Art. 26: 20 working days after it was formed or changed).
	KindCatalog = "catalog.publication"
	// KindReport: the annual report is due or late (Art. 49).
	KindReport = "report.annual"
	// KindWebhookDisabled: a webhook endpoint was disabled after repeated
	// delivery failures.
	KindWebhookDisabled = "webhook.disabled"
)

// KindInfo describes a kind of notification for the preferences page.
type KindInfo struct {
	Code  string
	Label string // Chinese label shown in the console
}

// Kinds lists every kind of notification, in the order the console shows
// them.
var Kinds = []KindInfo{
	{KindDeadline, "申请答复期限临近"},
	{KindOverdue, "申请逾期未答复"},
	{KindSupplement, "补正告知期限即将届满"},
	{KindConsultation, "征求意见答复期限"},
	{KindFee, "信息处理费缴纳期限"},
	{KindCatalog, "主动公开信息发布期限"},
	{KindReport, "年度报告公布期限"},
	{KindWebhookDisabled, "Webhook 推送地址被停用"},
}

// KnownKind reports whether code is one of Kinds.
func KnownKind(code string) bool {
	for _, k := range Kinds {
		if k.Code == code {
			return true
		}
	}
	return false
}

// The values of Notification.EmailState.
const (
	EmailNone      = "none"       // no e-mail wanted for this kind
	EmailQueued    = "queued"     // a send_email job is enqueued
	EmailDigest    = "digest"     // waiting for the daily digest
	EmailSent      = "sent"       // accepted by the SMTP server (or logged without one)
	EmailNoAddress = "no_address" // the recipient has no e-mail address
)

// Notification is one entry of a person's inbox.
type Notification struct {
	bun.BaseModel `bun:"table:notifications"`
	TenantID      int64  `bun:",notnull"`
	ID            int64  `bun:",pk,autoincrement"`
	UserID        int64  `bun:",notnull"`
	Kind          string `bun:",notnull"`
	Title         string `bun:",notnull"`
	Body          string `bun:",notnull"`
	// Link is the path of the object in the console, relative to the base
	// URL ("/console/...").
	Link       string     `bun:",notnull"`
	ObjectType string     `bun:",notnull"`
	ObjectID   string     `bun:",notnull"`
	EmailState string     `bun:",notnull"`
	CreatedAt  time.Time  `bun:",notnull"`
	ReadAt     *time.Time `bun:",nullzero"`
	EmailedAt  *time.Time `bun:",nullzero"`
}

// Message is what a service says to one person.
type Message struct {
	TenantID   int64
	UserID     int64
	Kind       string // one of the Kind constants
	Title      string
	Body       string
	Link       string // console path, e.g. "/console/civil-affairs/requests/42"
	ObjectType string
	ObjectID   string
}

// Users finds the people notifications go to (identity.Service).
type Users interface {
	UserByID(ctx context.Context, id int64) (*identity.User, error)
}

// Options configure the service.
type Options struct {
	// BaseURL is the external URL of the service; links in mail are made
	// absolute with it.
	BaseURL string
	// From is the sender address of mail.
	From string
	// Sender sends mail; LogSender when nil.
	Sender Sender
	// Log receives the mail that is not sent (no SMTP server) and failures.
	Log *slog.Logger
	// Now is the clock.
	Now func() time.Time
	// Location is the city's time zone (dates in mail, the digest hour).
	Location *time.Location
}

// Service keeps the inbox and sends the e-mail copies.
type Service struct {
	db    *db.DB
	jobs  *jobs.Client
	users Users
	opts  Options
}

// NewService returns the notification service.
func NewService(d *db.DB, jc *jobs.Client, users Users, o Options) *Service {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Sender == nil {
		o.Sender = LogSender{Log: o.Log}
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	return &Service{db: d, jobs: jc, users: users, opts: o}
}

// Notify puts messages in their recipients' inboxes inside tx, the
// transaction of the change they are about, and enqueues the e-mail copy in
// the same transaction according to each recipient's preference. The caller
// has checked permissions; a notification is not itself an authorized act.
func (s *Service) Notify(ctx context.Context, tx bun.Tx, msgs ...Message) ([]Notification, error) {
	now := s.opts.Now().UTC()
	out := make([]Notification, 0, len(msgs))
	for _, m := range msgs {
		if m.UserID == 0 || m.TenantID == 0 || !KnownKind(m.Kind) || strings.TrimSpace(m.Title) == "" {
			return nil, fault.New(fault.Internal, "notify: incomplete message (tenant %d, user %d, kind %q)", m.TenantID, m.UserID, m.Kind)
		}
		delivery, err := preferenceTx(ctx, tx, m.UserID, m.Kind)
		if err != nil {
			return nil, err
		}
		n := Notification{TenantID: m.TenantID, UserID: m.UserID, Kind: m.Kind, Title: clip(m.Title, 200), Body: clip(m.Body, 4000),
			Link: m.Link, ObjectType: m.ObjectType, ObjectID: m.ObjectID, EmailState: EmailNone, CreatedAt: now}
		switch delivery {
		case DeliveryImmediate:
			n.EmailState = EmailQueued
		case DeliveryDigest:
			n.EmailState = EmailDigest
		}
		if _, err := tx.NewInsert().Model(&n).Returning("id").Exec(ctx); err != nil {
			return nil, db.Translate(err)
		}
		if n.EmailState == EmailQueued {
			if _, err := s.jobs.InsertTx(ctx, tx.Tx, SendEmailArgs{UserID: m.UserID, TenantID: m.TenantID, NotificationIDs: []int64{n.ID}}, nil); err != nil {
				return nil, err
			}
		}
		out = append(out, n)
	}
	return out, nil
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// ListFilter selects inbox entries.
type ListFilter struct {
	UnreadOnly bool
	Limit      int   // default 50, at most 200
	BeforeID   int64 // cursor: entries with a smaller id
}

// Inbox is one page of a person's inbox with the unread count.
type Inbox struct {
	Items  []Notification
	Unread int
}

// owner checks that the actor in ctx may read userID's inbox: only the
// person themselves (an API token acts for the user who created it, within
// its bureau). It returns the bureau a token is limited to (0: every bureau).
func owner(ctx context.Context, userID int64) (int64, error) {
	actor, ok := authz.ActorFrom(ctx)
	if !ok {
		return 0, fault.New(fault.Unauthenticated, "sign in or send an API token")
	}
	if actor.Subject == authz.System.Subject {
		return 0, nil
	}
	if actor.UserID == 0 || actor.UserID != userID {
		return 0, fault.New(fault.Forbidden, "an inbox is read only by its owner")
	}
	if actor.IsToken() {
		return actor.TenantID, nil
	}
	return 0, nil
}

// inboxQuery scopes q to the user's inbox (and a token's bureau).
func inboxQuery(q *bun.SelectQuery, userID, tenantID int64) *bun.SelectQuery {
	q = q.Where("user_id = ?", userID)
	if tenantID != 0 {
		q = q.Where("tenant_id = ?", tenantID)
	}
	return q
}

// List returns a page of userID's inbox, newest first, with the unread
// count. Only the person may read it.
func (s *Service) List(ctx context.Context, userID int64, f ListFilter) (Inbox, error) {
	var in Inbox
	only, err := owner(ctx, userID)
	if err != nil {
		return in, err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 0 || f.Limit > 200 {
		return in, fault.Field("limit", "must be between 1 and 200")
	}
	err = s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		q := inboxQuery(tx.NewSelect().Model(&in.Items), userID, only)
		if f.UnreadOnly {
			q = q.Where("read_at IS NULL")
		}
		if f.BeforeID > 0 {
			q = q.Where("id < ?", f.BeforeID)
		}
		if err := q.Order("id DESC").Limit(int64(f.Limit)).Scan(ctx); err != nil {
			return err
		}
		n, err := inboxQuery(tx.NewSelect().Model((*Notification)(nil)), userID, only).Where("read_at IS NULL").Count(ctx)
		in.Unread = int(n)
		return err
	})
	for i := range in.Items {
		in.Items[i].CreatedAt = in.Items[i].CreatedAt.UTC()
	}
	return in, err
}

// UnreadCount returns the number of unread entries in userID's inbox (the
// console bell).
func (s *Service) UnreadCount(ctx context.Context, userID int64) (int, error) {
	only, err := owner(ctx, userID)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		c, err := inboxQuery(tx.NewSelect().Model((*Notification)(nil)), userID, only).Where("read_at IS NULL").Count(ctx)
		n = int(c)
		return err
	})
	return n, err
}

// MarkRead marks one entry of userID's inbox read; another person's entry is
// not found.
func (s *Service) MarkRead(ctx context.Context, userID, id int64) error {
	only, err := owner(ctx, userID)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Model((*Notification)(nil)).Set("read_at = COALESCE(read_at, ?)", s.opts.Now().UTC()).
			Where("id = ? AND user_id = ?", id, userID)
		if only != 0 {
			q = q.Where("tenant_id = ?", only)
		}
		res, err := q.Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fault.New(fault.NotFound, "notification %d not found", id)
		}
		return nil
	})
}

// MarkAllRead marks every unread entry of userID's inbox read and returns
// how many.
func (s *Service) MarkAllRead(ctx context.Context, userID int64) (int, error) {
	only, err := owner(ctx, userID)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Model((*Notification)(nil)).Set("read_at = ?", s.opts.Now().UTC()).Where("user_id = ? AND read_at IS NULL", userID)
		if only != 0 {
			q = q.Where("tenant_id = ?", only)
		}
		res, err := q.Exec(ctx)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}

// Link returns the absolute URL of a console path.
func (s *Service) Link(path string) string {
	if path == "" {
		return ""
	}
	return s.opts.BaseURL + path
}

// RequestLink is the console path of a disclosure request.
func RequestLink(slug string, id int64) string {
	return "/console/" + slug + "/requests/" + strconv.FormatInt(id, 10)
}

// Workers registers the e-mail workers of s (send_email, notify_digest).
// The service may be set after registration, once the job client exists.
type Workers struct {
	Email  *EmailWorker
	Digest *DigestWorker
}

// NewWorkers returns the workers, to be registered before the job client is
// built and bound to the service with Bind.
func NewWorkers() *Workers { return &Workers{Email: &EmailWorker{}, Digest: &DigestWorker{}} }

// Register adds the workers to the registry.
func (w *Workers) Register(r *jobs.Registry) {
	jobs.Add(r, w.Email)
	jobs.Add(r, w.Digest)
}

// Bind gives the workers their service.
func (w *Workers) Bind(s *Service) { w.Email.Service, w.Digest.Service = s, s }

// DigestPeriodicJob returns the daily digest job: every day at hour:00 in
// loc, run by the elected leader only.
func DigestPeriodicJob(hour int, loc *time.Location) *river.PeriodicJob {
	if loc == nil {
		loc = time.UTC
	}
	return river.NewPeriodicJob(DailyAt(hour, loc), func() (river.JobArgs, *river.InsertOpts) {
		return DigestArgs{}, nil
	}, &river.PeriodicJobOpts{ID: "notify_digest"})
}

// DailyAt is a River schedule firing every day at hour:00 in loc.
func DailyAt(hour int, loc *time.Location) river.PeriodicSchedule { return dailyAt{hour, loc} }

type dailyAt struct {
	hour int
	loc  *time.Location
}

// Next returns the next hour:00 in the zone after t.
func (d dailyAt) Next(t time.Time) time.Time {
	l := t.In(d.loc)
	next := time.Date(l.Year(), l.Month(), l.Day(), d.hour, 0, 0, 0, d.loc)
	if !next.After(t) {
		next = time.Date(l.Year(), l.Month(), l.Day()+1, d.hour, 0, 0, 0, d.loc)
	}
	return next
}
