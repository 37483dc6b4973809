package report

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/db"
	"gongkai/internal/fault"
)

// Report states.
const (
	StateDraft     = "draft"
	StateSubmitted = "submitted" // to the city's oversight office
	StatePublished = "published" // on the bureau's portal page; immutable
)

// Stored is one version of a bureau's report for a year.
type Stored struct {
	bun.BaseModel `bun:"table:reports"`
	TenantID      int64             `bun:",notnull"`
	ID            int64             `bun:",pk,autoincrement"`
	Year          int               `bun:",notnull"`
	Version       int               `bun:",notnull"`
	State         string            `bun:",notnull"`
	Narrative     map[string]string `bun:"type:jsonb,notnull"`
	Tables        json.RawMessage   `bun:"type:jsonb"`
	SubmittedAt   *time.Time
	PublishedAt   *time.Time
	Superseded    bool      `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
}

// Frozen reports whether the version carries tables frozen at submission
// (a draft has none: its tables are computed from the records when read;
// a draft read back may hold the JSON null).
func (r *Stored) Frozen() bool {
	return len(r.Tables) > 0 && string(r.Tables) != "null"
}

// current returns the newest version for the year inside tx, or nil.
func current(ctx context.Context, tx bun.IDB, tenantID int64, year int) (*Stored, error) {
	var r Stored
	err := tx.NewSelect().Model(&r).Where("tenant_id = ? AND year = ?", tenantID, year).OrderExpr("version DESC").Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &r, err
}

// draftNarrative writes the narrative a clerk starts from, from the figures.
func (s *Service) draftNarrative(ctx context.Context, tenantID int64, t *Tables) map[string]string {
	received, total, fwd := t.Table3.Row(RowNew).Values[NumColumns-1], t.Table3.Row(RowTotal).Values[NumColumns-1], t.Table3.Row(RowCarriedForward).Values[NumColumns-1]
	overview := fmt.Sprintf("%d年，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，坚持以公开为常态、不公开为例外，推进政府信息公开工作。\n\n"+
		"依申请公开方面，全年新收政府信息公开申请%d件，上年结转%d件，办结%d件，结转下年度继续办理%d件。",
		t.Year, received, t.Table3.Row(RowCarriedIn).Values[NumColumns-1], total, fwd)
	var n, answered, satisfied, rated int
	_ = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		start, end := yearBounds(t.Year)
		return tx.NewSelect().Table("inquiries").
			ColumnExpr("count(*), coalesce(sum(CASE WHEN answered THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN satisfaction >= 4 THEN 1 ELSE 0 END), 0), count(satisfaction)").
			Where("tenant_id = ? AND asked_on >= ? AND asked_on <= ?", tenantID, start, end).Scan(ctx, &n, &answered, &satisfied, &rated)
	})
	if n > 0 {
		overview += fmt.Sprintf("\n\n全年解答群众咨询%d次", answered)
		if rated > 0 {
			overview += fmt.Sprintf("，群众满意率%d%%", satisfied*100/rated)
		}
		overview += "。"
	}
	other := "本年度未收取信息处理费。"
	if f := t.Table2Figure(FigureFeesCollected); f != "" {
		other = "本年度收取信息处理费" + f + "元。"
	}
	return map[string]string{
		SectionOverview: overview,
		SectionProblems: "（请填写本年度政府信息公开工作存在的主要问题及改进情况。）",
		SectionOther:    other,
	}
}

// Table2Figure returns an entered figure by key as text, "" when not entered.
func (t *Tables) Table2Figure(key string) string {
	if t.figures == nil {
		return ""
	}
	if f, ok := t.figures[key]; ok && f.Value != nil {
		return f.Text()
	}
	return ""
}

// Draft returns the report being worked on for the year, creating the first
// draft (with a narrative generated from the data) when there is none.
func (s *Service) Draft(ctx context.Context, tenantID int64, year int) (*Stored, error) {
	if err := s.authz.Require(ctx, tenantID, "report", "write"); err != nil {
		return nil, err
	}
	t, err := s.compute(ctx, tenantID, year)
	if err != nil {
		return nil, err
	}
	narrative := s.draftNarrative(ctx, tenantID, t)
	var out *Stored
	now := s.now().UTC()
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		cur, err := current(ctx, tx, tenantID, year)
		if err != nil {
			return err
		}
		if cur != nil && cur.State != StatePublished {
			out = cur
			return nil
		}
		version := 1
		if cur != nil {
			// A correction of a published report: start from its narrative.
			version, narrative = cur.Version+1, cur.Narrative
		}
		out = &Stored{TenantID: tenantID, Year: year, Version: version, State: StateDraft, Narrative: narrative, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(out).Returning("id").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "report.drafted", ObjectType: "report", ObjectID: fmt.Sprintf("%d/v%d", year, version)})
	})
	return out, err
}

// EditNarrative replaces the narrative sections of the draft.
func (s *Service) EditNarrative(ctx context.Context, tenantID int64, year int, sections map[string]string) (*Stored, error) {
	for k, v := range sections {
		if k != SectionOverview && k != SectionProblems && k != SectionOther {
			return nil, fault.Field("narrative."+k, "is not a section: use overview, problems or other")
		}
		if len([]rune(v)) > 20000 {
			return nil, fault.Field("narrative."+k, "must be at most 20000 characters")
		}
	}
	if err := s.authz.Require(ctx, tenantID, "report", "write"); err != nil {
		return nil, err
	}
	var out *Stored
	now := s.now().UTC()
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		cur, err := current(ctx, tx, tenantID, year)
		if err != nil {
			return err
		}
		if cur == nil || cur.State != StateDraft {
			return fault.New(fault.Conflict, "there is no draft of the %d report to edit (state: %s); allowed: create a draft", year, stateOf(cur))
		}
		for k, v := range sections {
			cur.Narrative[k] = strings.TrimSpace(v)
		}
		cur.UpdatedAt = now
		if _, err := tx.NewUpdate().Model(cur).Column("narrative", "updated_at").Where("tenant_id = ? AND id = ?", tenantID, cur.ID).Exec(ctx); err != nil {
			return err
		}
		out = cur
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "report.narrative_edited", ObjectType: "report", ObjectID: fmt.Sprintf("%d/v%d", year, cur.Version)})
	})
	return out, err
}

func stateOf(r *Stored) string {
	if r == nil {
		return "none"
	}
	return r.State
}

// Submit sends the draft to the city: the tables are frozen into the report.
// Any broken invariant blocks it, with the violations in the error.
func (s *Service) Submit(ctx context.Context, tenantID int64, year int) (*Stored, error) {
	if err := s.authz.Require(ctx, tenantID, "report", "write"); err != nil {
		return nil, err
	}
	t, violations, err := s.Check(ctx, tenantID, year)
	if err != nil {
		return nil, err
	}
	if len(violations) > 0 {
		var fields []fault.FieldError
		for _, v := range violations {
			fields = append(fields, fault.FieldError{Field: "tables", Message: v.Rule + " (" + v.Column + "): " + v.Details})
		}
		e := fault.Fields(fields).(*fault.Error)
		e.Code, e.Message = fault.Conflict, fmt.Sprintf("the %d report breaks %d invariant(s) and cannot be submitted: %s", year, len(violations), fields[0].Message)
		return nil, e
	}
	frozen, err := json.Marshal(t)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "encode tables")
	}
	return s.transition(ctx, tenantID, year, StateDraft, StateSubmitted, func(r *Stored, now time.Time) {
		r.Tables, r.SubmittedAt = frozen, &now
	})
}

// Publish publishes the submitted report on the bureau's portal page. It is
// immutable from then on; an earlier published version is marked superseded.
func (s *Service) Publish(ctx context.Context, tenantID int64, year int) (*Stored, error) {
	if err := s.authz.Require(ctx, tenantID, "report", "write"); err != nil {
		return nil, err
	}
	return s.transition(ctx, tenantID, year, StateSubmitted, StatePublished, func(r *Stored, now time.Time) { r.PublishedAt = &now })
}

func (s *Service) transition(ctx context.Context, tenantID int64, year int, from, to string, apply func(*Stored, time.Time)) (*Stored, error) {
	var out *Stored
	now := s.now().UTC()
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		cur, err := current(ctx, tx, tenantID, year)
		if err != nil {
			return err
		}
		if cur == nil || cur.State != from {
			allowed := map[string]string{"none": "create a draft", StateDraft: "submit", StateSubmitted: "publish", StatePublished: "create a correction draft"}
			return fault.New(fault.Conflict, "the %d report is %s, not %s; allowed: %s", year, stateOf(cur), from, allowed[stateOf(cur)])
		}
		apply(cur, now)
		cur.State, cur.UpdatedAt = to, now
		if _, err := tx.NewUpdate().Model(cur).Column("state", "tables", "submitted_at", "published_at", "updated_at").Where("tenant_id = ? AND id = ?", tenantID, cur.ID).Exec(ctx); err != nil {
			return err
		}
		if to == StatePublished {
			if _, err := tx.NewUpdate().Model((*Stored)(nil)).Set("superseded = ?", true).
				Where("tenant_id = ? AND year = ? AND version < ? AND state = ?", tenantID, year, cur.Version, StatePublished).Exec(ctx); err != nil {
				return err
			}
		}
		out = cur
		if err := audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "report." + to, ObjectType: "report", ObjectID: fmt.Sprintf("%d/v%d", year, cur.Version)}); err != nil {
			return err
		}
		if s.events == nil {
			return nil
		}
		return s.events.EmitTx(ctx, tx, tenantID, "report."+to, EventObject{Year: cur.Year, Version: cur.Version, State: cur.State})
	})
	return out, err
}

// Document assembles the report for output: a published or submitted
// version shows its frozen tables; a draft shows the tables computed now.
func (s *Service) Document(ctx context.Context, tenantID int64, bureau string, r *Stored) (*Document, error) {
	d := &Document{Bureau: bureau, Year: r.Year, Version: r.Version, State: r.State, Narrative: r.Narrative}
	if r.Frozen() {
		if err := json.Unmarshal(r.Tables, &d.Tables); err != nil {
			return nil, fault.Wrap(err, fault.Internal, "decode frozen tables")
		}
		return d, nil
	}
	t, err := s.compute(ctx, tenantID, r.Year)
	if err != nil {
		return nil, err
	}
	d.Tables = *t
	return d, nil
}

// Versions lists every version of the bureau's reports, newest first.
func (s *Service) Versions(ctx context.Context, tenantID int64) ([]Stored, error) {
	if err := s.authz.Require(ctx, tenantID, "report", "read"); err != nil {
		return nil, err
	}
	return s.list(ctx, tenantID, "")
}

// Published lists the bureau's published reports for the public, newest
// first (superseded versions included, marked).
func (s *Service) Published(ctx context.Context, tenantID int64) ([]Stored, error) {
	return s.list(ctx, tenantID, StatePublished)
}

func (s *Service) list(ctx context.Context, tenantID int64, state string) ([]Stored, error) {
	var out []Stored
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&out).Where("tenant_id = ?", tenantID)
		if state != "" {
			q = q.Where("state = ?", state)
		}
		return q.OrderExpr("year DESC, version DESC").Scan(ctx)
	})
	return out, err
}

// The events integrators can subscribe to (webhooks) about annual reports.
const (
	EventSubmitted = "report.submitted" // submitted to the city
	EventPublished = "report.published" // published on the portal
)

// Events receives the changes integrators subscribe to, inside the
// transaction of the change (webhook.Service).
type Events interface {
	EmitTx(ctx context.Context, tx bun.Tx, tenantID int64, kind string, object any) error
}

// SetEvents makes the service emit events to e (nil: none).
func (s *Service) SetEvents(e Events) { s.events = e }

// EventObject is what an event says about a report.
type EventObject struct {
	Year    int    `json:"year"`
	Version int    `json:"version"`
	State   string `json:"state"`
}
