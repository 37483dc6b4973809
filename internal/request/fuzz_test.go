package request

import (
	"regexp"
	"strings"
	"testing"
)

var tag = regexp.MustCompile(`<\/?([A-Za-z][A-Za-z0-9]*)`)

var allowed = map[string]bool{"article": true, "header": true, "footer": true, "p": true, "h1": true, "br": true}

// FuzzLetterTemplate: a bureau's letter wording never panics, never runs
// anything but variable substitution, and never puts markup into the letter.
func FuzzLetterTemplate(f *testing.F) {
	for _, body := range builtinLetters {
		f.Add(body, "<script>alert(1)</script>")
	}
	f.Add(`{{.Applicant}}<img src=x onerror=alert(1)>`, "张三")
	f.Add(`{{template "x"}}{{define "x"}}{{.}}{{end}}`, "x")
	f.Add(`{{call .Applicant}}`, "x")
	f.Fuzz(func(t *testing.T, body, applicant string) {
		out, err := renderLetter("标题", body, letterData{Applicant: applicant, Bureau: "营口市民政局"})
		if err != nil {
			return
		}
		// The only elements are those of the letter layout.
		for _, m := range tag.FindAllStringSubmatch(out, -1) {
			if !allowed[strings.ToLower(m[1])] {
				t.Fatalf("letter contains <%s>:\n%s", m[1], out)
			}
		}
	})
}
