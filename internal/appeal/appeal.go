// Package appeal keeps the administrative reconsideration and litigation
// cases about a bureau's disclosure work (行政复议、行政诉讼), Table 4 of the
// annual report. A case that corrects a reply re-opens the request.
package appeal

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
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/workday"
)

// Kinds of case.
const (
	Reconsideration = "reconsideration"                  // 行政复议
	SuedDirectly    = "litigation_direct"                // 行政诉讼：未经复议直接起诉
	SuedAfter       = "litigation_after_reconsideration" // 行政诉讼：复议后起诉
)

// Outcomes of a case.
const (
	Upheld    = "upheld"    // 维持
	Corrected = "corrected" // 纠正
	Other     = "other"     // 其他
	Pending   = "pending"   // 尚未审结
)

// Kinds lists the case kinds in Table 4 order.
var Kinds = []string{Reconsideration, SuedDirectly, SuedAfter}

// Outcomes lists the outcomes in Table 4 order.
var Outcomes = []string{Upheld, Corrected, Other, Pending}

// Case is one reconsideration or litigation case.
type Case struct {
	bun.BaseModel `bun:"table:appeals"`
	TenantID      int64        `bun:",notnull"`
	ID            int64        `bun:",pk,autoincrement"`
	CaseNo        string       `bun:",notnull"`
	RequestID     *int64       `bun:"request_id"`
	Body          string       `bun:",notnull"`
	Kind          string       `bun:",notnull"`
	FiledOn       workday.Date `bun:",notnull"`
	Outcome       string       `bun:",notnull"`
	DecidedOn     workday.Date `bun:",nullzero"`
	Note          string       `bun:",notnull"`
	CreatedAt     time.Time    `bun:",notnull"`
	UpdatedAt     time.Time    `bun:",notnull"`
}

// Service registers and decides cases.
type Service struct {
	db       *db.DB
	authz    *authz.Authorizer
	requests *request.Service
	now      func() time.Time
}

// NewService returns the appeal service.
func NewService(d *db.DB, az *authz.Authorizer, rs *request.Service, now func() time.Time) *Service {
	return &Service{db: d, authz: az, requests: rs, now: now}
}

// NewCase is what registration records.
type NewCase struct {
	CaseNo    string
	RequestID int64 // 0 when the case is about no request recorded here
	Body      string
	Kind      string
	FiledOn   workday.Date
	Note      string
}

// Create registers a case, pending.
func (s *Service) Create(ctx context.Context, tenantID int64, in NewCase) (*Case, error) {
	var p []fault.FieldError
	in.CaseNo, in.Body = strings.TrimSpace(in.CaseNo), strings.TrimSpace(in.Body)
	if in.CaseNo == "" {
		p = append(p, fault.FieldError{Field: "case_no", Message: "is required"})
	}
	if in.Body == "" {
		p = append(p, fault.FieldError{Field: "body", Message: "is required: the reconsideration body or the court"})
	}
	if !slices.Contains(Kinds, in.Kind) {
		p = append(p, fault.FieldError{Field: "kind", Message: "must be reconsideration, litigation_direct or litigation_after_reconsideration"})
	}
	if !in.FiledOn.Valid() {
		p = append(p, fault.FieldError{Field: "filed_on", Message: "is required (YYYY-MM-DD)"})
	}
	if err := fault.Fields(p); err != nil {
		return nil, err
	}
	if err := s.authz.Require(ctx, tenantID, "appeal", "write"); err != nil {
		return nil, err
	}
	now := s.now().UTC()
	c := &Case{TenantID: tenantID, CaseNo: in.CaseNo, Body: in.Body, Kind: in.Kind, FiledOn: in.FiledOn, Outcome: Pending, Note: in.Note, CreatedAt: now, UpdatedAt: now}
	if in.RequestID != 0 {
		id := in.RequestID
		c.RequestID = &id
	}
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if c.RequestID != nil {
			n, err := tx.NewSelect().Table("requests").Where("tenant_id = ? AND id = ?", tenantID, *c.RequestID).Count(ctx)
			if err != nil {
				return err
			}
			if n == 0 {
				return fault.Field("request_id", "no such request in this bureau")
			}
		}
		if _, err := tx.NewInsert().Model(c).Returning("id").Exec(ctx); err != nil {
			if fault.Is(db.Translate(err), fault.Conflict) {
				return fault.Field("case_no", "case %s is already registered", c.CaseNo)
			}
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "appeal.created", ObjectType: "appeal", ObjectID: c.CaseNo,
			Changes: map[string]any{"kind": c.Kind, "filed_on": c.FiledOn.String(), "body": c.Body}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Decide records the outcome of a case. A correction re-opens the related
// request, which then needs a new reply.
func (s *Service) Decide(ctx context.Context, tenantID, id int64, outcome string, on workday.Date, note string) (*Case, error) {
	if !slices.Contains(Outcomes, outcome) || outcome == Pending {
		return nil, fault.Field("outcome", "must be upheld, corrected or other")
	}
	if !on.Valid() {
		return nil, fault.Field("decided_on", "is required (YYYY-MM-DD)")
	}
	if err := s.authz.Require(ctx, tenantID, "appeal", "write"); err != nil {
		return nil, err
	}
	cal, err := s.requests.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var c Case
	now := s.now().UTC()
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&c).Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx); err != nil {
			return db.NotFound(err, "appeal")
		}
		if c.Outcome != Pending {
			return fault.New(fault.Conflict, "case %s is already decided (%s)", c.CaseNo, c.Outcome)
		}
		if on.Before(c.FiledOn) {
			return fault.Field("decided_on", "cannot be before the filing date %s", c.FiledOn)
		}
		c.Outcome, c.DecidedOn, c.UpdatedAt = outcome, on, now
		if note != "" {
			c.Note = note
		}
		if _, err := tx.NewUpdate().Model(&c).Column("outcome", "decided_on", "note", "updated_at").Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx); err != nil {
			return err
		}
		if outcome == Corrected && c.RequestID != nil {
			if _, err := s.requests.ActTx(ctx, tx, cal, tenantID, *c.RequestID, request.Action{Kind: deadline.Reopened, On: on, Reason: "复议/诉讼纠正：" + c.CaseNo}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "appeal.decided", ObjectType: "appeal", ObjectID: c.CaseNo,
			Changes: map[string]any{"outcome": outcome, "decided_on": on.String()}})
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// List returns the bureau's cases, newest filed first.
func (s *Service) List(ctx context.Context, tenantID int64) ([]Case, error) {
	if err := s.authz.Require(ctx, tenantID, "appeal", "read"); err != nil {
		return nil, err
	}
	var out []Case
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Where("tenant_id = ?", tenantID).OrderExpr("filed_on DESC, id DESC").Scan(ctx)
	})
	return out, err
}
