// Package webhook tells integrators about changes without polling: per-bureau
// endpoints subscribe to event types; each event is written as a delivery
// and enqueued as a River job in the transaction of the change, POSTed as
// signed JSON, retried with exponential backoff for about a day, logged
// attempt by attempt, and can be redelivered by hand. An endpoint that keeps
// failing is disabled and its bureau admins are notified. Deliveries reach
// public addresses only (see Guard).
//
// # Signature
//
// Every delivery carries
//
//	X-Gongkai-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// where secret is the endpoint's secret (shown once, at creation) and body
// is the exact request body. Receivers recompute the HMAC over the raw body,
// compare in constant time, and reject timestamps older than a few minutes
// (see Verify and docs/webhooks.md).
package webhook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/jobs"
	"gongkai/internal/notify"
	"gongkai/internal/pii"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/tenant"
)

// EventTypes lists the event types an endpoint may subscribe to.
var EventTypes = []string{request.EventRegistered, request.EventReplied, request.EventOverdue,
	catalog.EventPublished, catalog.EventWithdrawn, report.EventSubmitted, report.EventPublished}

// Endpoint is a bureau's webhook receiver.
type Endpoint struct {
	bun.BaseModel `bun:"table:webhook_endpoints"`
	TenantID      int64  `bun:",notnull"`
	ID            int64  `bun:",pk,autoincrement"`
	URL           string `bun:"url,notnull"`
	Description   string `bun:",notnull"`
	// Secret is sealed with the PII key.
	Secret         string     `bun:",notnull"`
	Events         string     `bun:",notnull"` // comma-separated
	Active         bool       `bun:",notnull"`
	Failures       int        `bun:",notnull"` // consecutive failed attempts
	DisabledAt     *time.Time `bun:",nullzero"`
	DisabledReason string     `bun:",notnull"`
	CreatedBy      string     `bun:",notnull"`
	CreatedAt      time.Time  `bun:",notnull"`
	UpdatedAt      time.Time  `bun:",notnull"`
}

// EventList returns the subscribed event types.
func (e *Endpoint) EventList() []string {
	if e.Events == "" {
		return []string{}
	}
	return strings.Split(e.Events, ",")
}

// Subscribes reports whether the endpoint wants events of the type.
func (e *Endpoint) Subscribes(kind string) bool { return slices.Contains(e.EventList(), kind) }

// Delivery states.
const (
	StatePending   = "pending"   // enqueued, not yet attempted
	StateRetrying  = "retrying"  // failed, another attempt is scheduled
	StateDelivered = "delivered" // the receiver answered 2xx
	StateFailed    = "failed"    // every attempt failed
	StateCancelled = "cancelled" // the endpoint was disabled before delivery
)

// Delivery is one event for one endpoint.
type Delivery struct {
	bun.BaseModel `bun:"table:webhook_deliveries"`
	TenantID      int64     `bun:",notnull"`
	ID            int64     `bun:",pk,autoincrement"`
	EndpointID    int64     `bun:",notnull"`
	EventID       string    `bun:",notnull"`
	EventType     string    `bun:",notnull"`
	OccurredAt    time.Time `bun:",notnull"`
	// Object is the JSON of the event's object.
	Object      string     `bun:",notnull"`
	State       string     `bun:",notnull"`
	Attempts    int        `bun:",notnull"`
	LastStatus  int        `bun:",notnull"`
	LastError   string     `bun:",notnull"`
	CreatedAt   time.Time  `bun:",notnull"`
	UpdatedAt   time.Time  `bun:",notnull"`
	DeliveredAt *time.Time `bun:",nullzero"`

	// Log is the delivery's attempts, oldest first (filled by Deliveries).
	Log []Attempt `bun:"-"`
}

// Attempt is one entry of the delivery log.
type Attempt struct {
	bun.BaseModel `bun:"table:webhook_attempts"`
	TenantID      int64 `bun:",notnull"`
	ID            int64 `bun:",pk,autoincrement"`
	DeliveryID    int64 `bun:",notnull"`
	Attempt       int   `bun:",notnull"`
	// StatusCode is the receiver's HTTP status; 0 when there was no
	// response (refused address, time-out, connection error, redirect).
	StatusCode int    `bun:",notnull"`
	Error      string `bun:",notnull"`
	// Response is the start of the response body (at most 512 bytes).
	Response   string    `bun:",notnull"`
	DurationMS int       `bun:"duration_ms,notnull"`
	At         time.Time `bun:",notnull"`
}

// Options configure delivery.
type Options struct {
	// DisableAfter is the number of consecutive failed attempts after which
	// an endpoint is disabled (default 20).
	DisableAfter int
	// RetryBase is the delay before the first retry; it doubles with every
	// attempt up to RetryMax (defaults 30 s and 5 h: 13 retries span about
	// 24 hours).
	RetryBase time.Duration
	// RetryMax caps the delay between attempts.
	RetryMax time.Duration
	// Timeout bounds one attempt (default 15 s).
	Timeout time.Duration
}

// MaxAttempts is the number of delivery attempts of one event (the first
// and 13 retries, about 24 hours with the default backoff).
const MaxAttempts = 14

// Service manages endpoints and delivers events.
type Service struct {
	db      *db.DB
	authz   *authz.Authorizer
	tenants *tenant.Service
	jobs    *jobs.Client
	notify  *notify.Service
	cipher  *pii.Cipher
	guard   Guard
	opts    Options
	log     *slog.Logger
	now     func() time.Time
}

// Deps are the services the webhook service uses.
type Deps struct {
	DB      *db.DB
	Authz   *authz.Authorizer
	Tenants *tenant.Service
	Jobs    *jobs.Client
	Notify  *notify.Service
	Cipher  *pii.Cipher // seals endpoint secrets at rest
	Log     *slog.Logger
	Now     func() time.Time
}

// NewService returns the webhook service; guard decides which addresses
// may be reached.
func NewService(d Deps, guard Guard, o Options) *Service {
	if o.DisableAfter <= 0 {
		o.DisableAfter = 20
	}
	if o.RetryBase <= 0 {
		o.RetryBase = 30 * time.Second
	}
	if o.RetryMax <= 0 {
		o.RetryMax = 5 * time.Hour
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{db: d.DB, authz: d.Authz, tenants: d.Tenants, jobs: d.Jobs, notify: d.Notify, cipher: d.Cipher,
		guard: guard, opts: o, log: d.Log, now: d.Now}
}

// NewEndpoint is what a bureau admin registers.
type NewEndpoint struct {
	URL         string
	Events      []string
	Description string
}

func checkEvents(events []string) ([]string, error) {
	if len(events) == 0 {
		return nil, fault.Field("events", "subscribe to at least one of %s", strings.Join(EventTypes, ", "))
	}
	var out []string
	for _, e := range events {
		if !slices.Contains(EventTypes, e) {
			return nil, fault.Field("events", "unknown event type %q: use %s", e, strings.Join(EventTypes, ", "))
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + hex.EncodeToString(b)
}

// NewEventID returns a random event id ("evt_" and 32 hex digits).
func NewEventID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "evt_" + hex.EncodeToString(b)
}

// Create registers an endpoint and returns it with its signing secret,
// which is shown only here. The URL must be http(s) and must not point at a
// loopback, private, link-local or otherwise non-public address (unless
// allowed by configuration).
func (s *Service) Create(ctx context.Context, tenantID int64, in NewEndpoint) (*Endpoint, string, error) {
	if err := s.authz.Require(ctx, tenantID, "webhooks", "manage"); err != nil {
		return nil, "", err
	}
	u, err := s.guard.CheckURL(ctx, in.URL)
	if err != nil {
		return nil, "", err
	}
	events, err := checkEvents(in.Events)
	if err != nil {
		return nil, "", err
	}
	secret := newSecret()
	actor, _ := authz.ActorFrom(ctx)
	now := s.now().UTC()
	ep := &Endpoint{TenantID: tenantID, URL: u.String(), Description: strings.TrimSpace(in.Description), Secret: s.cipher.Seal(secret),
		Events: strings.Join(events, ","), Active: true, CreatedBy: actor.Subject, CreatedAt: now, UpdatedAt: now}
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(ep).Returning("id").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "webhook.created", ObjectType: "webhook", ObjectID: itoa(ep.ID),
			Changes: map[string]any{"url": ep.URL, "events": events}})
	})
	if err != nil {
		return nil, "", err
	}
	return ep, secret, nil
}

// List returns the bureau's endpoints.
func (s *Service) List(ctx context.Context, tenantID int64) ([]Endpoint, error) {
	if err := s.authz.Require(ctx, tenantID, "webhooks", "read"); err != nil {
		return nil, err
	}
	var eps []Endpoint
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&eps).Where("tenant_id = ?", tenantID).Order("id").Scan(ctx)
	})
	return eps, err
}

func getEndpoint(ctx context.Context, tx bun.IDB, tenantID, id int64) (*Endpoint, error) {
	var ep Endpoint
	if err := tx.NewSelect().Model(&ep).Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx); err != nil {
		return nil, db.NotFound(err, "webhook endpoint")
	}
	return &ep, nil
}

// Patch changes an endpoint; nil fields stay as they are.
type Patch struct {
	URL         *string
	Events      []string
	Description *string
	// Active re-enables (true) or pauses (false) the endpoint; re-enabling
	// clears the failure count.
	Active *bool
}

// Update changes an endpoint.
func (s *Service) Update(ctx context.Context, tenantID, id int64, p Patch) (*Endpoint, error) {
	if err := s.authz.Require(ctx, tenantID, "webhooks", "manage"); err != nil {
		return nil, err
	}
	var newURL string
	if p.URL != nil {
		u, err := s.guard.CheckURL(ctx, *p.URL)
		if err != nil {
			return nil, err
		}
		newURL = u.String()
	}
	var events []string
	if p.Events != nil {
		var err error
		if events, err = checkEvents(p.Events); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC()
	var ep *Endpoint
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		var err error
		if ep, err = getEndpoint(ctx, tx, tenantID, id); err != nil {
			return err
		}
		changes := map[string]any{}
		if newURL != "" {
			ep.URL, changes["url"] = newURL, newURL
		}
		if events != nil {
			ep.Events, changes["events"] = strings.Join(events, ","), events
		}
		if p.Description != nil {
			ep.Description = strings.TrimSpace(*p.Description)
		}
		if p.Active != nil {
			ep.Active, changes["active"] = *p.Active, *p.Active
			if *p.Active {
				ep.Failures, ep.DisabledAt, ep.DisabledReason = 0, nil, ""
			}
		}
		ep.UpdatedAt = now
		if _, err := tx.NewUpdate().Model(ep).Column("url", "events", "description", "active", "failures", "disabled_at", "disabled_reason", "updated_at").
			Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "webhook.updated", ObjectType: "webhook", ObjectID: itoa(id), Changes: changes})
	})
	return ep, err
}

// Delete removes an endpoint with its deliveries and their log; deliveries
// still queued are dropped.
func (s *Service) Delete(ctx context.Context, tenantID, id int64) error {
	if err := s.authz.Require(ctx, tenantID, "webhooks", "manage"); err != nil {
		return err
	}
	now := s.now().UTC()
	return s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		ep, err := getEndpoint(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		sub := tx.NewSelect().Model((*Delivery)(nil)).Column("id").Where("tenant_id = ? AND endpoint_id = ?", tenantID, id)
		if _, err := tx.NewDelete().Model((*Attempt)(nil)).Where("tenant_id = ? AND delivery_id IN (?)", tenantID, sub).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Delivery)(nil)).Where("tenant_id = ? AND endpoint_id = ?", tenantID, id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Endpoint)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "webhook.deleted", ObjectType: "webhook", ObjectID: itoa(id),
			Changes: map[string]any{"url": ep.URL}})
	})
}

// Deliveries returns the newest deliveries of an endpoint (at most limit,
// default 50) with their attempt logs.
func (s *Service) Deliveries(ctx context.Context, tenantID, endpointID int64, limit int) ([]Delivery, error) {
	if err := s.authz.Require(ctx, tenantID, "webhooks", "read"); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 50
	}
	if limit > 500 {
		return nil, fault.Field("limit", "must be between 1 and 500")
	}
	var ds []Delivery
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := getEndpoint(ctx, tx, tenantID, endpointID); err != nil {
			return err
		}
		if err := tx.NewSelect().Model(&ds).Where("tenant_id = ? AND endpoint_id = ?", tenantID, endpointID).Order("id DESC").Limit(int64(limit)).Scan(ctx); err != nil {
			return err
		}
		if len(ds) == 0 {
			return nil
		}
		ids := make([]int64, len(ds))
		for i := range ds {
			ids[i] = ds[i].ID
		}
		var log []Attempt
		if err := tx.NewSelect().Model(&log).Where("tenant_id = ? AND delivery_id IN (?)", tenantID, bun.List(ids)).Order("id").Scan(ctx); err != nil {
			return err
		}
		byID := map[int64]int{}
		for i := range ds {
			byID[ds[i].ID] = i
		}
		for _, a := range log {
			a.At = a.At.UTC()
			d := &ds[byID[a.DeliveryID]]
			d.Log = append(d.Log, a)
		}
		return nil
	})
	return ds, err
}

// Redeliver sends a delivery again (same event id and body, a new
// signature), whatever its state. The endpoint must be active.
func (s *Service) Redeliver(ctx context.Context, tenantID, endpointID, deliveryID int64) (*Delivery, error) {
	if err := s.authz.Require(ctx, tenantID, "webhooks", "manage"); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	var d Delivery
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		ep, err := getEndpoint(ctx, tx, tenantID, endpointID)
		if err != nil {
			return err
		}
		if !ep.Active {
			return fault.New(fault.Conflict, "the endpoint is disabled (%s); enable it before redelivering", orDash(ep.DisabledReason))
		}
		if err := tx.NewSelect().Model(&d).Where("tenant_id = ? AND endpoint_id = ? AND id = ?", tenantID, endpointID, deliveryID).Scan(ctx); err != nil {
			return db.NotFound(err, "webhook delivery")
		}
		d.State, d.UpdatedAt = StatePending, now
		if _, err := tx.NewUpdate().Model(&d).Column("state", "updated_at").Where("tenant_id = ? AND id = ?", tenantID, d.ID).Exec(ctx); err != nil {
			return err
		}
		if _, err := s.jobs.InsertTx(ctx, tx.Tx, DeliverArgs{TenantID: tenantID, DeliveryID: d.ID}, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "webhook.redelivered", ObjectType: "webhook", ObjectID: itoa(endpointID),
			Changes: map[string]any{"delivery": d.ID, "event_id": d.EventID}})
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func orDash(s string) string {
	if s == "" {
		return "paused"
	}
	return s
}
