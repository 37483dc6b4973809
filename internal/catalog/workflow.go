package catalog

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// The workflow actions of Transition.
const (
	ActSubmit   = "submit"   // draft -> submitted: ask for confidentiality review (Art. 17)
	ActApprove  = "approve"  // submitted -> approved: the review clears the item (Art. 17)
	ActReturn   = "return"   // submitted|approved -> draft, with a comment saying what to change
	ActPublish  = "publish"  // approved -> published: index number assigned (first time), public from now on
	ActWithdraw = "withdraw" // published|repealed -> withdrawn: off the public catalog (410)
	ActRepeal   = "repeal"   // published -> repealed: validity 已废止 or 已修订, still listed
)

// step is one edge of the workflow: an action, the states it leaves from,
// the state it leads to and the permission it needs.
type step struct {
	action string
	from   []State
	to     State
	perm   string
	past   string // for the audit action
}

var steps = []step{
	{ActSubmit, []State{Draft}, Submitted, "write", "submitted"},
	{ActApprove, []State{Submitted}, Approved, "review", "approved"},
	{ActReturn, []State{Submitted, Approved}, Draft, "review", "returned"},
	{ActPublish, []State{Approved}, Published, "write", "published"},
	{ActWithdraw, []State{Published, Repealed}, Withdrawn, "manage", "withdrawn"},
	{ActRepeal, []State{Published}, Repealed, "write", "repealed"},
}

func stepOf(action string) (step, bool) {
	i := slices.IndexFunc(steps, func(s step) bool { return s.action == action })
	if i < 0 {
		return step{}, false
	}
	return steps[i], true
}

// allowedActions lists what may be done to an item in the state: the
// workflow actions plus edit/delete (drafts) and revise (published items).
func allowedActions(st State) []string {
	var out []string
	for _, s := range steps {
		if slices.Contains(s.from, st) {
			out = append(out, s.action)
		}
	}
	switch st {
	case Draft:
		out = append(out, "edit", "delete")
	case Published:
		out = append(out, "revise")
	}
	return out
}

// Step is a workflow action requested on an item.
type Step struct {
	// Action is submit, approve, return, publish, withdraw or repeal.
	Action string
	// Comment is recorded with the step; required to return an item to
	// draft (say what to change) and to withdraw one (say why).
	Comment string
	// Validity is the new validity on repeal: repealed (已废止, the
	// default) or amended (已修订, needs SupersededBy).
	Validity string
	// SupersededBy is the published item of the bureau that replaces this
	// one (repeal only).
	SupersededBy int64
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Transition moves an item through the workflow and records who did it,
// when and with what comment, in the transitions and in the audit trail.
// The confidentiality review (Art. 17) must be done by someone other than
// the author and the submitter unless the bureau's spec says
// reviewer_may_be_author. Publishing assigns the index number (索引号) the
// first time; publishing a revision replaces the content of the item it
// revises and keeps the previous version. An action the state does not
// allow answers 409 naming the current state and the allowed actions.
func (s *Service) Transition(ctx context.Context, tenantID, id int64, in Step) (*Item, error) {
	st, ok := stepOf(in.Action)
	if !ok {
		return nil, fault.Field("action", "must be one of submit, approve, return, publish, withdraw, repeal")
	}
	if err := s.authz.Require(ctx, tenantID, "catalog", st.perm); err != nil {
		return nil, err
	}
	in.Comment = strings.TrimSpace(in.Comment)
	var fields []fault.FieldError
	if utf8.RuneCountInString(in.Comment) > 2000 {
		fields = append(fields, fault.FieldError{Field: "comment", Message: "must be at most 2000 characters"})
	}
	if in.Comment == "" && (in.Action == ActReturn || in.Action == ActWithdraw) {
		fields = append(fields, fault.FieldError{Field: "comment", Message: "is required: say what to change or why the item is withdrawn"})
	}
	if in.Action == ActRepeal {
		if in.Validity == "" {
			in.Validity = ValidityRepeal
		}
		switch {
		case in.Validity != ValidityRepeal && in.Validity != Amended:
			fields = append(fields, fault.FieldError{Field: "validity", Message: "must be repealed or amended"})
		case in.Validity == Amended && in.SupersededBy == 0:
			fields = append(fields, fault.FieldError{Field: "superseded_by", Message: "is required when the item is amended: the item that replaces it"})
		}
	} else if in.SupersededBy != 0 || in.Validity != "" {
		fields = append(fields, fault.FieldError{Field: "validity", Message: "validity and superseded_by are set by the repeal action only"})
	}
	if err := fault.Fields(fields); err != nil {
		return nil, err
	}
	t, err := s.loadTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var out *Item
	var orphans []string // attachment files a published revision no longer uses
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		it, err := getItem(ctx, tx, tenantID, id, true, s.db.Dialect)
		if err != nil {
			return err
		}
		if !slices.Contains(st.from, it.State) {
			return conflictState(in.Action, it.State)
		}
		if in.Action == ActPublish && it.RevisesID != 0 {
			out, orphans, err = s.publishRevisionTx(ctx, tx, t, it, in.Comment)
		} else {
			out, err = s.applyStepTx(ctx, tx, t, it, st, in)
		}
		if err != nil {
			return err
		}
		if err := syncGramsTx(ctx, tx, out); err != nil { // the public search index (bigrams.go)
			return err
		}
		switch {
		case in.Action == ActPublish:
			return s.emit(ctx, tx, EventPublished, out)
		case in.Action == ActWithdraw:
			return s.emit(ctx, tx, EventWithdrawn, out)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.removeFiles(tenantID, orphans)
	return out, nil
}

// applyStepTx performs one workflow step on it inside tx.
func (s *Service) applyStepTx(ctx context.Context, tx bun.IDB, t tenant.Tenant, it *Item, st step, in Step) (*Item, error) {
	a := actor(ctx)
	now := s.now().UTC()
	from := it.State
	cols := []string{"state", "updated_at"}
	changes := map[string]any{"state": []string{string(from), string(st.to)}}
	if in.Comment != "" {
		changes["comment"] = in.Comment
	}
	switch st.action {
	case ActSubmit:
		it.Submitter, it.SubmitterUserID = a.Subject, a.UserID
		cols = append(cols, "submitter", "submitter_user_id")
	case ActApprove:
		if !t.Spec.ReviewerMayBeAuthor && (samePerson(a, it.Author, it.AuthorUserID) || samePerson(a, it.Submitter, it.SubmitterUserID)) {
			return nil, fault.New(fault.Forbidden, "the confidentiality review (保密审查, Art. 17) must be done by someone other than the item's author or submitter; this bureau does not allow reviewer_may_be_author")
		}
		it.ReviewerName, it.ReviewedAt = a.Name, &now
		cols = append(cols, "reviewer_name", "reviewed_at")
	case ActReturn:
		it.ReviewerName, it.ReviewedAt = "", nil
		cols = append(cols, "reviewer_name", "reviewed_at")
	case ActPublish:
		today := s.today(t)
		if it.IndexNo == "" {
			seq, err := s.nextIndexSeq(ctx, tx, it.TenantID, today.Year)
			if err != nil {
				return nil, err
			}
			idx, err := t.Spec.IndexNumber(today.Year, today.Month, seq)
			if err != nil {
				return nil, fault.Wrap(err, fault.Conflict, "cannot form the index number: %s", fault.MessageOf(err))
			}
			it.IndexNo, it.IndexYear, it.IndexSeq = idx, today.Year, seq
			changes["index_no"] = idx
		}
		if it.PublishedOn.IsZero() {
			it.PublishedOn = today
		}
		it.Revision++
		it.index()
		cols = append(cols, "index_no", "index_year", "index_seq", "published_on", "revision")
		cols = append(cols, searchColumns...)
		if err := s.snapshotTx(ctx, tx, it, a.Name); err != nil {
			return nil, err
		}
	case ActRepeal:
		if in.SupersededBy != 0 {
			if in.SupersededBy == it.ID {
				return nil, fault.Field("superseded_by", "an item cannot supersede itself")
			}
			by, err := getItem(ctx, tx, it.TenantID, in.SupersededBy, false, s.db.Dialect)
			if err != nil || !by.State.Public() {
				return nil, fault.Field("superseded_by", "must be a published item of this bureau")
			}
			changes["superseded_by"] = by.ID
		}
		it.Validity, it.SupersededBy = in.Validity, in.SupersededBy
		changes["validity"] = in.Validity
		cols = append(cols, "validity", "superseded_by")
	}
	it.State, it.UpdatedAt = st.to, now
	res, err := tx.NewUpdate().Model(it).Column(cols...).Where("tenant_id = ? AND id = ? AND state = ?", it.TenantID, it.ID, from).Exec(ctx)
	if err != nil {
		return nil, db.Translate(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, fault.New(fault.Conflict, "the item changed meanwhile; reload it and retry")
	}
	if err := s.recordTransition(ctx, tx, it.TenantID, it.ID, st.action, from, st.to, in.Comment); err != nil {
		return nil, err
	}
	if err := audit.Record(ctx, tx, now, audit.Entry{TenantID: it.TenantID, Action: "catalog.item_" + st.past, ObjectType: "catalog_item",
		ObjectID: strconv.FormatInt(it.ID, 10), Changes: changes}); err != nil {
		return nil, err
	}
	return it, nil
}

// snapshotTx keeps the published content of it as revision it.Revision.
func (s *Service) snapshotTx(ctx context.Context, tx bun.IDB, it *Item, publisher string) error {
	r := &Revision{TenantID: it.TenantID, ItemID: it.ID, Revision: it.Revision, Title: it.Title, Summary: it.Summary, Body: it.Body,
		DocNo: it.DocNo, Issuer: it.Issuer, FormedOn: it.FormedOn, PublishedOn: s.todayOr(it), CategoryCode: it.CategoryCode,
		Topics: it.Topics, DocKind: it.DocKind, Basis: it.Basis, ReviewerName: it.ReviewerName, PublisherName: publisher, PublishedAt: s.now().UTC()}
	_, err := tx.NewInsert().Model(r).Exec(ctx)
	return db.Translate(err)
}

// todayOr returns the date a revision of it was published: its revision
// date, or its first publication date.
func (s *Service) todayOr(it *Item) workday.Date {
	if !it.RevisedOn.IsZero() {
		return it.RevisedOn
	}
	return it.PublishedOn
}

// nextIndexSeq allocates the next index sequence of the bureau and year
// inside the publishing transaction: the counter row is locked by the
// UPDATE until commit, so concurrent publishers queue, and a rolled-back
// publication gives its number back. No gaps, no duplicates.
func (s *Service) nextIndexSeq(ctx context.Context, tx bun.IDB, tenantID int64, year int) (int, error) {
	return takeIndexSeqs(ctx, tx, tenantID, year, 1)
}

// takeIndexSeqs takes n consecutive index sequences of the bureau and year
// from its counter row and returns the first. The row is created on the
// year's first publication and stays locked by the UPDATE until commit.
func takeIndexSeqs(ctx context.Context, tx bun.IDB, tenantID int64, year, n int) (int, error) {
	var seq int
	bump := func() error {
		return tx.NewRaw("UPDATE catalog_index_counters SET next_seq = next_seq + ? WHERE tenant_id = ? AND year = ? RETURNING next_seq - ?",
			n, tenantID, year, n).Scan(ctx, &seq)
	}
	err := bump()
	if isNoRows(err) {
		if _, err := tx.NewInsert().Model(&indexCounter{TenantID: tenantID, Year: year, NextSeq: 1}).
			On("CONFLICT (tenant_id, year) DO NOTHING").Exec(ctx); err != nil {
			return 0, db.Translate(err)
		}
		err = bump()
	}
	if err != nil {
		return 0, db.Translate(err)
	}
	return seq, nil
}

// publishRevisionTx publishes the approved revision draft d: its content
// replaces that of the item it revises (which keeps its index number and
// first publication date), the new version is kept as a revision, the
// draft's workflow steps move to the item, and the draft row goes.
// It also returns the stored attachment files no longer used, to remove
// after commit.
func (s *Service) publishRevisionTx(ctx context.Context, tx bun.IDB, t tenant.Tenant, d *Item, comment string) (*Item, []string, error) {
	a := actor(ctx)
	now := s.now().UTC()
	o, err := getItem(ctx, tx, d.TenantID, d.RevisesID, true, s.db.Dialect)
	if err != nil {
		return nil, nil, err
	}
	if o.State != Published {
		return nil, nil, fault.New(fault.Conflict, "cannot publish the revision: item %d is %s (%s); only a published item can be revised", o.ID, o.State, o.State.Label())
	}
	before := o.Title
	o.Title, o.Summary, o.Body, o.DocNo, o.Issuer, o.FormedOn = d.Title, d.Summary, d.Body, d.DocNo, d.Issuer, d.FormedOn
	o.CategoryCode, o.Topics, o.DocKind, o.Basis = d.CategoryCode, d.Topics, d.DocKind, d.Basis
	o.ReviewerName, o.ReviewedAt = d.ReviewerName, d.ReviewedAt
	o.Revision++
	o.RevisedOn = s.today(t)
	o.UpdatedAt = now
	o.index()
	if _, err := tx.NewUpdate().Model(o).Column("title", "summary", "body", "doc_no", "issuer", "formed_on", "category_code", "topics",
		"doc_kind", "basis", "reviewer_name", "reviewed_at", "revision", "revised_on", "updated_at", "search_title", "search_text").
		Where("tenant_id = ? AND id = ?", o.TenantID, o.ID).Exec(ctx); err != nil {
		return nil, nil, db.Translate(err)
	}
	if err := s.snapshotTx(ctx, tx, o, a.Name); err != nil {
		return nil, nil, err
	}
	if _, err := tx.NewUpdate().Model((*Transition)(nil)).Set("item_id = ?", o.ID).Where("tenant_id = ? AND item_id = ?", d.TenantID, d.ID).Exec(ctx); err != nil {
		return nil, nil, db.Translate(err)
	}
	orphans, err := replaceAttachmentsTx(ctx, tx, d.TenantID, d.ID, o.ID) // the revision's files replace the item's
	if err != nil {
		return nil, nil, err
	}
	if _, err := tx.NewDelete().Model((*Item)(nil)).Where("tenant_id = ? AND id = ?", d.TenantID, d.ID).Exec(ctx); err != nil {
		return nil, nil, db.Translate(err)
	}
	if comment == "" {
		comment = "revision " + strconv.Itoa(o.Revision)
	}
	if err := s.recordTransition(ctx, tx, o.TenantID, o.ID, ActPublish, Approved, Published, comment); err != nil {
		return nil, nil, err
	}
	if err := audit.Record(ctx, tx, now, audit.Entry{TenantID: o.TenantID, Action: "catalog.item_revised", ObjectType: "catalog_item",
		ObjectID: strconv.FormatInt(o.ID, 10), Changes: map[string]any{"revision": o.Revision, "title": []string{before, o.Title}, "revision_draft": d.ID}}); err != nil {
		return nil, nil, err
	}
	return o, orphans, nil
}

// Revise starts a revision of a published item: a new draft holding a copy
// of its content, which is edited and goes through review like any draft
// and, once published, replaces the item's content (the item keeps its
// index number; the previous version is kept; the public page notes the
// revision). One revision at a time per item. The draft's date formed is
// today, the day the information changes, from which the 20 working days
// of Art. 26 run; the officer may set the actual date of the change.
func (s *Service) Revise(ctx context.Context, tenantID, id int64) (*Item, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "write"); err != nil {
		return nil, err
	}
	t, err := s.loadTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var d *Item
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		o, err := getItem(ctx, tx, tenantID, id, true, s.db.Dialect)
		if err != nil {
			return err
		}
		if o.State != Published {
			return conflictState("revise", o.State)
		}
		var open Item
		err = tx.NewSelect().Model(&open).Column("id").Where("tenant_id = ? AND revises_id = ?", tenantID, id).Limit(1).Scan(ctx)
		if err == nil {
			return fault.New(fault.Conflict, "item %d already has a revision in progress (item %d): edit that one", id, open.ID)
		} else if !isNoRows(err) {
			return db.Translate(err)
		}
		in := ItemInput{Title: o.Title, Summary: o.Summary, Body: o.Body, DocNo: o.DocNo, Issuer: o.Issuer, FormedOn: s.today(t),
			Category: o.CategoryCode, Topics: o.TopicCodes(), DocKind: o.DocKind, Basis: o.Basis}
		if d, err = s.insertDraft(ctx, tx, tenantID, in, id, ""); err != nil {
			return err
		}
		return copyAttachmentsTx(ctx, tx, tenantID, id, d.ID) // the revision starts with the published files
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}
