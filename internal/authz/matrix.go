package authz

import (
	"fmt"
	"slices"
	"strings"

	"gongkai/policies"
)

// Matrix renders the permission matrix (role × object × action) from the
// built-in rules in policies/roles.csv, as Markdown. docs/permissions.md is
// generated from it, and a test keeps the two equal.
func Matrix() string {
	type rule struct{ role, obj, act string }
	var rules []rule
	for _, line := range strings.Split(policies.Roles, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, ",")
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
		}
		rules = append(rules, rule{f[1], f[3], f[4]})
	}
	objects := []string{"bureaus", "calendar", "catalog", "request", "appeal", "inquiry", "report", "stats", "city_report", "members", "tokens", "audit", "settings", "webhooks"}
	actions := []string{"read", "write", "review", "manage"}
	allowed := func(role, obj, act string) bool {
		return slices.ContainsFunc(rules, func(r rule) bool {
			return r.role == role && (r.obj == "*" || r.obj == obj) && (r.act == "*" || r.act == act)
		})
	}
	var b strings.Builder
	b.WriteString("# Permission matrix\n\nGenerated from `policies/roles.csv` by `GONGKAI_UPDATE_DOCS=1 go test ./internal/authz/`; a test fails when it drifts.\n\n")
	b.WriteString("Roles held in a bureau apply in that bureau only; cross-tenant roles apply in every bureau.\n")
	b.WriteString("Platform objects (bureaus, calendar, city_report) are checked outside any bureau, so only cross-tenant roles reach them.\n\n")
	b.WriteString("| object | action |")
	for _, r := range Roles {
		fmt.Fprintf(&b, " %s (%s) |", r.Label, r.Name)
	}
	b.WriteString("\n|---|---|")
	for range Roles {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, o := range objects {
		for _, a := range actions {
			fmt.Fprintf(&b, "| %s | %s |", o, a)
			for _, r := range Roles {
				mark := ""
				platformOnly := o == "bureaus" || o == "calendar" || o == "city_report"
				if allowed(r.Name, o, a) && (r.CrossTenant || !platformOnly) {
					mark = "✓"
				}
				fmt.Fprintf(&b, " %s |", mark)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}
