// Package tenants holds the definitions of the city's bureaus, one YAML file
// per tenant, and the catalog templates per bureau kind in templates/. They
// are embedded in the binary; gongkai/internal/tenant reads and checks them.
package tenants

import "embed"

// FS holds the tenant files (*.yaml) and the catalog templates
// (templates/*.yaml): read them with tenant.LoadDir(FS, ".") and
// tenant.LoadTemplates(FS, "templates").
//
//go:embed *.yaml templates/*.yaml
var FS embed.FS
