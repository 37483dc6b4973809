// Package tenant defines the tenants of Gongkai — the city's bureaus and their
// affiliated units, each running its own disclosure work — as YAML files, one
// per bureau, and the catalog templates per bureau kind. This file holds the
// schema and the rules for one file; spec_load.go checks a directory of them.
package tenant

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	// The time zone of a tenant is validated and used wherever the binary
	// runs, including containers without a system zoneinfo database.
	_ "time/tzdata"

	"gongkai/internal/fault"
)

// Kind is the kind of a bureau (tenant). It selects the catalog template and
// defaults such as the annual report deadline.
type Kind string

// The bureau kinds: the civil affairs bureau (局), its affiliated units (直属单位)
// and the city's oversight office (政务公开办), which reads across all bureaus.
const (
	CivilAffairs    Kind = "civil_affairs"    // 民政局
	WelfareHome     Kind = "welfare_home"     // 养老院
	FuneralService  Kind = "funeral_service"  // 殡仪馆
	VeteranCenter   Kind = "veteran_center"   // 军休中心
	RescueStation   Kind = "rescue_station"   // 救助站
	OversightOffice Kind = "oversight_office" // 政务公开办
)

// kindInfo holds the labels of each kind, in display order.
var kindInfo = []struct {
	kind    Kind
	label   string
	labelEN string
}{
	{CivilAffairs, "民政局", "Civil affairs bureau"},
	{WelfareHome, "养老院", "Welfare home"},
	{FuneralService, "殡仪馆", "Funeral home"},
	{VeteranCenter, "军休中心", "Military retiree centre"},
	{RescueStation, "救助站", "Rescue station"},
	{OversightOffice, "政务公开办", "Oversight office"},
}

// Kinds returns every bureau kind in display order.
func Kinds() []Kind {
	out := make([]Kind, len(kindInfo))
	for i, k := range kindInfo {
		out[i] = k.kind
	}
	return out
}

// Valid reports whether k is one of the defined kinds.
func (k Kind) Valid() bool {
	for _, i := range kindInfo {
		if i.kind == k {
			return true
		}
	}
	return false
}

// Label returns the Chinese name of the kind shown in the UI, or the raw
// value for an unknown kind.
func (k Kind) Label() string {
	for _, i := range kindInfo {
		if i.kind == k {
			return i.label
		}
	}
	return string(k)
}

// LabelEN returns the English name of the kind for the English locale, or
// the raw value for an unknown kind.
func (k Kind) LabelEN() string {
	for _, i := range kindInfo {
		if i.kind == k {
			return i.labelEN
		}
	}
	return string(k)
}

// DefaultReportDeadline returns the default annual report deadline (MM-DD of
// the following year) of the kind: 31 January for a bureau and 31 March for
// the city-level report of the oversight office (Art. 49).
func (k Kind) DefaultReportDeadline() string {
	if k == OversightOffice {
		return "03-31"
	}
	return "01-31"
}

// Defaults of the optional fields of a Spec.
const (
	// DefaultTimeZone is the IANA time zone in which legal dates are read.
	DefaultTimeZone = "Asia/Shanghai"
	// DefaultIndexTemplate is the index number (索引号) scheme of the
	// national catalog guidance with the credit code as front part.
	DefaultIndexTemplate = "{credit_code}/{YYYY}-{NNNNN}"
)

// Spec is the definition of one tenant, read from one YAML file in tenants/.
// The file is the source of truth; the database copy follows it. The JSON
// form (for storage) uses the YAML keys.
type Spec struct {
	// Slug is the stable identifier in URLs and the CLI: 2–40 characters of
	// a–z, 0–9 and "-", starting and ending with a letter or digit.
	Slug string `yaml:"slug" json:"slug"`
	// Name is the official Chinese name, e.g. 营口市民政局.
	Name string `yaml:"name" json:"name"`
	// NameEN is the English name for the English locale; optional.
	NameEN string `yaml:"name_en,omitempty" json:"name_en,omitempty"`
	// Kind selects the catalog template and defaults.
	Kind Kind `yaml:"kind" json:"kind"`
	// CreditCode is the unified social credit code (GB 32100), the natural
	// tenant identifier and the usual front part of index numbers.
	CreditCode string `yaml:"credit_code" json:"credit_code"`
	// Parent is the slug of the bureau this unit belongs to (直属单位); empty
	// for a top-level bureau.
	Parent string `yaml:"parent,omitempty" json:"parent,omitempty"`
	// Contact is the disclosure office as the disclosure guide states it
	// (Art. 12).
	Contact Contact `yaml:"contact" json:"contact"`
	// TimeZone is the IANA zone in which legal dates are interpreted;
	// DefaultTimeZone when omitted.
	TimeZone string `yaml:"time_zone" json:"time_zone"`
	// ReportDeadline is the day (MM-DD) of the following year by which the
	// annual report is due (Art. 49); Kind.DefaultReportDeadline when omitted.
	ReportDeadline string `yaml:"report_deadline" json:"report_deadline"`
	// IndexTemplate is the index number scheme (see ParseIndexTemplate);
	// DefaultIndexTemplate when omitted.
	IndexTemplate string `yaml:"index_template" json:"index_template"`
	// ReviewerMayBeAuthor allows the confidentiality reviewer (Art. 17) of an
	// item to be its author; false by default (four-eyes review).
	ReviewerMayBeAuthor bool `yaml:"reviewer_may_be_author" json:"reviewer_may_be_author"`
	// File is the path of the file the spec was read from; not in the YAML.
	File string `yaml:"-" json:"-"`
}

// Contact is the disclosure office of a tenant (政府信息公开工作机构) as the
// disclosure guide must state it: name, address, hours, phone, fax and an
// online contact (Art. 12).
type Contact struct {
	// Office is the name of the disclosure office, e.g.
	// 营口市民政局政府信息公开办公室.
	Office string `yaml:"office" json:"office"`
	// Address is the postal address.
	Address string `yaml:"address" json:"address"`
	// Postcode is the 6-digit postal code.
	Postcode string `yaml:"postcode" json:"postcode"`
	// Hours are the office hours, free text.
	Hours string `yaml:"hours" json:"hours"`
	// Phone is the office phone number.
	Phone string `yaml:"phone" json:"phone"`
	// Fax is the fax number; optional.
	Fax string `yaml:"fax,omitempty" json:"fax,omitempty"`
	// Email is the e-mail address; optional when Website is given.
	Email string `yaml:"email,omitempty" json:"email,omitempty"`
	// Website is the http(s) address of the bureau's site; optional when
	// Email is given.
	Website string `yaml:"website,omitempty" json:"website,omitempty"`
}

// ParseSpec reads one tenant file strictly (unknown fields are errors),
// applies the defaults and validates it. file names the file in messages.
// The error is a fault.Invalid error listing every problem as
// "<file>: <field>: <reason>", one per line and one per fault.FieldError.
func ParseSpec(file string, data []byte) (Spec, error) {
	var p problems
	s, _ := parseSpec(file, data, &p)
	if err := p.err(); err != nil {
		return Spec{}, err
	}
	return s, nil
}

// parseSpec decodes, defaults and validates one file, adding problems to p.
// decoded reports whether the YAML could be read at all, so that LoadDir can
// still use the slug, parent and credit code of a file with other problems.
func parseSpec(file string, data []byte, p *problems) (s Spec, decoded bool) {
	if !decodeStrict(file, data, &s, p) {
		return Spec{}, false
	}
	s.File = file
	s.applyDefaults()
	s.validate(p)
	return s, true
}

// applyDefaults fills the optional fields that were left out.
func (s *Spec) applyDefaults() {
	if s.TimeZone == "" {
		s.TimeZone = DefaultTimeZone
	}
	if s.ReportDeadline == "" && s.Kind.Valid() {
		s.ReportDeadline = s.Kind.DefaultReportDeadline()
	}
	if s.IndexTemplate == "" {
		s.IndexTemplate = DefaultIndexTemplate
	}
}

var slugChars = regexp.MustCompile(`^[a-z0-9-]*$`)

// validateSlug checks a slug; it returns the reason or "".
func validateSlug(v string) string {
	n := len(v)
	switch {
	case !slugChars.MatchString(v):
		return fmt.Sprintf("%q: use only lower-case letters a-z, digits and hyphens", v)
	case n < 2 || n > 40:
		return fmt.Sprintf("%q: must be 2–40 characters, got %d", v, n)
	case v[0] == '-' || v[n-1] == '-':
		return fmt.Sprintf("%q: must start and end with a letter or digit", v)
	}
	return ""
}

// validate checks the fields of one spec after defaults were applied.
func (s *Spec) validate(p *problems) {
	f := s.File
	if s.Slug == "" {
		p.add(f, "slug", "is required")
	} else if r := validateSlug(s.Slug); r != "" {
		p.add(f, "slug", "%s", r)
	}

	checkText(p, f, "name", s.Name, true, 100)
	if s.Name != "" && !hasHan(s.Name) {
		p.add(f, "name", "%q: must be the official Chinese name", s.Name)
	}
	checkText(p, f, "name_en", s.NameEN, false, 200)

	switch {
	case s.Kind == "":
		p.add(f, "kind", "is required; one of %s", kindList())
	case !s.Kind.Valid():
		p.add(f, "kind", "unknown kind %q; one of %s", s.Kind, kindList())
	}

	if s.CreditCode == "" {
		p.add(f, "credit_code", "is required")
	} else if err := ValidateCreditCode(s.CreditCode); err != nil {
		p.add(f, "credit_code", "%s", fault.MessageOf(err))
	}

	if s.Parent != "" {
		if r := validateSlug(s.Parent); r != "" {
			p.add(f, "parent", "%s", r)
		} else if s.Parent == s.Slug {
			p.add(f, "parent", "%q: a tenant cannot be its own parent", s.Parent)
		}
	}

	s.Contact.validate(p, f)

	if s.TimeZone == "Local" {
		p.add(f, "time_zone", `"Local": name an IANA time zone such as Asia/Shanghai`)
	} else if _, err := time.LoadLocation(s.TimeZone); err != nil {
		p.add(f, "time_zone", "%q: not an IANA time zone (e.g. Asia/Shanghai)", s.TimeZone)
	}

	if s.ReportDeadline != "" { // empty only when the kind is invalid
		if _, err := ParseMonthDay(s.ReportDeadline); err != nil {
			p.add(f, "report_deadline", "%s", fault.MessageOf(err))
		}
	}

	if _, err := ParseIndexTemplate(s.IndexTemplate); err != nil {
		p.add(f, "index_template", "%s", fault.MessageOf(err))
	}
}

// phoneChars are the characters allowed in a phone or fax number besides
// digits: area code separators, brackets, an extension (转) and list
// separators for several numbers.
const phoneChars = "-+()（） ,，、/;；转"

// validate checks the disclosure office contact (Art. 12).
func (c *Contact) validate(p *problems, f string) {
	checkText(p, f, "contact.office", c.Office, true, 100)
	checkText(p, f, "contact.address", c.Address, true, 200)
	if c.Postcode == "" {
		p.add(f, "contact.postcode", "is required")
	} else if !isDigits(c.Postcode) || len(c.Postcode) != 6 {
		p.add(f, "contact.postcode", "%q: must be 6 digits", c.Postcode)
	}
	checkText(p, f, "contact.hours", c.Hours, true, 200)
	checkPhone(p, f, "contact.phone", c.Phone, true)
	checkPhone(p, f, "contact.fax", c.Fax, false)
	if c.Email != "" {
		a, err := mail.ParseAddress(c.Email)
		if err != nil || a.Name != "" || a.Address != c.Email || !strings.Contains(c.Email[strings.LastIndexByte(c.Email, '@')+1:], ".") {
			p.add(f, "contact.email", "%q: not an e-mail address such as xxgk@example.gov.cn", c.Email)
		}
	}
	if c.Website != "" {
		u, err := url.Parse(c.Website)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(c.Website, " \t") {
			p.add(f, "contact.website", "%q: not an http(s) address", c.Website)
		}
	}
	if c.Email == "" && c.Website == "" {
		p.add(f, "contact", "needs an email or a website: the guide must give an online contact (Art. 12)")
	}
}

// checkText checks a one-line free-text field: required, length in
// characters, no control characters, no surrounding blanks.
func checkText(p *problems, f, field, v string, required bool, max int) {
	switch {
	case v == "":
		if required {
			p.add(f, field, "is required")
		}
	case !utf8.ValidString(v):
		p.add(f, field, "is not valid UTF-8")
	case utf8.RuneCountInString(v) > max:
		p.add(f, field, "must be at most %d characters, got %d", max, utf8.RuneCountInString(v))
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		p.add(f, field, "must be one line without control characters")
	case strings.TrimSpace(v) != v:
		p.add(f, field, "%q: remove the leading or trailing blanks", v)
	}
}

// checkPhone checks a phone or fax number.
func checkPhone(p *problems, f, field, v string, required bool) {
	if v == "" {
		if required {
			p.add(f, field, "is required")
		}
		return
	}
	digits := 0
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(phoneChars, r):
		default:
			p.add(f, field, "%q: use digits with - ( ) + and separators, e.g. 0417-2812345", v)
			return
		}
	}
	if digits < 5 || utf8.RuneCountInString(v) > 100 || strings.TrimSpace(v) != v {
		p.add(f, field, "%q: not a phone number such as 0417-2812345", v)
	}
}

// hasHan reports whether s contains a Chinese character.
func hasHan(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) >= 0
}

// isDigits reports whether s is non-empty and all ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// kindList returns the kinds for messages.
func kindList() string {
	ks := Kinds()
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = string(k)
	}
	return strings.Join(parts, ", ")
}

// IsOversight reports whether the tenant is the city's oversight office,
// which reads across all bureaus.
func (s Spec) IsOversight() bool { return s.Kind == OversightOffice }

// OrganizationCode returns the organisation code embedded in the tenant's
// credit code (positions 9–17).
func (s Spec) OrganizationCode() string { return OrganizationCode(s.CreditCode) }

// Location returns the tenant's time zone, in which legal dates (receipt and
// due dates) are interpreted.
func (s Spec) Location() (*time.Location, error) {
	if s.TimeZone == "" || s.TimeZone == "Local" {
		return nil, fault.New(fault.Invalid, "time_zone: %q is not an IANA time zone", s.TimeZone)
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fault.Wrap(err, fault.Invalid, "time_zone: %q is not an IANA time zone", s.TimeZone)
	}
	return loc, nil
}

// ReportDue returns the day by which the annual report for reportYear must be
// published (Art. 49): ReportDeadline in the following year, as midnight at
// the start of that day in the tenant's time zone. Publishing on that day is
// on time.
func (s Spec) ReportDue(reportYear int) (time.Time, error) {
	md, err := ParseMonthDay(s.ReportDeadline)
	if err != nil {
		return time.Time{}, err
	}
	loc, err := s.Location()
	if err != nil {
		return time.Time{}, err
	}
	return md.In(reportYear+1, loc), nil
}

// IndexNumber formats the index number (索引号) of the seq-th item of year
// and month under the tenant's index template.
func (s Spec) IndexNumber(year int, month time.Month, seq int) (string, error) {
	t, err := ParseIndexTemplate(s.IndexTemplate)
	if err != nil {
		return "", err
	}
	return t.Format(s.CreditCode, year, month, seq)
}
