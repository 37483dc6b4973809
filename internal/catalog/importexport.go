package catalog

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// MaxImportRows is the largest batch Import accepts.
const MaxImportRows = 1000

// Import row outcomes.
const (
	RowCreated   = "created"
	RowUpdated   = "updated"
	RowUnchanged = "unchanged"
	RowRejected  = "rejected"
)

// RowResult says what Import did (or would have done) with one row.
type RowResult struct {
	// Row is the 0-based position in the batch.
	Row        int                `json:"row"`
	ExternalID string             `json:"external_id"`
	Status     string             `json:"status" enum:"created,updated,unchanged,rejected"`
	ID         int64              `json:"id,omitempty"`
	Errors     []fault.FieldError `json:"errors,omitempty"`
}

// ImportReport is the outcome of a batch: applied entirely, or not at all
// when any row was rejected (then Rows says which and why).
type ImportReport struct {
	Applied   bool        `json:"applied"`
	Created   int         `json:"created"`
	Updated   int         `json:"updated"`
	Unchanged int         `json:"unchanged"`
	Rejected  int         `json:"rejected"`
	Rows      []RowResult `json:"rows"`
}

// Import creates or updates draft items from an integrator's batch,
// idempotent by external ID: a new external ID creates a draft, a known one
// updates the draft (or leaves it when identical). An item past draft is
// left alone when identical and rejected otherwise (a published item is
// changed through a revision). The batch is all-or-nothing: when any row
// is rejected nothing is written, the report lists every rejected row and
// the error is a fault.Invalid naming items[i].field. Imported items still
// go through review (Art. 17) before publication.
func (s *Service) Import(ctx context.Context, tenantID int64, rows []ItemInput) (*ImportReport, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "write"); err != nil {
		return nil, err
	}
	switch {
	case len(rows) == 0:
		return nil, fault.Field("items", "is empty: send at least one item")
	case len(rows) > MaxImportRows:
		return nil, fault.Field("items", "at most %d items per batch, got %d", MaxImportRows, len(rows))
	}
	t, err := s.loadTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{Rows: make([]RowResult, len(rows))}
	seen := map[string]int{}
	for i := range rows {
		prefix := fmt.Sprintf("items[%d].", i)
		errs := s.prepare(t, &rows[i], prefix)
		ext := rows[i].ExternalID
		if ext == "" {
			errs = append(errs, fault.FieldError{Field: prefix + "external_id", Message: "is required for import: the item's ID in your system"})
		} else if first, dup := seen[ext]; dup {
			errs = append(errs, fault.FieldError{Field: prefix + "external_id", Message: fmt.Sprintf("%q is also used by items[%d]", ext, first)})
		} else {
			seen[ext] = i
		}
		rep.Rows[i] = RowResult{Row: i, ExternalID: ext, Errors: errs}
	}
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.seedTx(ctx, tx, t); err != nil {
			return err
		}
		cats, err := categoriesTx(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		names := categoryNames(cats)
		var all []fault.FieldError
		for i := range rows {
			r := &rep.Rows[i]
			prefix := fmt.Sprintf("items[%d].", i)
			r.Errors = append(r.Errors, checkCategory(names, rows[i].Category, prefix)...)
			if len(r.Errors) == 0 {
				if err := s.importRowTx(ctx, tx, tenantID, rows[i], r, prefix); err != nil {
					return err
				}
			}
			if len(r.Errors) > 0 {
				r.Status, r.ID = RowRejected, 0
				all = append(all, r.Errors...)
			}
		}
		if len(all) > 0 {
			return fault.Fields(all)
		}
		return nil
	})
	for i := range rep.Rows {
		switch rep.Rows[i].Status {
		case RowCreated:
			rep.Created++
			if err != nil {
				rep.Rows[i].ID = 0 // rolled back
			}
		case RowUpdated:
			rep.Updated++
		case RowUnchanged:
			rep.Unchanged++
		case RowRejected:
			rep.Rejected++
		}
	}
	if err != nil {
		if fault.Is(err, fault.Invalid) {
			return rep, err
		}
		return nil, err
	}
	rep.Applied = true
	return rep, nil
}

// importRowTx applies one valid row inside tx, recording the outcome in r
// (or a rejection in r.Errors).
func (s *Service) importRowTx(ctx context.Context, tx bun.IDB, tenantID int64, in ItemInput, r *RowResult, prefix string) error {
	cur := new(Item)
	err := tx.NewSelect().Model(cur).Where("tenant_id = ? AND external_id = ?", tenantID, in.ExternalID).Scan(ctx)
	switch {
	case isNoRows(err):
		it, err := s.insertDraft(ctx, tx, tenantID, in, 0, "import")
		if err != nil {
			return err
		}
		r.Status, r.ID = RowCreated, it.ID
		return nil
	case err != nil:
		return db.Translate(err)
	}
	normalize(cur)
	r.ID = cur.ID
	switch {
	case s.sameContent(in, cur):
		r.Status = RowUnchanged
	case cur.State == Draft:
		if err := s.updateDraftTx(ctx, tx, cur, in, "import"); err != nil {
			return err
		}
		r.Status = RowUpdated
	default:
		r.Errors = append(r.Errors, fault.FieldError{Field: prefix + "external_id",
			Message: fmt.Sprintf("item %d with external_id %q is %s (%s): only drafts are updated by import; start a revision to change it", cur.ID, in.ExternalID, cur.State, cur.State.Label())})
	}
	return nil
}

// ExportItem is one item in an export: the import fields (so that an
// export can be imported again) plus the workflow and publication data.
type ExportItem struct {
	ID           int64        `json:"id"`
	ExternalID   string       `json:"external_id,omitempty"`
	State        State        `json:"state"`
	RevisesID    int64        `json:"revises_id,omitempty"`
	IndexNo      string       `json:"index_no,omitempty"`
	Title        string       `json:"title"`
	Summary      string       `json:"summary"`
	Body         string       `json:"body"`
	DocNo        string       `json:"doc_no"`
	Issuer       string       `json:"issuer"`
	FormedOn     workday.Date `json:"formed_on"`
	PublishedOn  workday.Date `json:"published_on,omitzero"`
	RevisedOn    workday.Date `json:"revised_on,omitzero"`
	Category     string       `json:"category"`
	Topics       []string     `json:"topics"`
	DocKind      string       `json:"doc_kind"`
	Validity     string       `json:"validity"`
	SupersededBy int64        `json:"superseded_by,omitempty"`
	Basis        int          `json:"basis,omitempty"`
	Revision     int          `json:"revision"`
}

// ExportOf returns the export form of an item.
func ExportOf(it Item) ExportItem {
	return ExportItem{ID: it.ID, ExternalID: it.ExternalID, State: it.State, RevisesID: it.RevisesID, IndexNo: it.IndexNo, Title: it.Title,
		Summary: it.Summary, Body: it.Body, DocNo: it.DocNo, Issuer: it.Issuer, FormedOn: it.FormedOn, PublishedOn: it.PublishedOn,
		RevisedOn: it.RevisedOn, Category: it.CategoryCode, Topics: it.TopicCodes(), DocKind: it.DocKind, Validity: it.Validity,
		SupersededBy: it.SupersededBy, Basis: it.Basis, Revision: it.Revision}
}

// Export formats.
const (
	FormatCSV  = "csv"
	FormatJSON = "json"
)

// Export writes the bureau's items (in the given states, all when none) to
// w as CSV (UTF-8 with a header row; cells a spreadsheet would run as
// formulas are quoted as text) or as a JSON array ("catalog read").
func (s *Service) Export(ctx context.Context, tenantID int64, states []State, format string, w io.Writer) error {
	if err := s.authz.Require(ctx, tenantID, "catalog", "read"); err != nil {
		return err
	}
	if format != FormatCSV && format != FormatJSON {
		return fault.Field("format", "must be csv or json")
	}
	var items []Item
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&items).Where("tenant_id = ?", tenantID).OrderExpr("id")
		if len(states) > 0 {
			q = q.Where("state IN (?)", bun.List(states))
		}
		return db.Translate(q.Scan(ctx))
	})
	if err != nil {
		return err
	}
	out := make([]ExportItem, 0, len(items))
	for _, it := range items {
		out = append(out, ExportOf(it))
	}
	if format == FormatJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	return writeCSV(w, out)
}

// csvHeader is the header row of a CSV export.
var csvHeader = []string{"id", "external_id", "state", "revises_id", "index_no", "title", "summary", "doc_no", "issuer", "formed_on",
	"published_on", "revised_on", "category", "topics", "doc_kind", "validity", "superseded_by", "basis", "revision", "body"}

func writeCSV(w io.Writer, items []ExportItem) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(csvHeader)
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	date := func(d workday.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	for _, e := range items {
		row := []string{strconv.FormatInt(e.ID, 10), e.ExternalID, string(e.State), id(e.RevisesID), e.IndexNo, e.Title, e.Summary, e.DocNo,
			e.Issuer, date(e.FormedOn), date(e.PublishedOn), date(e.RevisedOn), e.Category, strings.Join(e.Topics, ","), e.DocKind, e.Validity,
			id(e.SupersededBy), strconv.Itoa(e.Basis), strconv.Itoa(e.Revision), e.Body}
		for i, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				row[i] = "'" + cell
			}
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}
