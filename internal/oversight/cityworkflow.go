package oversight

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/report"
	"gongkai/internal/tenant"
)

// The city report's workflow (Regulations Art. 49–50): the oversight office
// drafts the city-level annual report, edits its narrative and publishes it
// on the public portal by 31 March. It mirrors the bureau report's workflow
// (package report) without the submission step: the office is the
// competent department itself. A published version is immutable; a
// correction is a new version, and publishing it marks the earlier one
// superseded (both stay public).
//
// The versions belong to the oversight office's tenant. Drafting, editing
// and publishing need "city_report write" outside any bureau (the
// city_overseer and platform_admin roles); reading the versions needs the
// oversight permission ("stats read"); the published versions are public.

// City report states.
const (
	CityStateDraft     = "draft"
	CityStatePublished = "published" // on the public portal; immutable
)

// CityDue is the day of the year after the report year by which the city
// report is published (Art. 49: 3月31日前).
const (
	CityDueMonth = time.March
	CityDueDay   = 31
)

// StoredCityReport is one version of the city report for a year.
type StoredCityReport struct {
	bun.BaseModel `bun:"table:city_reports"`
	// TenantID is the oversight office's tenant.
	TenantID  int64             `bun:",notnull" json:"-"`
	ID        int64             `bun:",pk,autoincrement" json:"id"`
	Year      int               `bun:",notnull" json:"year"`
	Version   int               `bun:",notnull" json:"version"`
	State     string            `bun:",notnull" json:"state" enum:"draft,published"`
	Narrative map[string]string `bun:"type:jsonb,notnull" json:"narrative"`
	// Tables is the city report (Tables 2–4, the annex and the violations)
	// frozen at publication; empty for a draft.
	Tables json.RawMessage `bun:"type:jsonb" json:"-"`
	// Document is the HTML document frozen at publication.
	Document    *string    `bun:"document" json:"-"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	PublishedBy string     `bun:",notnull" json:"published_by,omitempty"`
	// Superseded marks a published version replaced by a later correction.
	Superseded bool      `bun:",notnull" json:"superseded"`
	CreatedAt  time.Time `bun:",notnull" json:"created_at"`
	UpdatedAt  time.Time `bun:",notnull" json:"updated_at"`
}

// ObjectID is how the audit trail and reminders name the version: 2026/v1.
func (r *StoredCityReport) ObjectID() string { return fmt.Sprintf("%d/v%d", r.Year, r.Version) }

// Frozen returns the city report as it was published (nil for a draft),
// with the version's narrative, for the XLSX and JSON outputs.
func (r *StoredCityReport) Frozen() (*CityReport, error) {
	if len(r.Tables) == 0 || string(r.Tables) == "null" {
		return nil, nil
	}
	var cr CityReport
	if err := json.Unmarshal(r.Tables, &cr); err != nil {
		return nil, fault.Wrap(err, fault.Internal, "decode the frozen city report")
	}
	cr.Narrative, cr.Version, cr.State = r.Narrative, r.Version, r.State
	return &cr, nil
}

// office returns the oversight office's tenant, which keeps the city report.
func (s *Service) office(ctx context.Context) (tenant.Tenant, error) {
	c, err := s.city(ctx)
	if err != nil {
		return tenant.Tenant{}, err
	}
	if c.office == nil {
		return tenant.Tenant{}, fault.New(fault.Conflict, "there is no oversight office (a bureau of kind oversight_office) to keep the city report")
	}
	return *c.office, nil
}

// Office returns the oversight office that keeps and publishes the city
// report; it is public (the portal names it).
func (s *Service) Office(ctx context.Context) (BureauRef, error) {
	o, err := s.office(ctx)
	if err != nil {
		return BureauRef{}, err
	}
	return BureauRef{ID: o.ID, Slug: o.Slug, Name: o.Name, Kind: string(o.Kind)}, nil
}

// requireWrite checks "city_report write" outside any bureau.
func (s *Service) requireWrite(ctx context.Context) error {
	return s.authz.Require(ctx, 0, "city_report", "write")
}

// currentCity returns the newest version for the year inside tx, or nil.
func currentCity(ctx context.Context, tx bun.IDB, officeID int64, year int) (*StoredCityReport, error) {
	var r StoredCityReport
	err := tx.NewSelect().Model(&r).Where("tenant_id = ? AND year = ?", officeID, year).OrderExpr("version DESC").Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &r, err
}

// currentCityOf is currentCity in a transaction of its own.
func (s *Service) currentCityOf(ctx context.Context, officeID int64, year int) (cur *StoredCityReport, err error) {
	err = s.db.InTx(ctx, db.Tenant(officeID), func(ctx context.Context, tx bun.Tx) error {
		cur, err = currentCity(ctx, tx, officeID, year)
		return err
	})
	return cur, err
}

func cityStateOf(r *StoredCityReport) string {
	if r == nil {
		return "none"
	}
	return r.State
}

// CityDraft returns the city report being worked on for the year, creating
// the first draft (with a narrative generated from the figures) when there
// is none, or a correction draft (starting from the published narrative)
// when the newest version is published.
func (s *Service) CityDraft(ctx context.Context, year int) (*StoredCityReport, error) {
	if err := s.requireWrite(ctx); err != nil {
		return nil, err
	}
	if _, err := period(year, zeroDate, zeroDate); err != nil {
		return nil, err
	}
	o, err := s.office(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := s.currentCityOf(ctx, o.ID, year)
	if err != nil {
		return nil, err
	}
	if cur != nil && cur.State == CityStateDraft {
		return cur, nil
	}
	var narrative map[string]string
	if cur == nil {
		// The first draft: the narrative generated from the figures.
		cr, err := s.CityReport(ctx, year)
		if err != nil {
			return nil, err
		}
		narrative = cr.Document().Narrative
	}
	var out *StoredCityReport
	now := s.now().UTC()
	err = s.db.InTx(ctx, db.Tenant(o.ID), func(ctx context.Context, tx bun.Tx) error {
		cur, err := currentCity(ctx, tx, o.ID, year)
		if err != nil {
			return err
		}
		if cur != nil && cur.State == CityStateDraft {
			out = cur // drafted meanwhile
			return nil
		}
		version, n := 1, narrative
		if cur != nil {
			version, n = cur.Version+1, maps.Clone(cur.Narrative)
		}
		if n == nil {
			return fault.New(fault.Conflict, "the %d city report changed meanwhile; try again", year)
		}
		out = &StoredCityReport{TenantID: o.ID, Year: year, Version: version, State: CityStateDraft, Narrative: n, CreatedAt: now, UpdatedAt: now}
		if _, err := tx.NewInsert().Model(out).Returning("id").Exec(ctx); err != nil {
			return db.Translate(err)
		}
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: o.ID, Action: "city_report.drafted", ObjectType: "city_report", ObjectID: out.ObjectID()})
	})
	return out, err
}

// CityEditNarrative replaces narrative sections (overview, problems, other)
// of the year's draft.
func (s *Service) CityEditNarrative(ctx context.Context, year int, sections map[string]string) (*StoredCityReport, error) {
	for k, v := range sections {
		if k != report.SectionOverview && k != report.SectionProblems && k != report.SectionOther {
			return nil, fault.Field("narrative."+k, "is not a section: use overview, problems or other")
		}
		if len([]rune(v)) > 20000 {
			return nil, fault.Field("narrative."+k, "must be at most 20000 characters")
		}
	}
	if err := s.requireWrite(ctx); err != nil {
		return nil, err
	}
	o, err := s.office(ctx)
	if err != nil {
		return nil, err
	}
	var out *StoredCityReport
	now := s.now().UTC()
	err = s.db.InTx(ctx, db.Tenant(o.ID), func(ctx context.Context, tx bun.Tx) error {
		cur, err := currentCity(ctx, tx, o.ID, year)
		if err != nil {
			return err
		}
		if cur == nil || cur.State != CityStateDraft {
			return fault.New(fault.Conflict, "there is no draft of the %d city report to edit (state: %s); allowed: create a draft", year, cityStateOf(cur))
		}
		changed := []string{}
		for k, v := range sections {
			v = strings.TrimSpace(v)
			if cur.Narrative[k] != v {
				cur.Narrative[k] = v
				changed = append(changed, k)
			}
		}
		cur.UpdatedAt = now
		if _, err := tx.NewUpdate().Model(cur).Column("narrative", "updated_at").Where("tenant_id = ? AND id = ?", o.ID, cur.ID).Exec(ctx); err != nil {
			return err
		}
		out = cur
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: o.ID, Action: "city_report.narrative_edited", ObjectType: "city_report", ObjectID: cur.ObjectID(),
			Changes: map[string]any{"sections": changed}})
	})
	return out, err
}

// CityViolationsError is the refusal of publishing a city report whose
// tables, or a bureau's tables in the annex, break an invariant: a Conflict
// with one field error per violation.
func cityViolationsError(year int, cr *CityReport) error {
	var fields []fault.FieldError
	for _, v := range cr.Violations {
		fields = append(fields, fault.FieldError{Field: "tables", Message: v.Rule + " (" + v.Column + "): " + v.Details})
	}
	for _, a := range cr.Annex {
		for _, v := range a.Violations {
			fields = append(fields, fault.FieldError{Field: "annex." + a.Bureau.Slug, Message: a.Bureau.Name + ": " + v.Rule + " (" + v.Column + "): " + v.Details})
		}
	}
	if len(fields) == 0 {
		return nil
	}
	e := fault.Fields(fields).(*fault.Error)
	e.Code, e.Message = fault.Conflict, fmt.Sprintf("the %d city report breaks %d invariant(s) and cannot be published: %s", year, len(fields), fields[0].Message)
	return e
}

// CityPublish publishes the year's draft on the public portal: the tables
// (with the annex) are computed now and frozen as JSON, the document is
// rendered and frozen as HTML, and the version is immutable from then on;
// an earlier published version is marked superseded. A broken invariant of
// the city tables or of any bureau's tables blocks it, with the violations
// in the error.
func (s *Service) CityPublish(ctx context.Context, year int) (*StoredCityReport, error) {
	if err := s.requireWrite(ctx); err != nil {
		return nil, err
	}
	o, err := s.office(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := s.currentCityOf(ctx, o.ID, year)
	if err != nil {
		return nil, err
	}
	if cur == nil || cur.State != CityStateDraft {
		return nil, fault.New(fault.Conflict, "the %d city report is %s, not draft; allowed: %s", year, cityStateOf(cur),
			map[string]string{"none": "create a draft", CityStatePublished: "create a correction draft"}[cityStateOf(cur)])
	}
	cr, err := s.CityReport(ctx, year)
	if err != nil {
		return nil, err
	}
	if err := cityViolationsError(year, cr); err != nil {
		return nil, err
	}
	frozen, err := json.Marshal(cr)
	if err != nil {
		return nil, fault.Wrap(err, fault.Internal, "encode the city report tables")
	}
	actor, _ := authz.ActorFrom(ctx)
	var out *StoredCityReport
	now := s.now().UTC()
	err = s.db.InTx(ctx, db.Tenant(o.ID), func(ctx context.Context, tx bun.Tx) error {
		r, err := currentCity(ctx, tx, o.ID, year)
		if err != nil {
			return err
		}
		if r == nil || r.ID != cur.ID || r.State != CityStateDraft {
			return fault.New(fault.Conflict, "the %d city report changed meanwhile (state: %s); reload and try again", year, cityStateOf(r))
		}
		cr.Narrative, cr.Version, cr.State = r.Narrative, r.Version, CityStatePublished
		var html bytes.Buffer
		if err := cr.WriteHTML(&html); err != nil {
			return fault.Wrap(err, fault.Internal, "render the city report")
		}
		doc := html.String()
		r.State, r.Tables, r.Document, r.PublishedAt, r.PublishedBy, r.UpdatedAt = CityStatePublished, frozen, &doc, &now, actor.Name, now
		if _, err := tx.NewUpdate().Model(r).Column("state", "tables", "document", "published_at", "published_by", "updated_at").
			Where("tenant_id = ? AND id = ? AND state = ?", o.ID, r.ID, CityStateDraft).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*StoredCityReport)(nil)).Set("superseded = ?", true).
			Where("tenant_id = ? AND year = ? AND version < ? AND state = ?", o.ID, year, r.Version, CityStatePublished).Exec(ctx); err != nil {
			return err
		}
		out = r
		return audit.Record(ctx, tx, now, audit.Entry{TenantID: o.ID, Action: "city_report.published", ObjectType: "city_report", ObjectID: r.ObjectID(),
			Changes: map[string]any{"violations": 0, "bureaus": len(cr.Annex)}})
	})
	return out, err
}

// CityVersions lists every version of the city report, newest year and
// version first; year 0 lists every year. The frozen tables and document
// are left out.
func (s *Service) CityVersions(ctx context.Context, year int) ([]StoredCityReport, error) {
	if err := s.require(ctx); err != nil {
		return nil, err
	}
	o, err := s.office(ctx)
	if err != nil {
		return nil, err
	}
	return s.cityList(ctx, o.ID, year, "", false)
}

// CityPublished lists the published versions of the city report for the
// public, newest first (superseded versions included, marked); year 0
// lists every year. It needs no permission.
func (s *Service) CityPublished(ctx context.Context, year int) ([]StoredCityReport, error) {
	o, err := s.office(ctx)
	if err != nil {
		return nil, err
	}
	return s.cityList(ctx, o.ID, year, CityStatePublished, false)
}

// CityPublishedVersion returns one published version with its frozen tables
// and document, for the public; version 0 is the newest published version
// of the year.
func (s *Service) CityPublishedVersion(ctx context.Context, year, version int) (*StoredCityReport, error) {
	o, err := s.office(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := s.cityList(ctx, o.ID, year, CityStatePublished, true)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if version == 0 || rs[i].Version == version {
			return &rs[i], nil
		}
	}
	return nil, fault.New(fault.NotFound, "no published city report for %d", year)
}

func (s *Service) cityList(ctx context.Context, officeID int64, year int, state string, full bool) ([]StoredCityReport, error) {
	out := []StoredCityReport{}
	err := s.db.InTx(ctx, db.Tenant(officeID), func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&out).Where("tenant_id = ?", officeID)
		if !full {
			q = q.ExcludeColumn("tables", "document")
		}
		if year != 0 {
			q = q.Where("year = ?", year)
		}
		if state != "" {
			q = q.Where("state = ?", state)
		}
		return q.OrderExpr("year DESC, version DESC").Scan(ctx)
	})
	return out, err
}

// CityPreview is the year's city report as it would be published now: the
// tables computed from the bureaus' reports and records, with the narrative
// of the current draft (or of the newest version, or generated when there is
// none). It needs the oversight permission.
func (s *Service) CityPreview(ctx context.Context, year int) (*CityReport, *StoredCityReport, error) {
	cr, err := s.CityReport(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	rs, err := s.CityVersions(ctx, year)
	if err != nil {
		return nil, nil, err
	}
	if len(rs) == 0 {
		return cr, nil, nil
	}
	cur := &rs[0]
	cr.Narrative, cr.Version, cr.State = cur.Narrative, cur.Version, cur.State
	return cr, cur, nil
}

// CityDownload renders the city report for download: html (frozenHTML, the
// document frozen at publication, when given; else rendered now), xlsx or
// json. It returns the bytes, the content type and the content disposition.
func CityDownload(cr *CityReport, frozenHTML *string, format string) (body []byte, contentType, disposition string, err error) {
	var buf bytes.Buffer
	name := fmt.Sprintf("%d-city-annual-report", cr.Year)
	if cr.Version > 0 {
		name += fmt.Sprintf("-v%d", cr.Version)
	}
	switch format {
	case "", "html":
		contentType, disposition = "text/html; charset=utf-8", `inline; filename="`+name+`.html"`
		if frozenHTML != nil {
			buf.WriteString(*frozenHTML)
		} else {
			err = cr.WriteHTML(&buf)
		}
	case "xlsx":
		contentType, disposition = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `attachment; filename="`+name+`.xlsx"`
		err = cr.WriteXLSX(&buf)
	case "json":
		contentType, disposition = "application/json", `attachment; filename="`+name+`.json"`
		err = cr.WriteJSON(&buf)
	default:
		return nil, "", "", fault.Field("format", "must be html, xlsx or json")
	}
	if err != nil {
		return nil, "", "", fault.Wrap(err, fault.Internal, "render the city report")
	}
	return buf.Bytes(), contentType, disposition, nil
}
