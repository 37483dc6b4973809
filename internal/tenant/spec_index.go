package tenant

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai/internal/fault"
)

// MonthDay is a day of the year without a year, such as the annual report
// deadline 01-31.
type MonthDay struct {
	Month time.Month
	Day   int
}

var monthDayPattern = regexp.MustCompile(`^([0-9]{2})-([0-9]{2})$`)

// ParseMonthDay parses "MM-DD". 02-29 is refused because a deadline must
// exist every year.
func ParseMonthDay(s string) (MonthDay, error) {
	m := monthDayPattern.FindStringSubmatch(s)
	if m == nil {
		return MonthDay{}, fault.New(fault.Invalid, "%q: use MM-DD, e.g. 01-31", s)
	}
	month, _ := strconv.Atoi(m[1])
	day, _ := strconv.Atoi(m[2])
	if month < 1 || month > 12 {
		return MonthDay{}, fault.New(fault.Invalid, "%q: month must be 01–12", s)
	}
	// The days of the month in a common year: 02-29 does not occur every year.
	days := time.Date(2001, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if day < 1 || day > days {
		if month == 2 && day == 29 {
			return MonthDay{}, fault.New(fault.Invalid, "%q: 02-29 does not occur every year", s)
		}
		return MonthDay{}, fault.New(fault.Invalid, "%q: day must be 01–%02d in month %02d", s, days, month)
	}
	return MonthDay{Month: time.Month(month), Day: day}, nil
}

// String formats the day as MM-DD.
func (d MonthDay) String() string { return fmt.Sprintf("%02d-%02d", int(d.Month), d.Day) }

// In returns the day in the given year as midnight at its start in loc.
func (d MonthDay) In(year int, loc *time.Location) time.Time {
	return time.Date(year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// indexPartKind is what one part of an index template stands for.
type indexPartKind int

const (
	partLiteral indexPartKind = iota
	partCreditCode
	partOrgCode
	partYear
	partMonth
	partSeq
)

// indexPart is one literal run or placeholder of an index template.
type indexPart struct {
	kind  indexPartKind
	lit   string // partLiteral
	width int    // partSeq: zero-padded width
}

// IndexTemplate is a parsed index number (索引号) scheme. Index numbers never
// change once assigned, so a tenant's template only applies to new items.
type IndexTemplate struct {
	source string
	parts  []indexPart
}

// Limits of an index template.
const (
	maxIndexTemplateLen = 64
	maxSeqWidth         = 12
)

// indexLiteralOK reports whether r may appear literally in an index number:
// ASCII letters and digits and - / _ . so that index numbers stay safe in
// URLs, file names and spreadsheets.
func indexLiteralOK(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		r == '-' || r == '/' || r == '_' || r == '.'
}

// indexPlaceholders lists the fixed placeholders; {N…} is matched apart.
var indexPlaceholders = map[string]indexPartKind{
	"credit_code": partCreditCode,
	"org_code":    partOrgCode,
	"YYYY":        partYear,
	"MM":          partMonth,
}

// ParseIndexTemplate parses an index number scheme made of literal characters
// (ASCII letters, digits, - / _ .) and the placeholders {credit_code} (the
// 18-character credit code), {org_code} (its organisation code), {YYYY} (the
// year), {MM} (the month, 01–12) and {NNNNN} (the sequence, zero-padded to as
// many digits as there are N, 1–12). A template needs exactly one sequence
// and one year placeholder; each placeholder appears at most once.
func ParseIndexTemplate(s string) (IndexTemplate, error) {
	allowed := "allowed: {credit_code} {org_code} {YYYY} {MM} {NNNNN}"
	if s == "" {
		return IndexTemplate{}, fault.New(fault.Invalid, "is empty; the default is %s", DefaultIndexTemplate)
	}
	if n := utf8.RuneCountInString(s); n > maxIndexTemplateLen {
		return IndexTemplate{}, fault.New(fault.Invalid, "%q: must be at most %d characters, got %d", s, maxIndexTemplateLen, n)
	}
	t := IndexTemplate{source: s}
	seen := map[indexPartKind]bool{}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, indexPart{kind: partLiteral, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return IndexTemplate{}, fault.New(fault.Invalid, "%q: placeholder at %d is not closed with }", s, i+1)
			}
			name := s[i+1 : i+end]
			part, ok := indexPart{}, false
			if k, known := indexPlaceholders[name]; known {
				part, ok = indexPart{kind: k}, true
			} else if name != "" && strings.Trim(name, "N") == "" {
				if len(name) > maxSeqWidth {
					return IndexTemplate{}, fault.New(fault.Invalid, "%q: the sequence placeholder may have at most %d N, got %d", s, maxSeqWidth, len(name))
				}
				part, ok = indexPart{kind: partSeq, width: len(name)}, true
			}
			if !ok {
				return IndexTemplate{}, fault.New(fault.Invalid, "%q: unknown placeholder {%s}; %s", s, name, allowed)
			}
			if seen[part.kind] {
				return IndexTemplate{}, fault.New(fault.Invalid, "%q: placeholder {%s} appears more than once", s, name)
			}
			seen[part.kind] = true
			flush()
			t.parts = append(t.parts, part)
			i += end + 1
			continue
		case r == '}':
			return IndexTemplate{}, fault.New(fault.Invalid, "%q: } at %d without an opening {", s, i+1)
		case !indexLiteralOK(r):
			return IndexTemplate{}, fault.New(fault.Invalid, "%q: character %q is not allowed; literals may be ASCII letters, digits and - / _ .", s, r)
		}
		lit.WriteRune(r)
		i += size
	}
	flush()
	if !seen[partSeq] {
		return IndexTemplate{}, fault.New(fault.Invalid, "%q: needs a sequence placeholder such as {NNNNN}", s)
	}
	if !seen[partYear] {
		return IndexTemplate{}, fault.New(fault.Invalid, "%q: needs the year placeholder {YYYY}", s)
	}
	return t, nil
}

// String returns the template as written.
func (t IndexTemplate) String() string { return t.source }

// HasMonth reports whether the template contains {MM}.
func (t IndexTemplate) HasMonth() bool {
	for _, p := range t.parts {
		if p.kind == partMonth {
			return true
		}
	}
	return false
}

// SeqWidth returns the number of digits of the sequence; larger sequence
// numbers cannot be formatted.
func (t IndexTemplate) SeqWidth() int {
	for _, p := range t.parts {
		if p.kind == partSeq {
			return p.width
		}
	}
	return 0
}

// Format returns the index number of the seq-th item (1-based) of the given
// year and month issued by the holder of creditCode. The sequence must fit
// the width of the template and the year must have four digits.
func (t IndexTemplate) Format(creditCode string, year int, month time.Month, seq int) (string, error) {
	if len(t.parts) == 0 {
		return "", fault.New(fault.Invalid, "index template is empty")
	}
	var b strings.Builder
	for _, p := range t.parts {
		switch p.kind {
		case partLiteral:
			b.WriteString(p.lit)
		case partCreditCode, partOrgCode:
			if err := ValidateCreditCode(creditCode); err != nil {
				return "", fault.Wrap(err, fault.Invalid, "credit code %q: %s", creditCode, fault.MessageOf(err))
			}
			if p.kind == partCreditCode {
				b.WriteString(creditCode)
			} else {
				b.WriteString(OrganizationCode(creditCode))
			}
		case partYear:
			if year < 1000 || year > 9999 {
				return "", fault.New(fault.Invalid, "year %d: must have four digits", year)
			}
			b.WriteString(strconv.Itoa(year))
		case partMonth:
			if month < time.January || month > time.December {
				return "", fault.New(fault.Invalid, "month %d: must be 1–12", int(month))
			}
			fmt.Fprintf(&b, "%02d", int(month))
		case partSeq:
			limit := 1
			for range p.width {
				limit *= 10
			}
			if seq < 1 || seq >= limit {
				return "", fault.New(fault.Invalid, "sequence %d: must be 1–%d to fit %d digits", seq, limit-1, p.width)
			}
			fmt.Fprintf(&b, "%0*d", p.width, seq)
		}
	}
	return b.String(), nil
}
