package console

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gongkai/internal/workday"
	"gongkai/web"
)

// Messages holds the UI strings of every locale: locale -> key -> text.
// They come from web/i18n/<locale>.json; Go code holds keys, never the
// Chinese or English wording.
type Messages map[string]map[string]string

// DefaultLocale is Simplified Chinese, the console's language unless a user
// chooses English.
const DefaultLocale = "zh-CN"

// Locales are the locales the console is offered in.
var Locales = []string{"zh-CN", "en"}

// normLocale returns a supported locale for s, Chinese when s is not one.
func normLocale(s string) string {
	if s == "en" {
		return "en"
	}
	return DefaultLocale
}

// LoadMessages reads the embedded catalogs web/i18n/*.json. A locale's
// keys may be split over several files, <locale>.json and
// <locale>.<area>.json (zh-CN.catalog.json); a key defined twice is an
// error.
func LoadMessages() (Messages, error) {
	m := Messages{}
	files, err := fs.Glob(web.I18n, "i18n/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := web.I18n.ReadFile(f)
		if err != nil {
			return nil, err
		}
		cat := map[string]string{}
		if err := json.Unmarshal(b, &cat); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		locale, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(f, "i18n/"), ".json"), ".")
		if m[locale] == nil {
			m[locale] = map[string]string{}
		}
		for k, v := range cat {
			if _, dup := m[locale][k]; dup {
				return nil, fmt.Errorf("%s: key %s is defined in another %s file too", f, k, locale)
			}
			m[locale][k] = v
		}
	}
	if len(m[DefaultLocale]) == 0 {
		return nil, fmt.Errorf("i18n: no %s catalog", DefaultLocale)
	}
	return m, nil
}

// T returns the text of key in locale, falling back to Chinese, then to the
// key itself (so a missing entry shows up instead of an empty label).
func (m Messages) T(locale, key string) string {
	if s, ok := m[locale][key]; ok {
		return s
	}
	if s, ok := m[DefaultLocale][key]; ok {
		return s
	}
	return key
}

// Has reports whether locale's catalog has key.
func (m Messages) Has(locale, key string) bool {
	_, ok := m[locale][key]
	return ok
}

// Fill replaces the placeholders {name} in the text of key with the values
// of vars, given as name, value pairs.
func (m Messages) Fill(locale, key string, vars ...string) string {
	s := m.T(locale, key)
	for i := 0; i+1 < len(vars); i += 2 {
		s = strings.ReplaceAll(s, "{"+vars[i]+"}", vars[i+1])
	}
	return s
}

// Date shows a date as the locale writes it: 2026年3月19日 in Chinese,
// 19 Mar 2026 in English; with weekday (for deadlines) 2026年3月19日 星期四
// and Thu 19 Mar 2026. The patterns are catalog entries (date.*).
func (m Messages) Date(locale string, d workday.Date, weekday bool) string {
	if d.IsZero() {
		return ""
	}
	s := m.Fill(locale, "date.pattern", "year", strconv.Itoa(d.Year), "month", strconv.Itoa(int(d.Month)),
		"mon", m.T(locale, "date.month."+strconv.Itoa(int(d.Month))), "day", strconv.Itoa(d.Day))
	if weekday {
		s = m.Fill(locale, "date.with_weekday", "date", s, "weekday", m.T(locale, "date.weekday."+strconv.Itoa(int(d.Weekday()))))
	}
	return s
}

// Time shows an instant in the city's time zone: the date as Date writes
// it, then hours and minutes.
func (m Messages) Time(locale string, t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	return m.Fill(locale, "date.time_pattern", "date", m.Date(locale, workday.FromTime(t, loc), false), "clock", t.Format("15:04"))
}

// serviceMessage maps an English message of a service error to a catalog
// entry; the submatches of the pattern fill {1}, {2}, ... in the entry.
type serviceMessage struct {
	pattern *regexp.Regexp
	key     string
}

// serviceMessages are the service messages people meet most in the console:
// sign-in, password rules, members, tokens and common field rules. Others are
// shown as the service words them (in English).
var serviceMessages = []serviceMessage{
	{regexp.MustCompile(`^wrong user name or password$`), "svc.bad_credentials"},
	{regexp.MustCompile(`^too many failed sign-ins; try again in (\d+) minutes$`), "svc.throttled"},
	{regexp.MustCompile(`^must be at least (\d+) characters \(has (\d+)\)$`), "svc.password_short"},
	{regexp.MustCompile(`^must be at most (\d+) bytes$`), "svc.too_long"},
	{regexp.MustCompile(`^must mix at least (\d+) of: lower-case letters, upper-case letters, digits, symbols$`), "svc.password_classes"},
	{regexp.MustCompile(`^must not contain the user name$`), "svc.password_username"},
	{regexp.MustCompile(`^is too common; choose another$`), "svc.password_common"},
	{regexp.MustCompile(`^is not your current password$`), "svc.old_password"},
	{regexp.MustCompile(`^must be 3–40 characters: lower-case letters, digits`), "svc.username_rule"},
	{regexp.MustCompile(`^choose at least one role$`), "svc.roles_required"},
	{regexp.MustCompile(`^is not an e-mail address$`), "svc.email"},
	{regexp.MustCompile(`^is required for a new account$`), "svc.display_name_required"},
	{regexp.MustCompile(`^unknown role "?([a-z_]+)"?$`), "svc.unknown_role"},
	{regexp.MustCompile(`^you cannot grant the role ([a-z_]+): it ranks above your own$`), "svc.grant_above"},
	{regexp.MustCompile(`^you cannot remove yourself from the bureau$`), "svc.remove_self"},
	{regexp.MustCompile(`^is required, at most 100 characters`), "svc.token_name"},
	{regexp.MustCompile(`^must be one of bureau_admin, info_officer, reviewer, viewer$`), "svc.token_role"},
	{regexp.MustCompile(`^must be in the future$`), "svc.future"},
	{regexp.MustCompile(`^is required \(YYYY-MM-DD\)$`), "svc.date_required"},
	{regexp.MustCompile(`^your role does not allow ([a-z]+) on ([a-z]+)$`), "svc.forbidden"},
	{regexp.MustCompile(`^member (\S+) not found$`), "svc.member_not_found"},
}

// Service returns the message of a service error in locale: the catalog
// entry when the message is one of serviceMessages, else the message as the
// service wrote it.
func (m Messages) Service(locale, msg string) string {
	for _, sm := range serviceMessages {
		sub := sm.pattern.FindStringSubmatch(msg)
		if sub == nil {
			continue
		}
		vars := make([]string, 0, 2*len(sub))
		for i, v := range sub[1:] {
			vars = append(vars, strconv.Itoa(i+1), v)
		}
		return m.Fill(locale, sm.key, vars...)
	}
	return msg
}
