package pii

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpenMask(t *testing.T) {
	t.Parallel()
	c, err := New(NewKey())
	if err != nil {
		t.Fatal(err)
	}
	s := c.Seal("110101199001011234")
	if !strings.HasPrefix(s, "v1:") || strings.Contains(s, "1234") || s == c.Seal("110101199001011234") {
		t.Fatalf("sealed %q", s)
	}
	if p, err := c.Open(s); err != nil || p != "110101199001011234" {
		t.Fatalf("open = %q, %v", p, err)
	}
	other, _ := New(NewKey())
	if _, err := other.Open(s); err == nil {
		t.Fatal("opened with another key")
	}
	if _, err := New("c2hvcnQ="); err == nil {
		t.Fatal("short key accepted")
	}
	if Mask("110101199001011234") != "110***********1234" || Mask("12345") != "*****" {
		t.Fatal(Mask("110101199001011234"))
	}
	path := filepath.Join(t.TempDir(), "pii.key")
	k1, err := KeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if k2, _ := KeyFile(path); k2 != k1 {
		t.Fatal("key file not reused")
	}
}
