// Package policies embeds the Casbin model and the built-in role ->
// permission rules of Gongkai.
package policies

import _ "embed"

// Model is the Casbin model (RBAC with domains).
//
//go:embed model.conf
var Model string

// Roles holds the role -> permission rules, one "p, role, domain, object, action" per line.
//
//go:embed roles.csv
var Roles string
