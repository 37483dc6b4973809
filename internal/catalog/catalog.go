// Package catalog keeps each bureau's disclosure catalog (政府信息公开目录,
// Regulations Art. 12 and 19–26): the category tree, the items with their
// index numbers (索引号), the workflow from draft through confidentiality
// review (保密审查, Art. 17) to publication, withdrawal and repeal, the
// revisions of published items, the 20-working-day publication rule
// (Art. 26), search, and bulk import and export.
//
// Every tenant-owned query runs inside db.InTx with the bureau's scope;
// authorization is checked before the transaction opens (SQLite has one
// connection).
package catalog

import (
	"context"
	"html/template"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/uptrace/bun"

	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
	"gongkai/tenants"
)

// State is the workflow state of an item.
type State string

// The workflow states (Art. 17 review before publication, Art. 19–26).
const (
	Draft     State = "draft"     // 草稿: being written by an information officer
	Submitted State = "submitted" // 待审查: submitted for confidentiality review (保密审查, Art. 17)
	Approved  State = "approved"  // 审查通过: cleared for publication
	Published State = "published" // 已发布: in the public catalog
	Withdrawn State = "withdrawn" // 已撤回: taken off the public catalog; its URL answers 410
	Repealed  State = "repealed"  // 已废止: still listed publicly, no longer in force
)

// States lists every state in workflow order.
var States = []State{Draft, Submitted, Approved, Published, Withdrawn, Repealed}

// Label returns the Chinese name of the state.
func (s State) Label() string {
	switch s {
	case Draft:
		return "草稿"
	case Submitted:
		return "待保密审查"
	case Approved:
		return "审查通过"
	case Published:
		return "已发布"
	case Withdrawn:
		return "已撤回"
	case Repealed:
		return "已废止"
	}
	return string(s)
}

// Public reports whether items in the state are visible in the public
// catalog: published and repealed items (a repealed rule stays listed with
// its validity 已废止).
func (s State) Public() bool { return s == Published || s == Repealed }

// Document kinds (Table 2 of the annual report counts rules and normative
// documents, Art. 20 item (一)).
const (
	KindRule      = "rule"               // 规章
	KindNormative = "normative_document" // 行政规范性文件
	KindOther     = "other"              // 其他文件
)

// DocKinds lists the document kinds with their Chinese labels.
var DocKinds = []struct{ Code, Label string }{
	{KindRule, "规章"}, {KindNormative, "行政规范性文件"}, {KindOther, "其他文件"},
}

// DocKindLabel returns the Chinese label of a document kind.
func DocKindLabel(code string) string {
	for _, k := range DocKinds {
		if k.Code == code {
			return k.Label
		}
	}
	return code
}

// Validity values (有效性) of the national catalog guidance.
const (
	InForce        = "in_force" // 现行有效
	ValidityRepeal = "repealed" // 已废止
	Amended        = "amended"  // 已修订
)

// ValidityLabel returns the Chinese label of a validity value.
func ValidityLabel(v string) string {
	switch v {
	case InForce:
		return "现行有效"
	case ValidityRepeal:
		return "已废止"
	case Amended:
		return "已修订"
	}
	return v
}

// PublicationDays is the period within which information must be published
// after it is formed or changed: 20 working days (Art. 26).
const PublicationDays = 20

// RiskWindow is how many working days before the Art. 26 due date an
// unpublished item starts to be listed as at risk.
const RiskWindow = 5

// Item is one catalog item (目录条目) with at least the fields Art. 12
// requires (index number, name, content summary, date formed) and those of
// the national catalog guidance. A published item's row holds what the
// public sees; a revision in progress is a separate row with RevisesID set.
type Item struct {
	bun.BaseModel   `bun:"table:catalog_items"`
	TenantID        int64        `bun:",notnull"`
	ID              int64        `bun:",pk,autoincrement"`
	ExternalID      string       `bun:",nullzero"`
	State           State        `bun:",notnull"`
	RevisesID       int64        `bun:",nullzero"`
	IndexNo         string       `bun:",nullzero"`
	IndexYear       int          `bun:",nullzero"`
	IndexSeq        int          `bun:",nullzero"`
	Title           string       `bun:",notnull"`
	Summary         string       `bun:",notnull"`
	Body            string       `bun:",notnull"`
	DocNo           string       `bun:",notnull"`
	Issuer          string       `bun:",notnull"`
	FormedOn        workday.Date `bun:",notnull"`
	PublishedOn     workday.Date `bun:",nullzero"`
	RevisedOn       workday.Date `bun:",nullzero"`
	CategoryCode    string       `bun:",notnull"`
	Topics          string       `bun:",notnull"` // comma-separated topic codes
	DocKind         string       `bun:",notnull"`
	Validity        string       `bun:",notnull"`
	SupersededBy    int64        `bun:",nullzero"`
	Basis           int          `bun:",notnull"`
	Revision        int          `bun:",notnull"`
	Author          string       `bun:",notnull"`
	AuthorUserID    int64        `bun:",notnull"`
	AuthorName      string       `bun:",notnull"`
	Submitter       string       `bun:",notnull"`
	SubmitterUserID int64        `bun:",notnull"`
	ReviewerName    string       `bun:",notnull"`
	ReviewedAt      *time.Time
	// SearchTitle is the title lower-cased (for ranking) and SearchText the
	// title, summary, document number and index number lower-cased (for
	// matching).
	SearchTitle string    `bun:",notnull"`
	SearchText  string    `bun:",notnull"`
	CreatedAt   time.Time `bun:",notnull"`
	UpdatedAt   time.Time `bun:",notnull"`
}

// index refreshes the search columns from the content.
func (it *Item) index() {
	it.SearchTitle = strings.ToLower(it.Title)
	it.SearchText = strings.ToLower(it.Title + "\n" + it.Summary + "\n" + it.DocNo + "\n" + it.IndexNo)
}

// searchColumns are the columns index writes.
var searchColumns = []string{"search_title", "search_text"}

// TopicCodes returns the item's topic codes.
func (it *Item) TopicCodes() []string {
	if it.Topics == "" {
		return []string{}
	}
	return strings.Split(it.Topics, ",")
}

// Transition is one recorded workflow step of an item: who, when, from and
// to which state, and the comment.
type Transition struct {
	bun.BaseModel `bun:"table:catalog_transitions"`
	TenantID      int64     `bun:",notnull"`
	ID            int64     `bun:",pk,autoincrement"`
	ItemID        int64     `bun:",notnull"`
	Action        string    `bun:",notnull"`
	FromState     string    `bun:",notnull"`
	ToState       string    `bun:",notnull"`
	Comment       string    `bun:",notnull"`
	Actor         string    `bun:",notnull"`
	ActorName     string    `bun:",notnull"`
	At            time.Time `bun:",notnull"`
}

// Revision is one published version of an item, kept when the item is
// revised (revision 1 is the first publication).
type Revision struct {
	bun.BaseModel `bun:"table:catalog_revisions"`
	TenantID      int64        `bun:",notnull"`
	ID            int64        `bun:",pk,autoincrement"`
	ItemID        int64        `bun:",notnull"`
	Revision      int          `bun:",notnull"`
	Title         string       `bun:",notnull"`
	Summary       string       `bun:",notnull"`
	Body          string       `bun:",notnull"`
	DocNo         string       `bun:",notnull"`
	Issuer        string       `bun:",notnull"`
	FormedOn      workday.Date `bun:",notnull"`
	PublishedOn   workday.Date `bun:",notnull"`
	CategoryCode  string       `bun:",notnull"`
	Topics        string       `bun:",notnull"`
	DocKind       string       `bun:",notnull"`
	Basis         int          `bun:",notnull"`
	ReviewerName  string       `bun:",notnull"`
	PublisherName string       `bun:",notnull"`
	PublishedAt   time.Time    `bun:",notnull"`
}

// indexCounter is the next index sequence of a bureau and year.
type indexCounter struct {
	bun.BaseModel `bun:"table:catalog_index_counters"`
	TenantID      int64 `bun:",pk"`
	Year          int   `bun:",pk"`
	NextSeq       int   `bun:",notnull"`
}

// Tenants reads bureaus; *tenant.Service implements it.
type Tenants interface {
	ByID(ctx context.Context, id int64) (tenant.Tenant, error)
}

// CalendarSource gives the current working-day calendar; *calendar.Service
// implements it (national schedule plus the city's corrections).
type CalendarSource interface {
	Calendar(ctx context.Context) (*workday.Calendar, error)
}

// NationalCalendar is a CalendarSource of the national schedule without
// local corrections, for tools and tests without a database calendar.
type NationalCalendar struct{}

// Calendar returns workday.Default().
func (NationalCalendar) Calendar(context.Context) (*workday.Calendar, error) {
	return workday.Default()
}

// Service keeps the catalogs of all bureaus.
type Service struct {
	db        *db.DB
	authz     *authz.Authorizer
	tenants   Tenants
	calendar  CalendarSource
	templates map[tenant.Kind]tenant.Template
	now       func() time.Time
	policy    *bluemonday.Policy
	events    Events
	attach    attachmentStore // attachments.go
}

// NewService returns the catalog service. It reads the category templates
// of the bureau kinds embedded in tenants/.
func NewService(d *db.DB, az *authz.Authorizer, ts Tenants, cal CalendarSource, now func() time.Time) (*Service, error) {
	tmpls, err := tenant.LoadTemplates(tenants.FS, "templates")
	if err != nil {
		return nil, err
	}
	if cal == nil {
		cal = NationalCalendar{}
	}
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, authz: az, tenants: ts, calendar: cal, templates: tmpls, now: now, policy: bluemonday.UGCPolicy()}, nil
}

// Template returns the catalog template of the bureau's kind (categories
// and topics).
func (s *Service) Template(t tenant.Tenant) tenant.Template { return s.templates[t.Kind] }

// SafeBody returns the item body sanitised again for display. Bodies are
// sanitised when written; this second pass keeps the page safe even if a
// row was written by other means.
func (s *Service) SafeBody(body string) template.HTML {
	return template.HTML(s.policy.Sanitize(body)) //nolint:gosec // sanitised by bluemonday's UGC policy
}

// today returns the current date in the bureau's time zone.
func (s *Service) today(t tenant.Tenant) workday.Date {
	loc, err := t.Spec.Location()
	if err != nil {
		loc = workday.ChinaTime
	}
	return workday.FromTime(s.now(), loc)
}

// actor returns the actor of ctx (System when none).
func actor(ctx context.Context) authz.Actor {
	a, ok := authz.ActorFrom(ctx)
	if !ok {
		return authz.System
	}
	return a
}

// samePerson reports whether the actor is the person recorded by subject
// and userID: the same subject, or a token of that user.
func samePerson(a authz.Actor, subject string, userID int64) bool {
	if subject == "" {
		return false
	}
	return a.Subject == subject || (userID != 0 && a.UserID == userID)
}

// loadTenant returns the bureau; called before a transaction opens.
func (s *Service) loadTenant(ctx context.Context, tenantID int64) (tenant.Tenant, error) {
	t, err := s.tenants.ByID(ctx, tenantID)
	if err != nil {
		return tenant.Tenant{}, err
	}
	return t, nil
}

// getItem reads an item of the bureau inside tx; another bureau's item is
// not found.
func getItem(ctx context.Context, tx bun.IDB, tenantID, id int64, forUpdate bool, dialect db.Dialect) (*Item, error) {
	it := new(Item)
	q := tx.NewSelect().Model(it).Where("tenant_id = ? AND id = ?", tenantID, id)
	if forUpdate && dialect == db.Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, db.NotFound(err, "catalog item")
	}
	normalize(it)
	return it, nil
}

// normalize puts times read from the database in UTC.
func normalize(it *Item) {
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	if it.ReviewedAt != nil {
		t := it.ReviewedAt.UTC()
		it.ReviewedAt = &t
	}
}

// conflictState is the 409 for an action the state does not allow.
func conflictState(action string, st State) error {
	allowed := allowedActions(st)
	list := "none"
	if len(allowed) > 0 {
		list = strings.Join(allowed, ", ")
	}
	return fault.New(fault.Conflict, "cannot %s: the item is %s (%s); allowed from %s: %s", action, st, st.Label(), st, list)
}
