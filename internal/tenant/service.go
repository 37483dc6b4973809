package tenant

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/tenants"
)

// Tenant is a provisioned bureau or affiliated unit: its database identity
// and the spec it was provisioned from.
type Tenant struct {
	ID         int64
	Slug       string
	Name       string
	Kind       Kind
	CreditCode string
	ParentID   int64 // 0 for a top-level bureau
	Spec       Spec
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// tenantRow is the storage form of a Tenant.
type tenantRow struct {
	bun.BaseModel `bun:"table:tenants"`
	ID            int64  `bun:",pk,autoincrement"`
	Slug          string `bun:",notnull"`
	Name          string `bun:",notnull"`
	Kind          string `bun:",notnull"`
	CreditCode    string `bun:",notnull"`
	ParentID      *int64
	Spec          json.RawMessage `bun:"type:jsonb,notnull"`
	SpecHash      string          `bun:",notnull"`
	CreatedAt     time.Time       `bun:",notnull"`
	UpdatedAt     time.Time       `bun:",notnull"`
}

func (r *tenantRow) tenant() (Tenant, error) {
	var spec Spec
	if err := json.Unmarshal(r.Spec, &spec); err != nil {
		return Tenant{}, fault.Wrap(err, fault.Internal, "stored spec of bureau %s is unreadable", r.Slug)
	}
	t := Tenant{ID: r.ID, Slug: r.Slug, Name: r.Name, Kind: Kind(r.Kind), CreditCode: r.CreditCode, Spec: spec,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.ParentID != nil {
		t.ParentID = *r.ParentID
	}
	return t, nil
}

// Service provisions bureaus from their specs and reads them.
type Service struct {
	db  *db.DB
	now func() time.Time

	mu     sync.Mutex
	listed listing // the last List, reused while the table is unchanged
}

// listing is a List result with the fingerprint of the table it was read
// from: the number of bureaus and their latest change (Apply stamps every
// row it writes), and when the fingerprint was last found unchanged.
type listing struct {
	n        int
	changed  time.Time
	bureaus  []Tenant
	verified time.Time
}

// freshFor is how long a verified listing is used without checking the
// fingerprint again. Bureaus change only when an administrator applies the
// tenant files: this process's Apply drops the listing at once, another
// process's change shows here within freshFor. Without it every public
// page paid a round trip to the database to find its bureau.
const freshFor = time.Second

// NewService returns the tenant service; now is the clock.
func NewService(d *db.DB, now func() time.Time) *Service {
	return &Service{db: d, now: now}
}

// ApplyResult says what Apply did, by slug.
type ApplyResult struct {
	Created   []string
	Changed   []string
	Unchanged []string
}

// Apply provisions specs (already validated together by LoadDir, parents
// first) in one transaction: new bureaus are created, changed ones updated,
// identical ones left alone. Running it twice changes nothing the second time.
func (s *Service) Apply(ctx context.Context, specs []Spec) (ApplyResult, error) {
	var res ApplyResult
	err := s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		ids := map[string]int64{}
		for _, spec := range specs {
			stored := spec
			stored.File = ""
			raw, err := json.Marshal(stored)
			if err != nil {
				return fault.Wrap(err, fault.Internal, "encode spec %s", spec.Slug)
			}
			sum := sha256.Sum256(raw)
			hash := hex.EncodeToString(sum[:])
			var parentID *int64
			if spec.Parent != "" {
				id, ok := ids[spec.Parent]
				if !ok {
					var p tenantRow
					if err := tx.NewSelect().Model(&p).Where("slug = ?", spec.Parent).Scan(ctx); err != nil {
						return fault.Field(spec.File+": parent", "no bureau with slug %q", spec.Parent)
					}
					id = p.ID
				}
				parentID = &id
			}
			var row tenantRow
			err = tx.NewSelect().Model(&row).Where("slug = ?", spec.Slug).Scan(ctx)
			now := s.now().UTC()
			switch {
			case err == nil && row.SpecHash == hash && samePtr(row.ParentID, parentID):
				res.Unchanged = append(res.Unchanged, spec.Slug)
			case err == nil:
				row.Name, row.Kind, row.CreditCode, row.ParentID = spec.Name, string(spec.Kind), spec.CreditCode, parentID
				row.Spec, row.SpecHash, row.UpdatedAt = raw, hash, now
				if _, err := tx.NewUpdate().Model(&row).WherePK().Exec(ctx); err != nil {
					return db.Translate(err)
				}
				res.Changed = append(res.Changed, spec.Slug)
			case errors.Is(err, sql.ErrNoRows):
				row = tenantRow{Slug: spec.Slug, Name: spec.Name, Kind: string(spec.Kind), CreditCode: spec.CreditCode,
					ParentID: parentID, Spec: raw, SpecHash: hash, CreatedAt: now, UpdatedAt: now}
				if _, err := tx.NewInsert().Model(&row).Returning("id").Exec(ctx); err != nil {
					err = db.Translate(err)
					if fault.Is(err, fault.Conflict) {
						return fault.Field(spec.File+": credit_code", "credit code %s is already used by another bureau", spec.CreditCode)
					}
					return err
				}
				res.Created = append(res.Created, spec.Slug)
			default:
				return db.Translate(err)
			}
			ids[spec.Slug] = row.ID
		}
		return nil
	})
	s.mu.Lock()
	s.listed = listing{} // read the bureaus again, whatever happened
	s.mu.Unlock()
	if err != nil {
		return ApplyResult{}, err
	}
	return res, nil
}

func samePtr(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// List returns every bureau, ordered by slug. Bureau names and contacts are
// public (the disclosure guide publishes them), so no actor is needed.
func (s *Service) List(ctx context.Context) ([]Tenant, error) {
	s.mu.Lock()
	if l := s.listed; l.bureaus != nil && time.Since(l.verified) < freshFor {
		s.mu.Unlock()
		return slices.Clone(l.bureaus), nil
	}
	s.mu.Unlock()
	return s.list(ctx)
}

// list is List after checking the fingerprint of the table.
func (s *Service) list(ctx context.Context) ([]Tenant, error) {
	var fp struct {
		N       int       `bun:"n"`
		Changed time.Time `bun:"changed"`
	}
	// Reading every bureau means decoding every spec; the fingerprint is
	// one cheap row, so a city's console pages reuse the decoded list until
	// a bureau is provisioned or changed (by this process or another).
	if err := s.db.Bun.NewSelect().Model((*tenantRow)(nil)).ColumnExpr("count(*) AS n, max(updated_at) AS changed").Scan(ctx, &fp); err != nil {
		return nil, db.Translate(err)
	}
	checked := time.Now()
	s.mu.Lock()
	if l := s.listed; l.bureaus != nil && l.n == fp.N && l.changed.Equal(fp.Changed) {
		s.listed.verified = checked
		s.mu.Unlock()
		return slices.Clone(l.bureaus), nil
	}
	s.mu.Unlock()
	var rows []tenantRow
	if err := s.db.Bun.NewSelect().Model(&rows).Order("slug").Scan(ctx); err != nil {
		return nil, db.Translate(err)
	}
	out := make([]Tenant, 0, len(rows))
	changed := time.Time{}
	for i := range rows {
		t, err := rows[i].tenant()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		if rows[i].UpdatedAt.After(changed) {
			changed = rows[i].UpdatedAt
		}
	}
	s.mu.Lock()
	s.listed = listing{n: len(rows), changed: changed, bureaus: slices.Clone(out), verified: checked}
	s.mu.Unlock()
	return out, nil
}

// BySlug returns the bureau with the slug, or a NotFound error.
func (s *Service) BySlug(ctx context.Context, slug string) (Tenant, error) {
	return s.find(ctx, func(t *Tenant) bool { return t.Slug == slug }, "bureau "+slug)
}

// ByID returns the bureau with the id, or a NotFound error.
func (s *Service) ByID(ctx context.Context, id int64) (Tenant, error) {
	return s.find(ctx, func(t *Tenant) bool { return t.ID == id }, "bureau")
}

// find returns the listed bureau that is, checking the table's fingerprint
// once more before answering NotFound (a bureau just provisioned by another
// process is found at once).
func (s *Service) find(ctx context.Context, is func(*Tenant) bool, what string) (Tenant, error) {
	s.mu.Lock()
	if l := s.listed; l.bureaus != nil && time.Since(l.verified) < freshFor {
		for i := range l.bureaus { // the listing itself: no copy of every bureau per lookup
			if is(&l.bureaus[i]) {
				t := l.bureaus[i]
				s.mu.Unlock()
				return t, nil
			}
		}
	}
	s.mu.Unlock()
	ts, err := s.list(ctx)
	if err != nil {
		return Tenant{}, err
	}
	if i := slices.IndexFunc(ts, func(t Tenant) bool { return is(&t) }); i >= 0 {
		return ts[i], nil
	}
	return Tenant{}, fault.New(fault.NotFound, "%s not found", what)
}

// LoadFiles reads and validates the tenant files in dir, or the built-in demo
// city (the embedded tenants/ directory) when dir is empty.
func LoadFiles(dir string) ([]Spec, error) {
	var fsys fs.FS = tenants.FS
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	return LoadDir(fsys, ".")
}
