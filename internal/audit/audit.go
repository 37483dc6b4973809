// Package audit keeps the audit trail: every state change, sign-in, role
// change, token change and refused authorization, written in the same
// transaction as the change it records. The table is append-only.
package audit

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
)

// Event is one audit record.
type Event struct {
	bun.BaseModel `bun:"table:audit_events"`
	TenantID      int64     `bun:",notnull" json:"tenant_id"`
	ID            int64     `bun:",pk,autoincrement" json:"id"`
	At            time.Time `bun:",notnull" json:"at"`
	Actor         string    `bun:",notnull" json:"actor"`
	ActorName     string    `bun:",notnull" json:"actor_name"`
	Action        string    `bun:",notnull" json:"action"`
	ObjectType    string    `bun:",notnull" json:"object_type"`
	ObjectID      string    `bun:",notnull" json:"object_id"`
	Summary       string    `bun:",notnull" json:"summary"`
	RequestID     string    `bun:",notnull" json:"request_id"`
	IP            string    `bun:",notnull" json:"ip"`
}

// Entry is what a service says about a change; who, when, the request ID
// and the client address come from the context.
type Entry struct {
	TenantID   int64  // 0 for platform-level events
	Action     string // e.g. "member.roles_set", "token.created", "auth.login"
	ObjectType string
	ObjectID   string
	// Changes summarises what changed; encoded as JSON.
	Changes any
}

// Record writes e inside tx, the transaction of the change it records.
func Record(ctx context.Context, tx bun.IDB, now time.Time, e Entry) error {
	actor, ok := authz.ActorFrom(ctx)
	if !ok {
		actor = authz.System
	}
	summary := ""
	if e.Changes != nil {
		b, err := json.Marshal(e.Changes)
		if err != nil {
			return fault.Wrap(err, fault.Internal, "encode audit summary")
		}
		summary = string(b)
	}
	ev := &Event{TenantID: e.TenantID, At: now.UTC(), Actor: actor.Subject, ActorName: actor.Name, Action: e.Action,
		ObjectType: e.ObjectType, ObjectID: e.ObjectID, Summary: summary, RequestID: actor.RequestID, IP: actor.IP}
	_, err := tx.NewInsert().Model(ev).Exec(ctx)
	return db.Translate(err)
}

// Service reads the audit trail and records events that have no other
// transaction (sign-in failures, refused authorization).
type Service struct {
	db    *db.DB
	authz *authz.Authorizer
	now   func() time.Time
}

// NewService returns the audit service.
func NewService(d *db.DB, az *authz.Authorizer, now func() time.Time) *Service {
	return &Service{db: d, authz: az, now: now}
}

// RecordAlone writes e in a transaction of its own.
func (s *Service) RecordAlone(ctx context.Context, e Entry) error {
	scope := db.Tenant(e.TenantID)
	if e.TenantID == 0 {
		scope = db.AllTenants
	}
	return s.db.InTx(ctx, scope, func(ctx context.Context, tx bun.Tx) error {
		return Record(ctx, tx, s.now(), e)
	})
}

// Filter selects audit events. TenantID 0 means every bureau (overseer and
// platform admin only).
type Filter struct {
	TenantID int64
	Actor    string
	Action   string
	From, To time.Time // zero means open
	Limit    int       // at most 500; default 100
	BeforeID int64     // cursor: events with a smaller id
}

// List returns events matching f, newest first.
func (s *Service) List(ctx context.Context, f Filter) ([]Event, error) {
	if err := s.authz.Require(ctx, f.TenantID, "audit", "read"); err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	if f.Limit > 500 {
		return nil, fault.Field("limit", "must be at most 500")
	}
	scope := db.Tenant(f.TenantID)
	if f.TenantID == 0 {
		scope = db.AllTenants
	}
	var out []Event
	err := s.db.InTx(ctx, scope, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&out).OrderExpr("id DESC").Limit(int64(f.Limit))
		if f.TenantID != 0 {
			q = q.Where("tenant_id = ?", f.TenantID)
		}
		if f.Actor != "" {
			q = q.Where("actor = ? OR actor_name = ?", f.Actor, f.Actor)
		}
		if f.Action != "" {
			q = q.Where("action = ?", f.Action)
		}
		if !f.From.IsZero() {
			q = q.Where("at >= ?", f.From.UTC())
		}
		if !f.To.IsZero() {
			q = q.Where("at < ?", f.To.UTC())
		}
		if f.BeforeID > 0 {
			q = q.Where("id < ?", f.BeforeID)
		}
		return q.Scan(ctx)
	})
	for i := range out {
		out[i].At = out[i].At.UTC()
	}
	return out, err
}

// WriteCSV writes events as CSV with a header row.
func WriteCSV(w io.Writer, events []Event) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "tenant_id", "at", "actor", "actor_name", "action", "object_type", "object_id", "summary", "request_id", "ip"})
	for _, e := range events {
		row := []string{strconv.FormatInt(e.ID, 10), strconv.FormatInt(e.TenantID, 10), e.At.Format(time.RFC3339),
			e.Actor, e.ActorName, e.Action, e.ObjectType, e.ObjectID, e.Summary, e.RequestID, e.IP}
		for i, cell := range row {
			// A cell a spreadsheet would run as a formula is quoted as text.
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				row[i] = "'" + cell
			}
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}
