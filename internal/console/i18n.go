package console

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"gongkai/internal/workday"
	"gongkai/web"
)

// Messages holds the UI strings of every locale: locale -> key -> text.
type Messages map[string]map[string]string

// DefaultLocale is Simplified Chinese.
const DefaultLocale = "zh-CN"

// LoadMessages reads web/i18n/*.json.
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
		m[strings.TrimSuffix(strings.TrimPrefix(f, "i18n/"), ".json")] = cat
	}
	return m, nil
}

// T returns the text of key in locale, falling back to Chinese, then the key.
func (m Messages) T(locale, key string) string {
	if s, ok := m[locale][key]; ok {
		return s
	}
	if s, ok := m[DefaultLocale][key]; ok {
		return s
	}
	return key
}

var weekdaysZH = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// FormatDate shows a date as 2026年3月19日 (with the weekday: 2026年3月19日
// 星期四) in Chinese and 19 Mar 2026 (Thu 19 Mar 2026) in English.
func FormatDate(d workday.Date, locale string, weekday bool) string {
	if d.IsZero() {
		return ""
	}
	if locale == "en" {
		t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
		if weekday {
			return t.Format("Mon 2 Jan 2006")
		}
		return t.Format("2 Jan 2006")
	}
	s := fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day)
	if weekday {
		s += " " + weekdaysZH[d.Weekday()]
	}
	return s
}

// FormatTime shows a time in the city's zone.
func FormatTime(t time.Time, loc *time.Location, locale string) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(loc)
	if locale == "en" {
		return t.Format("2 Jan 2006 15:04")
	}
	return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), int(t.Month()), t.Day(), t.Format("15:04"))
}
