package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/jobs"
	"gongkai/internal/notify"
)

// SignatureHeader is the header carrying the delivery's signature.
const SignatureHeader = "X-Gongkai-Signature"

// MaxResponseBytes is the most of a receiver's response that is read.
const MaxResponseBytes = 64 << 10

// EmitTx records an event for every active endpoint of the bureau that
// subscribes to kind, and enqueues their deliveries, inside tx — the
// transaction of the change — so an event is delivered if and only if the
// change commits. object is encoded as the event's "object".
func (s *Service) EmitTx(ctx context.Context, tx bun.Tx, tenantID int64, kind string, object any) error {
	var eps []Endpoint
	if err := tx.NewSelect().Model(&eps).Where("tenant_id = ? AND active = ?", tenantID, true).Order("id").Scan(ctx); err != nil {
		return db.Translate(err)
	}
	eps = filter(eps, kind)
	if len(eps) == 0 {
		return nil
	}
	obj, err := json.Marshal(object)
	if err != nil {
		return fault.Wrap(err, fault.Internal, "encode webhook object of %s", kind)
	}
	now := s.now().UTC()
	eventID := NewEventID()
	for _, ep := range eps {
		d := &Delivery{TenantID: tenantID, EndpointID: ep.ID, EventID: eventID, EventType: kind, OccurredAt: now.Truncate(time.Second),
			Object: string(obj), State: StatePending, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(d).Returning("id").Exec(ctx); err != nil {
			return db.Translate(err)
		}
		if _, err := s.jobs.InsertTx(ctx, tx.Tx, DeliverArgs{TenantID: tenantID, DeliveryID: d.ID}, nil); err != nil {
			return err
		}
	}
	return nil
}

func filter(eps []Endpoint, kind string) []Endpoint {
	out := eps[:0]
	for _, ep := range eps {
		if ep.Subscribes(kind) {
			out = append(out, ep)
		}
	}
	return out
}

// Payload is the JSON body of a delivery.
type Payload struct {
	// ID identifies the event; the same for every endpoint and every
	// redelivery of it (receivers deduplicate on it).
	ID string `json:"id"`
	// Type is the event type, e.g. request.registered.
	Type string `json:"type"`
	// Time is when the event happened (UTC, RFC 3339).
	Time time.Time `json:"time"`
	// Tenant is the slug of the bureau.
	Tenant string `json:"tenant"`
	// Object is the object the event is about.
	Object json.RawMessage `json:"object"`
}

// Sign returns the X-Gongkai-Signature value for body sent at t:
// "t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>.<body>")>".
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte("."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify checks a signature header against the raw body, as a receiver
// does: the HMAC must match (constant-time comparison) and the timestamp
// must be within tolerance of now.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts int64
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errors.New("signature: bad timestamp")
			}
			ts = n
		case "v1":
			sigs = append(sigs, v)
		}
	}
	if ts == 0 || len(sigs) == 0 {
		return errors.New("signature: missing t or v1")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return errors.New("signature: timestamp outside the tolerance")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", ts)
	mac.Write(body)
	want := mac.Sum(nil)
	for _, s := range sigs {
		got, err := hex.DecodeString(s)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("signature: no matching v1 signature")
}

// DeliverArgs is the job delivering one delivery.
type DeliverArgs struct {
	TenantID   int64 `json:"tenant_id"`
	DeliveryID int64 `json:"delivery_id"`
}

// Kind names the job.
func (DeliverArgs) Kind() string { return "webhook_deliver" }

// InsertOpts sets the number of attempts (MaxAttempts).
func (DeliverArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: MaxAttempts} }

// DeliverWorker works webhook_deliver jobs with the service's backoff.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	Service *Service
}

// Register adds the worker to the registry; set Service before jobs run.
func (w *DeliverWorker) Register(r *jobs.Registry) { jobs.Add(r, w) }

// Work makes one attempt. A failure returns an error so River retries at
// NextRetry; a disabled or deleted endpoint ends the job.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	return w.Service.Deliver(ctx, job.Args.TenantID, job.Args.DeliveryID, job.Attempt >= job.MaxAttempts)
}

// NextRetry is exponential backoff: RetryBase doubled per attempt, capped
// at RetryMax, with ±10 % jitter.
func (w *DeliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	return time.Now().Add(w.Service.Backoff(job.Attempt))
}

// Timeout bounds one attempt (the HTTP client has its own, shorter one).
func (w *DeliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration {
	return w.Service.opts.Timeout + 15*time.Second
}

// Backoff returns the delay after the attempt-th failed attempt.
func (s *Service) Backoff(attempt int) time.Duration {
	d := s.opts.RetryBase
	for i := 1; i < attempt && d < s.opts.RetryMax; i++ {
		d *= 2
	}
	d = min(d, s.opts.RetryMax)
	jitter := time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	return d + jitter
}

// errGone ends a job whose delivery or endpoint no longer exists.
var errGone = errors.New("gone")

// Deliver makes one delivery attempt and records it. It returns nil when
// the receiver answered 2xx (or nothing is left to deliver), a
// river.JobCancel error when the endpoint is disabled, and otherwise an
// error describing the failure (River retries). final marks the last
// attempt: the delivery is then marked failed.
func (s *Service) Deliver(ctx context.Context, tenantID, deliveryID int64, final bool) error {
	var d Delivery
	var ep *Endpoint
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&d).Where("tenant_id = ? AND id = ?", tenantID, deliveryID).Scan(ctx); err != nil {
			if errors.Is(err, db.ErrNoRows) {
				return errGone
			}
			return err
		}
		var err error
		if ep, err = getEndpoint(ctx, tx, tenantID, d.EndpointID); err != nil {
			if fault.Is(err, fault.NotFound) {
				return errGone
			}
			return err
		}
		if d.State == StateDelivered {
			return errGone
		}
		if !ep.Active {
			_, err := tx.NewUpdate().Model(&d).Set("state = ?", StateCancelled).Set("updated_at = ?", s.now().UTC()).
				Where("tenant_id = ? AND id = ?", tenantID, d.ID).Exec(ctx)
			if err == nil {
				err = river.JobCancel(fmt.Errorf("endpoint %d is disabled", ep.ID))
			}
			return err
		}
		return nil
	})
	if errors.Is(err, errGone) {
		return nil
	}
	if err != nil {
		return err
	}
	t, err := s.tenants.ByID(ctx, tenantID)
	if err != nil {
		return err
	}
	secret, err := s.cipher.Open(ep.Secret)
	if err != nil {
		return fault.Wrap(err, fault.Internal, "cannot open the secret of webhook endpoint %d", ep.ID)
	}
	body, err := json.Marshal(Payload{ID: d.EventID, Type: d.EventType, Time: d.OccurredAt.UTC(), Tenant: t.Slug, Object: json.RawMessage(d.Object)})
	if err != nil {
		return fault.Wrap(err, fault.Internal, "encode webhook payload")
	}
	res := s.post(ctx, ep.URL, secret, d, body)

	var admins []int64
	if !res.ok() {
		if admins, err = s.bureauAdmins(ctx, tenantID); err != nil {
			return err
		}
	}
	disabled := false
	now := s.now().UTC()
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		a := &Attempt{TenantID: tenantID, DeliveryID: d.ID, Attempt: d.Attempts + 1, StatusCode: res.status, Error: res.errText(),
			Response: res.snippet, DurationMS: int(res.took.Milliseconds()), At: now}
		if _, err := tx.NewInsert().Model(a).Returning("id").Exec(ctx); err != nil {
			return err
		}
		if res.ok() {
			if _, err := tx.NewUpdate().Model((*Endpoint)(nil)).Set("failures = 0").Where("tenant_id = ? AND id = ?", tenantID, ep.ID).Exec(ctx); err != nil {
				return err
			}
		} else {
			var failures int
			if err := tx.NewUpdate().Model((*Endpoint)(nil)).Set("failures = failures + 1").Where("tenant_id = ? AND id = ?", tenantID, ep.ID).
				Returning("failures").Scan(ctx, &failures); err != nil {
				return err
			}
			if failures >= s.opts.DisableAfter {
				disabled = true
				if err := s.disableTx(ctx, tx, t.Slug, ep, failures, res.errText(), admins, now); err != nil {
					return err
				}
			}
		}
		d.Attempts, d.LastStatus, d.LastError, d.UpdatedAt = a.Attempt, a.StatusCode, a.Error, now
		switch {
		case res.ok():
			d.State, d.DeliveredAt = StateDelivered, &now
		case final || disabled:
			d.State = StateFailed
		default:
			d.State = StateRetrying
		}
		_, err := tx.NewUpdate().Model(&d).Column("state", "attempts", "last_status", "last_error", "updated_at", "delivered_at").
			Where("tenant_id = ? AND id = ?", tenantID, d.ID).Exec(ctx)
		return err
	})
	if err != nil {
		return err
	}
	switch {
	case res.ok():
		return nil
	case disabled:
		return river.JobCancel(fmt.Errorf("endpoint %d disabled after %d consecutive failures: %s", ep.ID, s.opts.DisableAfter, res.errText()))
	default:
		return fmt.Errorf("webhook delivery %d to %s: %s", d.ID, ep.URL, res.errText())
	}
}

// disableTx disables the endpoint and tells the bureau admins, inside tx.
func (s *Service) disableTx(ctx context.Context, tx bun.Tx, slug string, ep *Endpoint, failures int, lastErr string, admins []int64, now time.Time) error {
	reason := fmt.Sprintf("%d consecutive failed deliveries; last: %s", failures, lastErr)
	res, err := tx.NewUpdate().Model((*Endpoint)(nil)).Set("active = ?", false).Set("disabled_at = ?", now).Set("disabled_reason = ?", clipText(reason, 500)).
		Set("updated_at = ?", now).Where("tenant_id = ? AND id = ? AND active = ?", ep.TenantID, ep.ID, true).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // already disabled by a concurrent attempt
	}
	if err := audit.Record(authz.WithActor(ctx, authz.System), tx, now, audit.Entry{TenantID: ep.TenantID, Action: "webhook.disabled", ObjectType: "webhook",
		ObjectID: itoa(ep.ID), Changes: map[string]any{"url": ep.URL, "reason": reason}}); err != nil {
		return err
	}
	if s.notify == nil || len(admins) == 0 {
		s.log.WarnContext(ctx, "webhook endpoint disabled; no bureau admin to notify", "tenant_id", ep.TenantID, "endpoint", ep.ID, "url", ep.URL)
		return nil
	}
	msgs := make([]notify.Message, 0, len(admins))
	for _, uid := range admins {
		msgs = append(msgs, notify.Message{TenantID: ep.TenantID, UserID: uid, Kind: notify.KindWebhookDisabled,
			Title: "Webhook 推送地址已被停用：" + clipText(ep.URL, 80),
			Body: fmt.Sprintf("推送地址 %s 连续 %d 次推送失败，已自动停用，之后的事件不再推送。最近一次错误：%s。请检查接收方后在“设置 > Webhook”中重新启用，并可对失败的推送重新投递。",
				ep.URL, failures, lastErr),
			Link: "/console/" + slug + "/settings/webhooks", ObjectType: "webhook", ObjectID: itoa(ep.ID)})
	}
	_, err = s.notify.Notify(ctx, tx, msgs...)
	return err
}

// bureauAdmins returns the user ids of the bureau's admins (read outside a
// transaction).
func (s *Service) bureauAdmins(ctx context.Context, tenantID int64) ([]int64, error) {
	ms, err := s.authz.MembersOf(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, m := range ms {
		id, ok := userID(m.Subject)
		if ok && contains(m.Roles, authz.BureauAdmin) {
			out = append(out, id)
		}
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func userID(subject string) (int64, bool) {
	rest, ok := strings.CutPrefix(subject, "user:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil
}

// result is the outcome of one POST.
type result struct {
	status  int
	err     error
	snippet string
	took    time.Duration
}

func (r result) ok() bool { return r.err == nil && r.status >= 200 && r.status < 300 }

func (r result) errText() string {
	switch {
	case r.err != nil:
		return clipText(r.err.Error(), 500)
	case !r.ok():
		return "HTTP " + strconv.Itoa(r.status)
	}
	return ""
}

// post sends the signed body.
func (s *Service) post(ctx context.Context, url, secret string, d Delivery, body []byte) result {
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return result{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Gongkai-Webhook/1")
	req.Header.Set("X-Gongkai-Event", d.EventType)
	req.Header.Set("X-Gongkai-Event-Id", d.EventID)
	req.Header.Set("X-Gongkai-Delivery", itoa(d.ID))
	req.Header.Set(SignatureHeader, Sign(secret, s.now(), body))
	resp, err := s.guard.Client(s.opts.Timeout).Do(req)
	if err != nil {
		return result{err: explain(err), took: time.Since(start)}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes))
	snippet := b
	if len(snippet) > 512 {
		snippet = snippet[:512]
	}
	return result{status: resp.StatusCode, snippet: strings.ToValidUTF8(string(snippet), "�"), took: time.Since(start)}
}

// explain turns a client error into a clear message (a refused address
// names the address and the rule).
func explain(err error) error {
	var be *BlockedError
	if errors.As(err, &be) {
		return fmt.Errorf("refused: %w", be)
	}
	if errors.Is(err, errRedirect) {
		return errRedirect
	}
	return err
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
