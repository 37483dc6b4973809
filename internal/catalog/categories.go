package catalog

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/tenant"
)

// Category is one stored node of a bureau's category tree (信息类别). The
// code is stable (items and URLs refer to it); a child's code extends its
// parent's code with a dot. The guide must state the classification system
// (Art. 12).
type Category struct {
	bun.BaseModel `bun:"table:catalog_categories"`
	TenantID      int64     `bun:",notnull"`
	ID            int64     `bun:",pk,autoincrement"`
	Code          string    `bun:",notnull"`
	ParentCode    string    `bun:",notnull"`
	Name          string    `bun:",notnull"`
	Position      int       `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
	UpdatedAt     time.Time `bun:",notnull"`
}

// CategoryNode is a category with its sub-categories, in display order.
type CategoryNode struct {
	Code     string         `json:"code"`
	Name     string         `json:"name"`
	Children []CategoryNode `json:"children,omitempty"`
}

// maxCategoryDepth bounds the tree, as for the templates.
const maxCategoryDepth = 4

var codeSegment = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// templateRows flattens a template tree into rows in display order.
func templateRows(tenantID int64, cs []tenant.Category, parent string, now time.Time, out []Category) []Category {
	for i, c := range cs {
		out = append(out, Category{TenantID: tenantID, Code: c.Code, ParentCode: parent, Name: c.Name, Position: i + 1, CreatedAt: now, UpdatedAt: now})
		out = templateRows(tenantID, c.Children, c.Code, now, out)
	}
	return out
}

// SeedCategories stores the category tree of the bureau's kind template
// when the bureau has none yet, and returns how many categories it stored
// (0 when the tree exists: calling it again changes nothing). Provisioning
// calls it for every bureau; creating the first item seeds as well.
func (s *Service) SeedCategories(ctx context.Context, tenantID int64) (int, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "manage"); err != nil {
		return 0, err
	}
	t, err := s.loadTenant(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		var err error
		n, err = s.seedTx(ctx, tx, t)
		return err
	})
	return n, err
}

// seedTx stores the template tree inside tx when the bureau has no
// categories. Concurrent seeders insert the same rows; conflicts are ignored.
func (s *Service) seedTx(ctx context.Context, tx bun.IDB, t tenant.Tenant) (int, error) {
	exists, err := tx.NewSelect().Model((*Category)(nil)).Where("tenant_id = ?", t.ID).Exists(ctx)
	if err != nil {
		return 0, db.Translate(err)
	}
	if exists {
		return 0, nil
	}
	rows := templateRows(t.ID, s.templates[t.Kind].Categories, "", s.now().UTC(), nil)
	if len(rows) == 0 {
		return 0, nil
	}
	res, err := tx.NewInsert().Model(&rows).On("CONFLICT (tenant_id, code) DO NOTHING").Exec(ctx)
	if err != nil {
		return 0, db.Translate(err)
	}
	n, _ := res.RowsAffected()
	if n > 0 {
		if err := audit.Record(ctx, tx, s.now(), audit.Entry{TenantID: t.ID, Action: "catalog.categories_seeded", ObjectType: "catalog_category",
			ObjectID: string(t.Kind), Changes: map[string]any{"count": n, "template": string(t.Kind)}}); err != nil {
			return 0, err
		}
	}
	return int(n), nil
}

// categoriesTx returns the bureau's stored categories in display order.
func categoriesTx(ctx context.Context, tx bun.IDB, tenantID int64) ([]Category, error) {
	var rows []Category
	err := tx.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).OrderExpr("parent_code, position, id").Scan(ctx)
	return rows, db.Translate(err)
}

// tree builds the nested tree from flat rows (parents before or after
// children, in any order).
func tree(rows []Category) []CategoryNode {
	children := map[string][]Category{}
	for _, r := range rows {
		children[r.ParentCode] = append(children[r.ParentCode], r)
	}
	var build func(parent string) []CategoryNode
	build = func(parent string) []CategoryNode {
		var out []CategoryNode
		for _, r := range children[parent] {
			out = append(out, CategoryNode{Code: r.Code, Name: r.Name, Children: build(r.Code)})
		}
		return out
	}
	return build("")
}

// Categories returns the bureau's category tree. The tree is public (the
// catalog is navigated by it), so no actor is needed. A bureau not seeded
// yet shows its kind's template.
func (s *Service) Categories(ctx context.Context, tenantID int64) ([]CategoryNode, error) {
	t, err := s.loadTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var rows []Category
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		rows, err = categoriesTx(ctx, tx, tenantID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		rows = templateRows(tenantID, s.templates[t.Kind].Categories, "", time.Time{}, nil)
	}
	return tree(rows), nil
}

// categoryNames returns code -> name of the bureau's categories.
func categoryNames(rows []Category) map[string]string {
	m := make(map[string]string, len(rows))
	for _, r := range rows {
		m[r.Code] = r.Name
	}
	return m
}

// checkCategoryName validates a category name.
func checkCategoryName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", fault.Field("name", "is required")
	case utf8.RuneCountInString(name) > 50:
		return "", fault.Field("name", "must be at most 50 characters")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", fault.Field("name", "must be one line without control characters")
	}
	return name, nil
}

// AddCategory adds a category to the bureau's tree (bureau admin,
// "catalog manage"). code is the full code; a sub-category extends its
// parent's code with a dot (elderly_care.fees), and the parent must exist.
// The classification system is part of the disclosure guide (Art. 12).
func (s *Service) AddCategory(ctx context.Context, tenantID int64, code, name string) (*Category, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "manage"); err != nil {
		return nil, err
	}
	segs := strings.Split(code, ".")
	for _, seg := range segs {
		if !codeSegment.MatchString(seg) {
			return nil, fault.Field("code", "%q: each dot-separated part uses a-z, 0-9 and _ starting with a letter, at most 40 characters", code)
		}
	}
	if len(segs) > maxCategoryDepth {
		return nil, fault.Field("code", "categories may nest at most %d levels", maxCategoryDepth)
	}
	name, err := checkCategoryName(name)
	if err != nil {
		return nil, err
	}
	t, err := s.loadTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	parent := strings.Join(segs[:len(segs)-1], ".")
	c := &Category{TenantID: tenantID, Code: code, ParentCode: parent, Name: name, CreatedAt: s.now().UTC(), UpdatedAt: s.now().UTC()}
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.seedTx(ctx, tx, t); err != nil {
			return err
		}
		rows, err := categoriesTx(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		names := categoryNames(rows)
		if _, dup := names[code]; dup {
			return fault.New(fault.Conflict, "category %s already exists", code)
		}
		if _, ok := names[parent]; parent != "" && !ok {
			return fault.Field("code", "parent category %s does not exist", parent)
		}
		for _, r := range rows {
			if r.ParentCode == parent && r.Position >= c.Position {
				c.Position = r.Position + 1
			}
		}
		if c.Position == 0 {
			c.Position = 1
		}
		if _, err := tx.NewInsert().Model(c).Returning("id").Exec(ctx); err != nil {
			return db.Translate(err)
		}
		return audit.Record(ctx, tx, s.now(), audit.Entry{TenantID: tenantID, Action: "catalog.category_added", ObjectType: "catalog_category",
			ObjectID: code, Changes: map[string]any{"name": name}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// RenameCategory changes the name of a category; its code (and so its
// items and URLs) stays. Bureau admin ("catalog manage").
func (s *Service) RenameCategory(ctx context.Context, tenantID int64, code, name string) (*Category, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "manage"); err != nil {
		return nil, err
	}
	name, err := checkCategoryName(name)
	if err != nil {
		return nil, err
	}
	t, err := s.loadTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	c := new(Category)
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.seedTx(ctx, tx, t); err != nil {
			return err
		}
		if err := tx.NewSelect().Model(c).Where("tenant_id = ? AND code = ?", tenantID, code).Scan(ctx); err != nil {
			return db.NotFound(err, "category "+code)
		}
		old := c.Name
		c.Name, c.UpdatedAt = name, s.now().UTC()
		if _, err := tx.NewUpdate().Model(c).Column("name", "updated_at").Where("tenant_id = ? AND id = ?", tenantID, c.ID).Exec(ctx); err != nil {
			return db.Translate(err)
		}
		return audit.Record(ctx, tx, s.now(), audit.Entry{TenantID: tenantID, Action: "catalog.category_renamed", ObjectType: "catalog_category",
			ObjectID: code, Changes: map[string]any{"name": []string{old, name}}})
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// DeleteCategory removes a category that has no sub-categories and no
// items (in any state, revisions included); otherwise 409. Bureau admin
// ("catalog manage").
func (s *Service) DeleteCategory(ctx context.Context, tenantID int64, code string) error {
	if err := s.authz.Require(ctx, tenantID, "catalog", "manage"); err != nil {
		return err
	}
	t, err := s.loadTenant(ctx, tenantID)
	if err != nil {
		return err
	}
	return s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.seedTx(ctx, tx, t); err != nil {
			return err
		}
		c := new(Category)
		if err := tx.NewSelect().Model(c).Where("tenant_id = ? AND code = ?", tenantID, code).Scan(ctx); err != nil {
			return db.NotFound(err, "category "+code)
		}
		kids, err := tx.NewSelect().Model((*Category)(nil)).Where("tenant_id = ? AND parent_code = ?", tenantID, code).Count(ctx)
		if err != nil {
			return db.Translate(err)
		}
		if kids > 0 {
			return fault.New(fault.Conflict, "category %s has %d sub-categories: delete or move them first", code, kids)
		}
		items, err := tx.NewSelect().Model((*Item)(nil)).Where("tenant_id = ? AND category_code = ?", tenantID, code).Count(ctx)
		if err != nil {
			return db.Translate(err)
		}
		if items > 0 {
			return fault.New(fault.Conflict, "category %s holds %d items: only an empty category can be deleted", code, items)
		}
		if _, err := tx.NewDelete().Model((*Category)(nil)).Where("tenant_id = ? AND id = ?", tenantID, c.ID).Exec(ctx); err != nil {
			return db.Translate(err)
		}
		return audit.Record(ctx, tx, s.now(), audit.Entry{TenantID: tenantID, Action: "catalog.category_deleted", ObjectType: "catalog_category",
			ObjectID: code, Changes: map[string]any{"name": c.Name}})
	})
}

// Leaves returns the categories of the tree without children, in the
// tree's order: those items are filed under.
func Leaves(tree []CategoryNode) []CategoryNode {
	var out []CategoryNode
	for _, c := range tree {
		if len(c.Children) == 0 {
			out = append(out, c)
		} else {
			out = append(out, Leaves(c.Children)...)
		}
	}
	return out
}
