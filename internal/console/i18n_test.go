package console

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"gongkai/internal/authz"
	"gongkai/internal/fault"
	"gongkai/internal/identity"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/workday"
	"gongkai/web"
)

func messages(t *testing.T) Messages {
	t.Helper()
	m, err := LoadMessages()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var placeholder = regexp.MustCompile(`\{[a-z0-9]+\}`)

// TestCatalogsAreComplete: both locales have the same keys with the same
// placeholders, and every key the templates and the Go code ask for exists,
// including the families built at run time (roles, states, channels ...).
func TestCatalogsAreComplete(t *testing.T) {
	t.Parallel()
	m := messages(t)
	zh, en := m["zh-CN"], m["en"]
	if len(m) != len(Locales) {
		t.Errorf("catalogs %d, locales %v", len(m), Locales)
	}
	for k, v := range zh {
		w, ok := en[k]
		if !ok {
			t.Errorf("en lacks %s", k)
			continue
		}
		if strings.TrimSpace(v) == "" || strings.TrimSpace(w) == "" {
			t.Errorf("%s is empty", k)
		}
		pz, pe := placeholder.FindAllString(v, -1), placeholder.FindAllString(w, -1)
		slices.Sort(pz)
		slices.Sort(pe)
		if !slices.Equal(pz, pe) && !strings.HasPrefix(k, "date.") { // date patterns differ by design
			t.Errorf("%s: placeholders %v in zh-CN, %v in en", k, pz, pe)
		}
	}
	for k := range en {
		if _, ok := zh[k]; !ok {
			t.Errorf("zh-CN lacks %s", k)
		}
	}
	need := func(where, key string) {
		t.Helper()
		if _, ok := zh[key]; !ok {
			t.Errorf("%s uses missing key %s", where, key)
		}
	}
	// Keys written out in the templates and the Go code.
	inTemplates := regexp.MustCompile(`\.Tf? "([a-z0-9_.\-]+)"`)
	entries, err := web.Templates.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "console_") {
			continue
		}
		b, _ := web.Templates.ReadFile("templates/" + e.Name())
		for _, sm := range inTemplates.FindAllStringSubmatch(string(b), -1) {
			need(e.Name(), sm[1])
		}
	}
	inGo := regexp.MustCompile(`(?:\.T|\.Tf|\.Fill\(p\.Locale,|flash\(w, r, [^,]+,) ?\(?"([a-z0-9_.\-]+)"[,)]`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, sm := range inGo.FindAllStringSubmatch(string(b), -1) {
			need(f, sm[1])
		}
	}
	for _, sm := range serviceMessages {
		need("serviceMessages", sm.key)
	}
	// Keys built at run time.
	for _, a := range []string{"home", "catalog", "requests", "appeals", "inquiries", "reports", "oversight", "members", "audit", "webhooks", "reminders", "settings"} {
		need("nav", "nav."+a)
	}
	for _, r := range authz.Roles {
		need("roles", "role."+r.Name)
	}
	for _, s := range []string{"submitted", "open", "paused", "replied", "closed", "lapsed"} {
		need("request states", "state."+s)
	}
	for _, s := range []string{report.StateDraft, report.StateSubmitted, report.StatePublished} {
		need("report states", "report_state."+s)
	}
	for _, s := range []string{"active", "expired", "revoked"} {
		need("token states", "tokens.state_"+s)
	}
	for _, l := range Locales {
		need("locales", "locale."+l)
	}
	for _, k := range deadline.EventKinds() {
		need("event kinds", "event."+string(k))
	}
	for _, k := range []string{"error.title", "error.title_404", "error.title_403", "date.pattern", "date.with_weekday", "date.time_pattern"} {
		need("console.go", k)
	}
	// Domain labels: the Chinese entry is the domain's own label.
	same := func(key, label string) {
		t.Helper()
		need("domain labels", key)
		if zh[key] != label {
			t.Errorf("%s: catalog says %q, the domain %q", key, zh[key], label)
		}
	}
	for _, c := range request.Channels {
		same("channel."+c.Code, c.Label)
	}
	for _, a := range request.ApplicantTypes {
		same("applicant_type."+a.Code, a.Label)
	}
	for _, k := range request.LetterKinds {
		same("letter_kind."+k.Code, k.Title)
	}
	for _, r := range authz.Roles {
		same("role."+r.Name, r.Label)
	}
}

// TestNoChineseInGo: the UI's words live in the catalogs, not in Go code.
func TestNoChineseInGo(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			code, _, _ := strings.Cut(line, "//")
			if strings.ContainsFunc(code, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
				t.Errorf("%s:%d: Chinese text in Go code: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

func TestDates(t *testing.T) {
	t.Parallel()
	m := messages(t)
	d := workday.Date{Year: 2026, Month: time.March, Day: 19}
	for _, c := range []struct {
		locale  string
		weekday bool
		want    string
	}{
		{"zh-CN", false, "2026年3月19日"},
		{"zh-CN", true, "2026年3月19日 星期四"},
		{"en", false, "19 Mar 2026"},
		{"en", true, "Thu 19 Mar 2026"},
	} {
		if got := m.Date(c.locale, d, c.weekday); got != c.want {
			t.Errorf("Date(%s, weekday %v) = %q, want %q", c.locale, c.weekday, got, c.want)
		}
	}
	if got := m.Date("zh-CN", workday.Date{}, true); got != "" {
		t.Errorf("zero date = %q", got)
	}
	at := time.Date(2026, 3, 19, 6, 5, 0, 0, time.UTC) // 14:05 in Beijing
	if got := m.Time("zh-CN", at, workday.ChinaTime); got != "2026年3月19日 14:05" {
		t.Errorf("Time zh = %q", got)
	}
	if got := m.Time("en", at, workday.ChinaTime); got != "19 Mar 2026 14:05" {
		t.Errorf("Time en = %q", got)
	}
}

// TestServiceMessages: the messages people meet most come out of the
// services in English and are shown in Chinese; if a service rewords one,
// this fails instead of the console quietly showing English.
func TestServiceMessages(t *testing.T) {
	t.Parallel()
	m := messages(t)
	var msgs []string
	for _, pw := range []string{"short", strings.Repeat("a", 300), "alllowercaseletters", "Xbob-Correct-Horse-9", "Password@2026"} {
		err := identity.Policy{}.Check("bob", pw)
		if err == nil {
			t.Fatalf("policy accepts %q", pw)
		}
		for _, f := range fault.FieldsOf(err) {
			msgs = append(msgs, f.Message)
		}
	}
	msgs = append(msgs, fault.MessageOf(identity.ErrBadCredentials), "too many failed sign-ins; try again in 15 minutes")
	for _, msg := range msgs {
		zh := m.Service("zh-CN", msg)
		if zh == msg || strings.Contains(zh, "{") {
			t.Errorf("%q is not translated: %q", msg, zh)
		}
		if en := m.Service("en", msg); en == "" || strings.Contains(en, "{") {
			t.Errorf("%q in English: %q", msg, en)
		}
	}
	if got := m.Service("zh-CN", "must be at least 12 characters (has 5)"); got != "密码至少需要12个字符（当前5个）。" {
		t.Errorf("password length: %q", got)
	}
	if got := m.Service("zh-CN", "something else entirely"); got != "something else entirely" {
		t.Errorf("unknown messages pass unchanged, got %q", got)
	}
}
