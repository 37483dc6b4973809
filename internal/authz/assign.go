package authz

import (
	"context"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/fault"
)

// TenantDomain is the domain string of a tenant for role assignments; "*"
// for cross-tenant roles.
func TenantDomain(tenantID int64) string {
	if tenantID == 0 {
		return "*"
	}
	return domain(tenantID)
}

// SetRolesTx replaces subject's roles in the tenant (0: the "*" domain)
// inside tx and bumps the policy version, so every instance enforces the new
// roles from its next check. The caller has checked the permission (see
// CheckGrant) and records the audit event in the same transaction.
func SetRolesTx(ctx context.Context, tx bun.IDB, now time.Time, subject string, tenantID int64, roles []string) error {
	dom := TenantDomain(tenantID)
	for _, r := range roles {
		role, ok := RoleByName(r)
		if !ok {
			return fault.Field("roles", "unknown role %q", r)
		}
		if role.CrossTenant != (tenantID == 0) {
			return fault.Field("roles", "role %q cannot be assigned in this scope", r)
		}
	}
	if _, err := tx.NewDelete().Model((*assignment)(nil)).Where("subject = ? AND domain = ?", subject, dom).Exec(ctx); err != nil {
		return db.Translate(err)
	}
	seen := map[string]bool{}
	for _, r := range roles {
		if seen[r] {
			continue
		}
		seen[r] = true
		if _, err := tx.NewInsert().Model(&assignment{Subject: subject, Role: r, Domain: dom, CreatedAt: now.UTC()}).Exec(ctx); err != nil {
			return db.Translate(err)
		}
	}
	_, err := tx.NewUpdate().Model((*policyVersion)(nil)).Set("version = version + 1").Where("id = 1").Exec(ctx)
	if snap, _ := ctx.Value(snapshotKey{}).(*snapshot); snap != nil {
		snap.checked.Store(false) // the request's next check reads the new version
	}
	return db.Translate(err)
}

// CheckGrant returns nil when the actor in ctx may give roles to someone in
// the tenant: it needs permission to manage members there, and no role may
// rank above the actor's own highest role.
func (a *Authorizer) CheckGrant(ctx context.Context, tenantID int64, roles []string) error {
	if err := a.Require(ctx, tenantID, "members", "manage"); err != nil {
		return err
	}
	actor, _ := ActorFrom(ctx)
	if actor.Subject == System.Subject {
		return nil
	}
	have, err := a.RolesOf(ctx, actor, tenantID)
	if err != nil {
		return err
	}
	for _, r := range roles {
		if _, ok := RoleByName(r); !ok {
			return fault.Field("roles", "unknown role %q", r)
		}
		if !outranks(have, r) {
			return fault.New(fault.Forbidden, "you cannot grant the role %s: it ranks above your own", r)
		}
	}
	return nil
}

// Member is a subject with roles in a domain.
type Member struct {
	Subject string
	Roles   []string
}

// MembersOf lists the subjects with roles in the tenant, with their roles.
func (a *Authorizer) MembersOf(ctx context.Context, tenantID int64) ([]Member, error) {
	var rows []assignment
	if err := a.db.Bun.NewSelect().Model(&rows).Where("domain = ?", TenantDomain(tenantID)).Order("subject", "role").Scan(ctx); err != nil {
		return nil, db.Translate(err)
	}
	var out []Member
	for _, r := range rows {
		if n := len(out); n > 0 && out[n-1].Subject == r.Subject {
			out[n-1].Roles = append(out[n-1].Roles, r.Role)
			continue
		}
		out = append(out, Member{Subject: r.Subject, Roles: []string{r.Role}})
	}
	return out, nil
}

// TenantsOf lists the tenants in which subject holds a role, and whether it
// holds a cross-tenant role.
func (a *Authorizer) TenantsOf(ctx context.Context, subject string) (tenantIDs []int64, crossTenant bool, err error) {
	var rows []assignment
	if err := a.db.Bun.NewSelect().Model(&rows).Where("subject = ?", subject).Scan(ctx); err != nil {
		return nil, false, db.Translate(err)
	}
	for _, r := range rows {
		if r.Domain == "*" {
			crossTenant = true
			continue
		}
		var id int64
		for _, c := range r.Domain {
			id = id*10 + int64(c-'0')
		}
		if !slices.Contains(tenantIDs, id) {
			tenantIDs = append(tenantIDs, id)
		}
	}
	return tenantIDs, crossTenant, nil
}
