package authz

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/policies"
)

// assignment is a user (or other subject) -> role grant in a domain.
type assignment struct {
	bun.BaseModel `bun:"table:role_assignments"`
	ID            int64     `bun:",pk,autoincrement"`
	Subject       string    `bun:",notnull"`
	Role          string    `bun:",notnull"`
	Domain        string    `bun:",notnull"`
	CreatedAt     time.Time `bun:",notnull"`
}

// policyVersion is the counter bumped with every role change.
type policyVersion struct {
	bun.BaseModel `bun:"table:policy_version"`
	ID            int   `bun:",pk"`
	Version       int64 `bun:",notnull"`
}

// Authorizer answers "may this actor do this in this bureau". It keeps the
// rules in memory and reloads them whenever the policy version in the
// database has moved, so a role change made by any instance holds from the
// next check on every instance (no stale cache, no reliance on a
// notification arriving in time).
type Authorizer struct {
	db      *db.DB
	e       *casbin.SyncedEnforcer
	mu      sync.Mutex
	version int64

	// OnDenied, when set, is told of every refused permission check (on a
	// bureau the actor can see), so it can be written to the audit trail.
	OnDenied func(ctx context.Context, tenantID int64, obj, act string)
}

// New loads the model, the built-in rules and the assignments.
func New(ctx context.Context, d *db.DB) (*Authorizer, error) {
	m, err := model.NewModelFromString(policies.Model)
	if err != nil {
		return nil, fmt.Errorf("casbin model: %w", err)
	}
	a := &Authorizer{db: d}
	e, err := casbin.NewSyncedEnforcer(m, &adapter{a: a})
	if err != nil {
		return nil, fmt.Errorf("casbin enforcer: %w", err)
	}
	e.EnableAutoSave(false)
	a.e = e
	if err := a.refresh(ctx, true); err != nil {
		return nil, err
	}
	return a, nil
}

// adapter loads the rules: role -> permission from policies/roles.csv,
// subject -> role from the role_assignments table. It saves nothing: role
// changes go through Service methods that write the table.
type adapter struct{ a *Authorizer }

func (ad *adapter) LoadPolicy(m model.Model) error {
	for _, line := range strings.Split(policies.Roles, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := persist.LoadPolicyLine(line, m); err != nil {
			return err
		}
	}
	var rows []assignment
	if err := ad.a.db.Bun.NewSelect().Model(&rows).Scan(context.Background()); err != nil {
		return db.Translate(err)
	}
	for _, r := range rows {
		if err := persist.LoadPolicyArray([]string{"g", r.Subject, r.Role, r.Domain}, m); err != nil {
			return err
		}
	}
	return nil
}

func (ad *adapter) SavePolicy(model.Model) error {
	return fault.New(fault.Internal, "policy is saved by role changes")
}
func (ad *adapter) AddPolicy(string, string, []string) error {
	return fault.New(fault.Internal, "policy is saved by role changes")
}
func (ad *adapter) RemovePolicy(string, string, []string) error {
	return fault.New(fault.Internal, "policy is saved by role changes")
}
func (ad *adapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return fault.New(fault.Internal, "policy is saved by role changes")
}

// refresh reloads the rules when the policy version moved (or when forced).
func (a *Authorizer) refresh(ctx context.Context, force bool) error {
	snap, _ := ctx.Value(snapshotKey{}).(*snapshot)
	if !force && snap != nil && snap.checked.Load() {
		return nil
	}
	var v policyVersion
	if err := a.db.Bun.NewSelect().Model(&v).Where("id = 1").Scan(ctx); err != nil {
		return db.Translate(err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if force || v.Version != a.version {
		if err := a.e.LoadPolicy(); err != nil {
			return db.Translate(err) // the request's next check tries again
		}
		a.version = v.Version
	}
	if snap != nil {
		snap.checked.Store(true)
	}
	return nil
}

// domain is the enforcer domain of a tenant.
func domain(tenantID int64) string { return strconv.FormatInt(tenantID, 10) }

// Allowed reports whether actor may do act on obj in the tenant (0 for
// platform objects, checked in the "*" domain).
func (a *Authorizer) Allowed(ctx context.Context, actor Actor, tenantID int64, obj, act string) (bool, error) {
	if err := a.refresh(ctx, false); err != nil {
		return false, err
	}
	dom := "*"
	if tenantID != 0 {
		dom = domain(tenantID)
	}
	if actor.IsToken() {
		if tenantID != actor.TenantID {
			return false, nil
		}
		// A token has exactly one role in its bureau.
		return a.e.Enforce(actor.TokenRole, dom, obj, act)
	}
	if actor.Subject == "" {
		return false, nil
	}
	return a.e.Enforce(actor.Subject, dom, obj, act)
}

// CanSeeTenant reports whether the actor has any standing in the tenant: a
// role there, a cross-tenant role, or (for a token) being of that tenant.
// Resources of a tenant the actor cannot see answer "not found".
func (a *Authorizer) CanSeeTenant(ctx context.Context, actor Actor, tenantID int64) (bool, error) {
	if actor.IsToken() {
		return actor.TenantID == tenantID, nil
	}
	if err := a.refresh(ctx, false); err != nil {
		return false, err
	}
	if len(a.rolesIn(actor.Subject, "*")) > 0 {
		return true, nil
	}
	return len(a.rolesIn(actor.Subject, domain(tenantID))) > 0, nil
}

func (a *Authorizer) rolesIn(subject, dom string) []string {
	return a.e.GetRolesForUserInDomain(subject, dom)
}

// RolesOf returns the actor's roles in the tenant, plus its cross-tenant roles.
func (a *Authorizer) RolesOf(ctx context.Context, actor Actor, tenantID int64) ([]string, error) {
	if actor.IsToken() {
		if actor.TenantID == tenantID {
			return []string{actor.TokenRole}, nil
		}
		return nil, nil
	}
	if err := a.refresh(ctx, false); err != nil {
		return nil, err
	}
	roles := a.rolesIn(actor.Subject, "*")
	if tenantID != 0 {
		roles = append(roles, a.rolesIn(actor.Subject, domain(tenantID))...)
	}
	return roles, nil
}

// Require returns nil when the actor in ctx may do act on obj in the tenant.
// Otherwise: Unauthenticated without an actor, NotFound when the tenant is
// not the actor's to see (existence does not leak), Forbidden when it is but
// the permission is missing.
func (a *Authorizer) Require(ctx context.Context, tenantID int64, obj, act string) error {
	actor, ok := ActorFrom(ctx)
	if !ok {
		return fault.New(fault.Unauthenticated, "sign in or send an API token")
	}
	if actor.Subject == System.Subject {
		return nil
	}
	if tenantID != 0 {
		visible, err := a.CanSeeTenant(ctx, actor, tenantID)
		if err != nil {
			return err
		}
		if !visible {
			return fault.New(fault.NotFound, "not found")
		}
	}
	ok, err := a.Allowed(ctx, actor, tenantID, obj, act)
	if err != nil {
		return err
	}
	if !ok {
		if a.OnDenied != nil {
			a.OnDenied(ctx, tenantID, obj, act)
		}
		return fault.New(fault.Forbidden, "your role does not allow %s on %s", act, obj)
	}
	return nil
}

// snapshotKey is the context key of a request's policy snapshot.
type snapshotKey struct{}

// snapshot records that the policy's version was checked in a request.
type snapshot struct{ checked atomic.Bool }

// WithPolicySnapshot returns ctx in which every check sees the policy as it
// was at the first check: the policy's version is read once, not again by
// each later check of the same request (a page makes several). An HTTP
// request's context has one (httpx); a background job's does not, and
// reads the version at every check. A role change made by the request
// itself makes its next check read the version again.
func WithPolicySnapshot(ctx context.Context) context.Context {
	return context.WithValue(ctx, snapshotKey{}, &snapshot{})
}
