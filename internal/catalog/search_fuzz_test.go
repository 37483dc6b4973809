package catalog

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSearchText: any query splits into distinct non-blank terms, and the
// highlighted and excerpted text never carries markup from the text or the
// query other than the highlight itself.
func FuzzSearchText(f *testing.F) {
	f.Add("养老", "市养老院收费标准")
	f.Add("<script>", "<script>alert(1)</script>养老")
	f.Add("a　b a", "a b c")
	f.Add("", "")
	f.Add("\xff", "\xfe养")
	f.Fuzz(func(t *testing.T, q, text string) {
		terms := Terms(q)
		seen := map[string]bool{}
		for _, term := range terms {
			if strings.TrimSpace(term) == "" || seen[term] {
				t.Fatalf("terms of %q: %q", q, terms)
			}
			seen[term] = true
		}
		h := string(Highlight(text, terms))
		plain := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(h)
		if strings.ContainsAny(plain, "<>") {
			t.Fatalf("highlight of %q by %q leaks markup: %q", text, q, h)
		}
		ex := Excerpt(text, terms, 40)
		if utf8.ValidString(text) && !utf8.ValidString(ex) {
			t.Fatalf("excerpt of valid text is not valid UTF-8: %q", ex)
		}
	})
}
