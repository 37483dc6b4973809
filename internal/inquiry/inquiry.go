// Package inquiry keeps the register of inquiries (咨询登记): questions the
// public asks by hotline, online, in person at the reading room or by
// letter. Their counts and satisfaction feed the annual report's narrative.
package inquiry

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// Channels of an inquiry.
var Channels = []string{"hotline", "online", "in_person", "letter"}

// Inquiry is one registered inquiry. Satisfaction is 1–5, nil when not rated.
type Inquiry struct {
	bun.BaseModel `bun:"table:inquiries"`
	TenantID      int64        `bun:",notnull" json:"-"`
	ID            int64        `bun:",pk,autoincrement" json:"id"`
	Channel       string       `bun:",notnull" json:"channel"`
	Topic         string       `bun:",notnull" json:"topic"`
	AskedOn       workday.Date `bun:",notnull" json:"asked_on"`
	Answered      bool         `bun:",notnull" json:"answered"`
	Satisfaction  *int         `json:"satisfaction,omitempty"`
	CreatedAt     time.Time    `bun:",notnull" json:"created_at"`
}

// Stats summarises a bureau's inquiries in a period.
type Stats struct {
	Total, Answered, Rated, Satisfied int
	ByChannel                         map[string]int
}

// Service registers inquiries.
type Service struct {
	db    *db.DB
	authz *authz.Authorizer
	now   func() time.Time
}

// NewService returns the inquiry service.
func NewService(d *db.DB, az *authz.Authorizer, now func() time.Time) *Service {
	return &Service{db: d, authz: az, now: now}
}

// Register records an inquiry.
func (s *Service) Register(ctx context.Context, tenantID int64, in Inquiry) (*Inquiry, error) {
	var p []fault.FieldError
	if !slices.Contains(Channels, in.Channel) {
		p = append(p, fault.FieldError{Field: "channel", Message: "must be hotline, online, in_person or letter"})
	}
	in.Topic = strings.TrimSpace(in.Topic)
	if in.Topic == "" || len([]rune(in.Topic)) > 200 {
		p = append(p, fault.FieldError{Field: "topic", Message: "is required, at most 200 characters"})
	}
	if !in.AskedOn.Valid() {
		p = append(p, fault.FieldError{Field: "asked_on", Message: "is required (YYYY-MM-DD)"})
	}
	if in.Satisfaction != nil && (*in.Satisfaction < 1 || *in.Satisfaction > 5) {
		p = append(p, fault.FieldError{Field: "satisfaction", Message: "must be from 1 (very dissatisfied) to 5 (very satisfied)"})
	}
	if err := fault.Fields(p); err != nil {
		return nil, err
	}
	if err := s.authz.Require(ctx, tenantID, "inquiry", "write"); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	in.TenantID, in.ID, in.CreatedAt = tenantID, 0, now
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&in).Returning("id").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "inquiry.registered", ObjectType: "inquiry", ObjectID: in.Channel + "/" + in.AskedOn.String()})
	})
	if err != nil {
		return nil, err
	}
	return &in, nil
}

// List returns the bureau's inquiries of a period, newest first.
func (s *Service) List(ctx context.Context, tenantID int64, from, to workday.Date, limit int) ([]Inquiry, error) {
	if err := s.authz.Require(ctx, tenantID, "inquiry", "read"); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []Inquiry
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&out).Where("tenant_id = ?", tenantID)
		if from.Valid() {
			q = q.Where("asked_on >= ?", from)
		}
		if to.Valid() {
			q = q.Where("asked_on <= ?", to)
		}
		return q.OrderExpr("asked_on DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	})
	return out, err
}

// Summary counts the bureau's inquiries in a period.
func (s *Service) Summary(ctx context.Context, tenantID int64, from, to workday.Date) (Stats, error) {
	st := Stats{ByChannel: map[string]int{}}
	if err := s.authz.Require(ctx, tenantID, "inquiry", "read"); err != nil {
		return st, err
	}
	var rows []Inquiry
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&rows).Column("channel", "answered", "satisfaction").
			Where("tenant_id = ? AND asked_on >= ? AND asked_on <= ?", tenantID, from, to).Scan(ctx)
	})
	for _, r := range rows {
		st.Total++
		st.ByChannel[r.Channel]++
		if r.Answered {
			st.Answered++
		}
		if r.Satisfaction != nil {
			st.Rated++
			if *r.Satisfaction >= 4 {
				st.Satisfied++
			}
		}
	}
	return st, err
}
