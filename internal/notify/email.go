package notify

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"
	gomail "github.com/wneessen/go-mail"

	"gongkai/internal/db"
	"gongkai/internal/fault"
)

// Mail is one e-mail to one person.
type Mail struct {
	To      string
	ToName  string
	Subject string
	Body    string // plain text, UTF-8
}

// Sender delivers mail.
type Sender interface {
	Send(ctx context.Context, m Mail) error
}

// SMTPSender sends mail through an SMTP server (go-mail): STARTTLS when the
// server offers it, authentication when a user name is set.
type SMTPSender struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
}

// Send delivers m through the server.
func (s SMTPSender) Send(ctx context.Context, m Mail) error {
	host, portStr, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fault.Wrap(err, fault.Invalid, "smtp-addr %q is not host:port", s.Addr)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return fault.Wrap(err, fault.Invalid, "smtp-addr %q has no port number", s.Addr)
	}
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTLSPolicy(gomail.TLSOpportunistic), gomail.WithTimeout(30 * time.Second)}
	if s.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	c, err := gomail.NewClient(host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	msg := gomail.NewMsg()
	if err := msg.FromFormat("政府信息公开", s.From); err != nil {
		return fault.Wrap(err, fault.Invalid, "smtp-from %q is not an address", s.From)
	}
	if err := msg.AddToFormat(m.ToName, m.To); err != nil {
		return fault.Wrap(err, fault.Invalid, "recipient %q is not an address", m.To)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	msg.SetDate()
	msg.SetMessageID()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send mail to %s via %s: %w", m.To, s.Addr, err)
	}
	return nil
}

// LogSender writes mail to the log instead of sending it: with no SMTP
// server configured, mail is visible to the operator, not lost silently.
type LogSender struct{ Log *slog.Logger }

// Send logs m.
func (l LogSender) Send(ctx context.Context, m Mail) error {
	l.Log.InfoContext(ctx, "mail not sent: no SMTP server configured (set smtp-addr); the mail follows",
		"to", m.To, "subject", m.Subject, "body", m.Body)
	return nil
}

// mailView is the data of the mail templates.
type mailView struct {
	Name      string
	Items     []mailItem
	Date      string
	PrefsLink string
}

type mailItem struct {
	Title string
	Body  string
	Link  string
	At    string
}

// The mail templates (Chinese). Subjects are one line.
var (
	singleSubject = template.Must(template.New("single_subject").Parse(`【政府信息公开】{{(index .Items 0).Title}}`))
	singleBody    = template.Must(template.New("single_body").Parse(`{{.Name}}，您好：

{{with index .Items 0}}{{.Title}}

{{.Body}}
{{if .Link}}
查看详情：{{.Link}}
{{end}}{{end}}
——
本邮件由政府信息公开管理系统自动发送，请勿直接回复。
如需改为每日汇总或不再接收此类邮件，请修改通知设置：{{.PrefsLink}}
`))
	digestSubject = template.Must(template.New("digest_subject").Parse(`【政府信息公开】每日提醒汇总（{{.Date}}，共 {{len .Items}} 条）`))
	digestBody    = template.Must(template.New("digest_body").Funcs(template.FuncMap{"inc": func(i int) int { return i + 1 }}).Parse(`{{.Name}}，您好：

以下是您 {{.Date}} 的待办提醒，共 {{len .Items}} 条：
{{range $i, $it := .Items}}
{{$i | inc}}. {{$it.Title}}（{{$it.At}}）
   {{$it.Body}}{{if $it.Link}}
   查看详情：{{$it.Link}}{{end}}
{{end}}
——
本邮件由政府信息公开管理系统自动发送，请勿直接回复。
通知设置：{{.PrefsLink}}
`))
)

func render(t *template.Template, v mailView) (string, error) {
	var b strings.Builder
	if err := t.Execute(&b, v); err != nil {
		return "", fault.Wrap(err, fault.Internal, "render mail template %s", t.Name())
	}
	return b.String(), nil
}

// SendEmailArgs is the job that mails notifications to one person: one
// notification, or a digest of several.
type SendEmailArgs struct {
	UserID          int64   `json:"user_id"`
	TenantID        int64   `json:"tenant_id,omitempty"` // 0 for a digest across bureaus
	NotificationIDs []int64 `json:"notification_ids"`
	Digest          bool    `json:"digest,omitempty"`
}

// Kind names the job.
func (SendEmailArgs) Kind() string { return "send_email" }

// InsertOpts retries a failed send for about a day (River's backoff).
func (SendEmailArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 12} }

// EmailWorker works send_email jobs.
type EmailWorker struct {
	river.WorkerDefaults[SendEmailArgs]
	Service *Service
}

// Work sends the mail. Notifications already sent are skipped, so a retried
// job does not send them again; a crash between the SMTP server accepting
// the mail and the notifications being marked sent can resend it (at least
// once).
func (w *EmailWorker) Work(ctx context.Context, job *river.Job[SendEmailArgs]) error {
	return w.Service.sendEmail(ctx, job.Args)
}

// Timeout bounds one send.
func (w *EmailWorker) Timeout(*river.Job[SendEmailArgs]) time.Duration { return time.Minute }

func (s *Service) sendEmail(ctx context.Context, a SendEmailArgs) error {
	if len(a.NotificationIDs) == 0 {
		return nil
	}
	var ns []Notification
	err := s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&ns).Where("user_id = ? AND id IN (?) AND email_state = ?", a.UserID, bun.List(a.NotificationIDs), EmailQueued).Order("id").Scan(ctx)
	})
	if err != nil {
		return err
	}
	if len(ns) == 0 {
		return nil // already sent by an earlier run
	}
	ids := make([]int64, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	u, err := s.users.UserByID(ctx, a.UserID)
	if err != nil && !fault.Is(err, fault.NotFound) {
		return err
	}
	if u == nil || u.Email == "" || u.DisabledAt != nil {
		s.opts.Log.InfoContext(ctx, "mail not sent: the recipient has no e-mail address or is disabled", "user_id", a.UserID, "notifications", ids)
		return s.markEmail(ctx, a.UserID, ids, EmailNoAddress)
	}
	now := s.opts.Now()
	v := mailView{Name: u.DisplayName, Date: now.In(s.opts.Location).Format("2006-01-02"), PrefsLink: s.Link("/console/notifications/settings")}
	for _, n := range ns {
		v.Items = append(v.Items, mailItem{Title: n.Title, Body: n.Body, Link: s.Link(n.Link), At: n.CreatedAt.In(s.opts.Location).Format("01-02 15:04")})
	}
	subjectT, bodyT := singleSubject, singleBody
	if a.Digest || len(ns) > 1 {
		subjectT, bodyT = digestSubject, digestBody
	}
	subject, err := render(subjectT, v)
	if err != nil {
		return err
	}
	body, err := render(bodyT, v)
	if err != nil {
		return err
	}
	if err := s.opts.Sender.Send(ctx, Mail{To: u.Email, ToName: u.DisplayName, Subject: subject, Body: body}); err != nil {
		return err
	}
	return s.markEmail(ctx, a.UserID, ids, EmailSent)
}

func (s *Service) markEmail(ctx context.Context, userID int64, ids []int64, state string) error {
	now := s.opts.Now().UTC()
	return s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*Notification)(nil)).Set("email_state = ?", state).Set("emailed_at = ?", now).
			Where("user_id = ? AND id IN (?)", userID, bun.List(ids)).Exec(ctx)
		return err
	})
}

// DigestArgs is the daily job that mails each person their digest.
type DigestArgs struct{}

// Kind names the job.
func (DigestArgs) Kind() string { return "notify_digest" }

// DigestWorker works notify_digest jobs.
type DigestWorker struct {
	river.WorkerDefaults[DigestArgs]
	Service *Service
}

// Work enqueues the digests.
func (w *DigestWorker) Work(ctx context.Context, _ *river.Job[DigestArgs]) error {
	_, err := w.Service.SendDigests(ctx)
	return err
}

// SendDigests enqueues one digest mail per person with notifications
// waiting for the digest, and returns how many. The notifications move to
// "queued" in the same transaction, so a second run enqueues nothing twice.
func (s *Service) SendDigests(ctx context.Context) (int, error) {
	count := 0
	err := s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		var ns []Notification
		if err := tx.NewSelect().Model(&ns).Column("user_id", "id").Where("email_state = ?", EmailDigest).Order("user_id", "id").Scan(ctx); err != nil {
			return err
		}
		for i := 0; i < len(ns); {
			j := i
			var ids []int64
			for ; j < len(ns) && ns[j].UserID == ns[i].UserID; j++ {
				ids = append(ids, ns[j].ID)
			}
			if _, err := tx.NewUpdate().Model((*Notification)(nil)).Set("email_state = ?", EmailQueued).
				Where("user_id = ? AND id IN (?)", ns[i].UserID, bun.List(ids)).Exec(ctx); err != nil {
				return err
			}
			if _, err := s.jobs.InsertTx(ctx, tx.Tx, SendEmailArgs{UserID: ns[i].UserID, NotificationIDs: ids, Digest: true}, nil); err != nil {
				return err
			}
			count++
			i = j
		}
		return nil
	})
	return count, err
}
