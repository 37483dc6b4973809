package catalog

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// ItemInput is the content of an item as written by an information officer
// or imported by an integrator: the fields of Art. 12 (name, content
// summary, date formed) and of the national catalog guidance. The index
// number and publication date are not input: they are assigned at
// publication.
type ItemInput struct {
	// ExternalID identifies the item in the integrator's system; imports
	// are idempotent by it. Optional for items written in the console.
	ExternalID string
	// Title is the name of the information (信息名称). Required.
	Title string
	// Summary is the content summary (内容概述, Art. 12).
	Summary string
	// Body is rich text (HTML); it is sanitised (bluemonday UGC policy).
	Body string
	// DocNo is the document number (文号), e.g. 营民发〔2026〕3号.
	DocNo string
	// Issuer is the issuing body (发布机构); the bureau's name when empty.
	Issuer string
	// FormedOn is the date the information was formed or changed (生成日期);
	// the Art. 26 period of 20 working days runs from it. Required.
	FormedOn workday.Date
	// Category is the code of a category of the bureau's tree. Required.
	Category string
	// Topics are codes of the template's topics (主题分类).
	Topics []string
	// DocKind is rule, normative_document or other (the default).
	DocKind string
	// Basis is the item of Art. 20 (1–15) under which the information is
	// disclosed proactively; 0 when not stated.
	Basis int
}

// Limits of item fields, in characters.
const (
	maxTitle   = 200
	maxSummary = 2000
	maxBody    = 200_000
	maxDocNo   = 100
	maxIssuer  = 100
	maxExtID   = 100
)

// normalize trims the one-line fields and applies the defaults.
func (in *ItemInput) normalize(t tenant.Tenant) {
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	in.Title = strings.TrimSpace(in.Title)
	in.Summary = strings.TrimSpace(in.Summary)
	in.DocNo = strings.TrimSpace(in.DocNo)
	in.Issuer = strings.TrimSpace(in.Issuer)
	in.Category = strings.TrimSpace(in.Category)
	if in.Issuer == "" {
		in.Issuer = t.Name
	}
	if in.DocKind == "" {
		in.DocKind = KindOther
	}
	topics := make([]string, 0, len(in.Topics))
	for _, tp := range in.Topics {
		if tp = strings.TrimSpace(tp); tp != "" && !slices.Contains(topics, tp) {
			topics = append(topics, tp)
		}
	}
	in.Topics = topics
}

// validate checks the input against the field rules and the template's
// topics; field names carry prefix (for import rows). The category's
// existence is checked in the transaction.
func (in *ItemInput) validate(prefix string, tmpl tenant.Template, today workday.Date) []fault.FieldError {
	var p []fault.FieldError
	add := func(field, format string, args ...any) {
		p = append(p, fault.FieldError{Field: prefix + field, Message: fmt.Sprintf(format, args...)})
	}
	line := func(field, v string, required bool, max int) {
		switch {
		case v == "" && required:
			add(field, "is required")
		case !utf8.ValidString(v):
			add(field, "is not valid UTF-8")
		case utf8.RuneCountInString(v) > max:
			add(field, "must be at most %d characters, got %d", max, utf8.RuneCountInString(v))
		case strings.IndexFunc(v, unicode.IsControl) >= 0:
			add(field, "must be one line without control characters")
		}
	}
	line("external_id", in.ExternalID, false, maxExtID)
	line("title", in.Title, true, maxTitle)
	if !utf8.ValidString(in.Summary) || utf8.RuneCountInString(in.Summary) > maxSummary {
		add("summary", "must be valid text of at most %d characters", maxSummary)
	}
	if !utf8.ValidString(in.Body) || utf8.RuneCountInString(in.Body) > maxBody {
		add("body", "must be valid text of at most %d characters", maxBody)
	}
	line("doc_no", in.DocNo, false, maxDocNo)
	line("issuer", in.Issuer, true, maxIssuer)
	switch {
	case in.FormedOn.IsZero():
		add("formed_on", "is required: the date the information was formed or changed (生成日期, YYYY-MM-DD)")
	case !in.FormedOn.Valid():
		add("formed_on", "is not a valid date (YYYY-MM-DD)")
	case in.FormedOn.After(today):
		add("formed_on", "%s is in the future", in.FormedOn)
	}
	if in.Category == "" {
		add("category", "is required: the code of a category of the bureau's catalog")
	}
	for _, tp := range in.Topics {
		if _, ok := tmpl.Topic(tp); !ok {
			codes := make([]string, 0, len(tmpl.Topics))
			for _, t := range tmpl.Topics {
				codes = append(codes, t.Code)
			}
			if len(codes) == 0 {
				add("topics", "this bureau's catalog has no topics; leave it empty")
			} else {
				add("topics", "unknown topic %q; one of %s", tp, strings.Join(codes, ", "))
			}
			break
		}
	}
	if in.DocKind != KindRule && in.DocKind != KindNormative && in.DocKind != KindOther {
		add("doc_kind", "must be rule, normative_document or other")
	}
	if in.Basis < 0 || in.Basis > 15 {
		add("basis", "must be an item of Art. 20 (1–15), or 0 when not stated")
	}
	return p
}

// apply writes the (validated, sanitised) input into the item.
func (s *Service) apply(in ItemInput, it *Item) {
	it.ExternalID = in.ExternalID
	it.Title = in.Title
	it.Summary = in.Summary
	it.Body = s.policy.Sanitize(in.Body)
	it.DocNo = in.DocNo
	it.Issuer = in.Issuer
	it.FormedOn = in.FormedOn
	it.CategoryCode = in.Category
	it.Topics = strings.Join(in.Topics, ",")
	it.DocKind = in.DocKind
	it.Basis = in.Basis
	it.index()
}

// sameContent reports whether the item already holds the input.
func (s *Service) sameContent(in ItemInput, it *Item) bool {
	probe := *it
	s.apply(in, &probe)
	return probe.ExternalID == it.ExternalID && probe.Title == it.Title && probe.Summary == it.Summary && probe.Body == it.Body &&
		probe.DocNo == it.DocNo && probe.Issuer == it.Issuer && probe.FormedOn == it.FormedOn && probe.CategoryCode == it.CategoryCode &&
		probe.Topics == it.Topics && probe.DocKind == it.DocKind && probe.Basis == it.Basis
}

// prepare normalises and validates input for the bureau, outside any
// transaction.
func (s *Service) prepare(t tenant.Tenant, in *ItemInput, prefix string) []fault.FieldError {
	in.normalize(t)
	return in.validate(prefix, s.templates[t.Kind], s.today(t))
}

// checkCategory reports a field error when code is not one of the bureau's
// categories.
func checkCategory(names map[string]string, code, prefix string) []fault.FieldError {
	if code == "" {
		return nil
	}
	if _, ok := names[code]; !ok {
		return []fault.FieldError{{Field: prefix + "category", Message: fmt.Sprintf("no category %q in this bureau's catalog", code)}}
	}
	return nil
}

// recordTransition writes a workflow step inside tx.
func (s *Service) recordTransition(ctx context.Context, tx bun.IDB, tenantID, itemID int64, action string, from, to State, comment string) error {
	a := actor(ctx)
	tr := &Transition{TenantID: tenantID, ItemID: itemID, Action: action, FromState: string(from), ToState: string(to), Comment: comment,
		Actor: a.Subject, ActorName: a.Name, At: s.now().UTC()}
	_, err := tx.NewInsert().Model(tr).Exec(ctx)
	return db.Translate(err)
}

// insertDraft stores a new draft inside tx, with its creation step and
// audit record.
func (s *Service) insertDraft(ctx context.Context, tx bun.IDB, tenantID int64, in ItemInput, revises int64, via string) (*Item, error) {
	a := actor(ctx)
	now := s.now().UTC()
	it := &Item{TenantID: tenantID, State: Draft, RevisesID: revises, Validity: InForce, Author: a.Subject, AuthorUserID: a.UserID,
		AuthorName: a.Name, CreatedAt: now, UpdatedAt: now}
	s.apply(in, it)
	if _, err := tx.NewInsert().Model(it).Returning("id").Exec(ctx); err != nil {
		err = db.Translate(err)
		if fault.Is(err, fault.Conflict) && revises == 0 {
			return nil, fault.Wrap(err, fault.Conflict, "an item with external_id %q already exists in this bureau", in.ExternalID)
		}
		return nil, err
	}
	action := "create"
	if revises != 0 {
		action = "revise"
	}
	if err := s.recordTransition(ctx, tx, tenantID, it.ID, action, "", Draft, via); err != nil {
		return nil, err
	}
	changes := map[string]any{"title": it.Title, "category": it.CategoryCode}
	if revises != 0 {
		changes["revises"] = revises
	}
	if via != "" {
		changes["via"] = via
	}
	if err := audit.Record(ctx, tx, now, audit.Entry{TenantID: tenantID, Action: "catalog.item_created", ObjectType: "catalog_item",
		ObjectID: strconv.FormatInt(it.ID, 10), Changes: changes}); err != nil {
		return nil, err
	}
	return it, nil
}

// Create stores a new draft item (information officer, "catalog write").
// Missing or invalid fields answer 422 naming them.
func (s *Service) Create(ctx context.Context, tenantID int64, in ItemInput) (*Item, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "write"); err != nil {
		return nil, err
	}
	t, err := s.loadTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if err := fault.Fields(s.prepare(t, &in, "")); err != nil {
		return nil, err
	}
	var it *Item
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.seedTx(ctx, tx, t); err != nil {
			return err
		}
		cats, err := categoriesTx(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if err := fault.Fields(checkCategory(categoryNames(cats), in.Category, "")); err != nil {
			return err
		}
		it, err = s.insertDraft(ctx, tx, tenantID, in, 0, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// Update replaces the content of a draft (revision drafts included). Items
// under review must be returned to draft first; a published item is changed
// through a revision (Revise), so the public record keeps its history.
func (s *Service) Update(ctx context.Context, tenantID, id int64, in ItemInput) (*Item, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "write"); err != nil {
		return nil, err
	}
	t, err := s.loadTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if err := fault.Fields(s.prepare(t, &in, "")); err != nil {
		return nil, err
	}
	var it *Item
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		it, err = getItem(ctx, tx, tenantID, id, true, s.db.Dialect)
		if err != nil {
			return err
		}
		if it.State != Draft {
			return conflictState("edit", it.State)
		}
		cats, err := categoriesTx(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if err := fault.Fields(checkCategory(categoryNames(cats), in.Category, "")); err != nil {
			return err
		}
		return s.updateDraftTx(ctx, tx, it, in, "")
	})
	if err != nil {
		return nil, err
	}
	return it, nil
}

// updateDraftTx writes new content into a draft inside tx, with its audit
// record.
func (s *Service) updateDraftTx(ctx context.Context, tx bun.IDB, it *Item, in ItemInput, via string) error {
	before := *it
	if it.RevisesID != 0 {
		in.ExternalID = "" // the item it revises keeps the external ID
	}
	s.apply(in, it)
	it.UpdatedAt = s.now().UTC()
	if _, err := tx.NewUpdate().Model(it).Column("external_id", "title", "summary", "body", "doc_no", "issuer", "formed_on", "category_code",
		"topics", "doc_kind", "basis", "updated_at", "search_title", "search_text").Where("tenant_id = ? AND id = ?", it.TenantID, it.ID).Exec(ctx); err != nil {
		err = db.Translate(err)
		if fault.Is(err, fault.Conflict) {
			return fault.Wrap(err, fault.Conflict, "an item with external_id %q already exists in this bureau", it.ExternalID)
		}
		return err
	}
	changes := map[string]any{}
	if before.Title != it.Title {
		changes["title"] = []string{before.Title, it.Title}
	}
	if before.CategoryCode != it.CategoryCode {
		changes["category"] = []string{before.CategoryCode, it.CategoryCode}
	}
	if before.FormedOn != it.FormedOn {
		changes["formed_on"] = []string{before.FormedOn.String(), it.FormedOn.String()}
	}
	if via != "" {
		changes["via"] = via
	}
	return audit.Record(ctx, tx, s.now(), audit.Entry{TenantID: it.TenantID, Action: "catalog.item_updated", ObjectType: "catalog_item",
		ObjectID: strconv.FormatInt(it.ID, 10), Changes: changes})
}

// Delete removes a draft that was never published (or an abandoned
// revision draft) with its workflow steps. Anything else answers 409:
// published information is withdrawn, not deleted.
func (s *Service) Delete(ctx context.Context, tenantID, id int64) error {
	if err := s.authz.Require(ctx, tenantID, "catalog", "write"); err != nil {
		return err
	}
	var orphans []string // attachment files no longer used (attachments.go)
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		it, err := getItem(ctx, tx, tenantID, id, true, s.db.Dialect)
		if err != nil {
			return err
		}
		if it.State != Draft {
			return conflictState("delete", it.State)
		}
		if orphans, err = dropAttachmentsTx(ctx, tx, tenantID, id); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Transition)(nil)).Where("tenant_id = ? AND item_id = ?", tenantID, id).Exec(ctx); err != nil {
			return db.Translate(err)
		}
		if _, err := tx.NewDelete().Model((*Item)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx); err != nil {
			return db.Translate(err)
		}
		return audit.Record(ctx, tx, s.now(), audit.Entry{TenantID: tenantID, Action: "catalog.item_deleted", ObjectType: "catalog_item",
			ObjectID: strconv.FormatInt(id, 10), Changes: map[string]any{"title": it.Title}})
	})
	if err == nil {
		s.removeFiles(tenantID, orphans)
	}
	return err
}

// Detail is an item as staff see it: its workflow steps, its published
// revisions, the actions its state allows and its Art. 26 due date.
type Detail struct {
	Item         Item
	CategoryName string
	Transitions  []Transition
	Revisions    []Revision
	Allowed      []string
	// DueOn is the Art. 26 due date: FormedOn + 20 working days (zero when
	// the calendar does not cover the period).
	DueOn workday.Date
	// DaysLeft is the number of working days from today to DueOn
	// (negative when past), for items not yet published.
	DaysLeft int
	// OpenRevisionID is the revision draft of a published item, if any.
	OpenRevisionID int64
}

// Get returns an item of the bureau with its history ("catalog read").
// Another bureau's item is not found.
func (s *Service) Get(ctx context.Context, tenantID, id int64) (*Detail, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "read"); err != nil {
		return nil, err
	}
	t, err := s.loadTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	d := &Detail{}
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		it, err := getItem(ctx, tx, tenantID, id, false, s.db.Dialect)
		if err != nil {
			return err
		}
		d.Item = *it
		if err := tx.NewSelect().Model(&d.Transitions).Where("tenant_id = ? AND item_id = ?", tenantID, id).Order("id").Scan(ctx); err != nil {
			return db.Translate(err)
		}
		if err := tx.NewSelect().Model(&d.Revisions).Where("tenant_id = ? AND item_id = ?", tenantID, id).Order("revision").Scan(ctx); err != nil {
			return db.Translate(err)
		}
		var open Item
		err = tx.NewSelect().Model(&open).Column("id").Where("tenant_id = ? AND revises_id = ?", tenantID, id).Limit(1).Scan(ctx)
		if err == nil {
			d.OpenRevisionID = open.ID
		} else if !isNoRows(err) {
			return db.Translate(err)
		}
		cats, err := categoriesTx(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		d.CategoryName = categoryNames(cats)[it.CategoryCode]
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := range d.Transitions {
		d.Transitions[i].At = d.Transitions[i].At.UTC()
	}
	for i := range d.Revisions {
		d.Revisions[i].PublishedAt = d.Revisions[i].PublishedAt.UTC()
	}
	d.Allowed = allowedActions(d.Item.State)
	if d.Item.RevisesID != 0 || d.OpenRevisionID != 0 {
		d.Allowed = slices.DeleteFunc(d.Allowed, func(a string) bool { return a == "revise" })
	}
	if due, err := cal.AddWorkingDays(d.Item.FormedOn, PublicationDays); err == nil {
		d.DueOn = due
		if !d.Item.State.Public() && d.Item.State != Withdrawn {
			d.DaysLeft, _ = cal.WorkingDaysBetween(s.today(t), due)
		}
	}
	return d, nil
}
