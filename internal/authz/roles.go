package authz

import "slices"

// The built-in roles (policies/roles.csv).
const (
	PlatformAdmin = "platform_admin" // everything, everywhere
	CityOverseer  = "city_overseer"  // reads every bureau, changes nothing
	BureauAdmin   = "bureau_admin"   // everything within one bureau
	InfoOfficer   = "info_officer"   // 信息员: drafts items, handles requests
	Reviewer      = "reviewer"       // 保密审查员: confidentiality review (Art. 17)
	Viewer        = "viewer"         // reads one bureau
)

// Role describes a built-in role.
type Role struct {
	Name        string
	Label       string // Chinese label shown in the UI
	CrossTenant bool   // assigned in the "*" domain
	rank        int
}

// Roles lists the built-in roles, highest first.
var Roles = []Role{
	{PlatformAdmin, "平台管理员", true, 5},
	{CityOverseer, "政务公开监督员", true, 4},
	{BureauAdmin, "单位管理员", false, 3},
	{InfoOfficer, "信息员", false, 2},
	{Reviewer, "保密审查员", false, 2},
	{Viewer, "只读用户", false, 1},
}

// RoleByName returns the built-in role with the name.
func RoleByName(name string) (Role, bool) {
	i := slices.IndexFunc(Roles, func(r Role) bool { return r.Name == name })
	if i < 0 {
		return Role{}, false
	}
	return Roles[i], true
}

// TenantRoles lists the roles assignable within one bureau.
func TenantRoles() []Role {
	var out []Role
	for _, r := range Roles {
		if !r.CrossTenant {
			out = append(out, r)
		}
	}
	return out
}

// outranks reports whether holding any of have allows granting want: no one
// grants a role above their own.
func outranks(have []string, want string) bool {
	w, ok := RoleByName(want)
	if !ok {
		return false
	}
	for _, h := range have {
		if r, ok := RoleByName(h); ok && r.rank >= w.rank {
			return true
		}
	}
	return false
}
