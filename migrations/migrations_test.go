package migrations

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
)

// TestOneMigrationPerVersionOnBothDatabases: each version number names one
// migration, and Postgres and SQLite have the same migrations.
func TestOneMigrationPerVersionOnBothDatabases(t *testing.T) {
	names := map[string][]string{}
	for _, dialect := range []string{"postgres", "sqlite"} {
		files, err := fs.Glob(FS, dialect+"/*.sql")
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		for _, f := range files {
			base := strings.TrimPrefix(f, dialect+"/")
			version, _, _ := strings.Cut(base, "_")
			if other, dup := seen[version]; dup {
				t.Errorf("%s: version %s is used by %s and %s", dialect, version, other, base)
			}
			seen[version] = base
			names[dialect] = append(names[dialect], base)
		}
	}
	if !slices.Equal(names["postgres"], names["sqlite"]) {
		t.Errorf("the dialects differ:\npostgres %v\nsqlite   %v", names["postgres"], names["sqlite"])
	}
}
