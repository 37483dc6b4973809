package tenants_test

import (
	"testing"

	"gongkai/internal/tenant"
	"gongkai/tenants"
)

// TestEmbedded checks that the embedded files are the ones the binary can
// load: every tenant file and a template for every kind.
func TestEmbedded(t *testing.T) {
	t.Parallel()
	specs, err := tenant.LoadDir(tenants.FS, ".")
	if err != nil {
		t.Fatalf("tenant files:\n%v", err)
	}
	if len(specs) != 6 {
		t.Errorf("%d tenants, want 6", len(specs))
	}
	tmpls, err := tenant.LoadTemplates(tenants.FS, "templates")
	if err != nil {
		t.Fatalf("templates:\n%v", err)
	}
	for _, s := range specs {
		if _, ok := tmpls[s.Kind]; !ok {
			t.Errorf("%s: no template for kind %s", s.File, s.Kind)
		}
	}
}
