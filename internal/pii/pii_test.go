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

// TestIndex: the same document gives the same index however it is typed,
// another document or type or key gives another, and the number is not in
// the index.
func TestIndex(t *testing.T) {
	k1, k2 := NewKey(), NewKey()
	c1, err := New(k1)
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := New(k2)
	a := c1.Index("身份证", "11010519491231002x")
	if a == "" || a != c1.Index("身份证", " 110105 19491231002X ") {
		t.Fatalf("same document, different index: %q", a)
	}
	for name, other := range map[string]string{
		"other number": c1.Index("身份证", "110105194912310021"),
		"other type":   c1.Index("护照", "11010519491231002X"),
		"other key":    c2.Index("身份证", "11010519491231002X"),
	} {
		if other == a {
			t.Errorf("%s: same index", name)
		}
	}
	if strings.Contains(a, "110105") {
		t.Errorf("index %q shows the number", a)
	}
	if c1.Index("身份证", "  ") != "" {
		t.Error("empty number must give an empty index")
	}
}
