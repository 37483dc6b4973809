// Package migrations embeds the SQL migrations of Gongkai, one directory per
// dialect (postgres/, sqlite/), applied in file-name order by internal/db.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
