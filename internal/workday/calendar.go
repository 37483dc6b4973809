package workday

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gongkai/internal/fault"
)

// Override corrects one day of the calendar: a platform correction of the
// national schedule, or a local rest day of a city or region (some regions
// have extra ethnic holidays). Overrides win over the national schedule and
// over YearSchedules. An Override can only change a year the calendar
// already covers; a new year needs a YearSchedule.
type Override struct {
	Date    Date   // the day changed
	Working bool   // true: a working day; false: a rest day
	Reason  string // why, shown in explanations, e.g. "古尔邦节（自治区规定）"; required
}

// YearSchedule is a whole year's national schedule from a State Council
// notice, added by the platform operator for a year the shipped data does
// not cover yet, or to replace a year completely. In that year a day is a
// working day when it is Monday–Friday and not in RestDays, or when it is
// in WorkingWeekends (调休上班); every other day is a rest day.
type YearSchedule struct {
	Year            int    // the year replaced or added
	Source          string // the notice, e.g. "国办发明电〔2030〕5号"; required
	RestDays        []Date // declared rest days (may include the weekends inside a holiday)
	WorkingWeekends []Date // Saturdays and Sundays declared working days
}

// UnknownYearError is the cause carried by the fault.Invalid error returned
// for a date in a year for which the calendar has no schedule. Use
// errors.As to find the year; deadlines in such a year must be flagged,
// never computed as plain Monday–Friday.
type UnknownYearError struct {
	Year    int   // the year without a schedule
	Covered []int // the years the calendar does cover
}

// Error implements the error interface.
func (e *UnknownYearError) Error() string {
	return "workday: calendar covers " + yearRanges(e.Covered)
}

// Calendar is an immutable working-day calendar (工作日) covering a known
// set of years. Deadlines under the Regulations (Art. 30, 32, 33) count
// working days only; see AddWorkingDays. A Calendar is safe for concurrent
// use.
type Calendar struct {
	first   int          // year of tabs[0]
	tabs    []*yearTable // by year-first; nil for a year not covered
	covered []int
	version string
}

// dayKind says why a day is, or is not, a working day.
type dayKind uint8

const (
	kindWeekday   dayKind = iota // ordinary Monday–Friday
	kindWeekend                  // ordinary Saturday or Sunday
	kindHoliday                  // declared rest day (label: holiday name or notice)
	kindMakeup                   // declared 调休 working day on a weekend (label: holiday)
	kindLocalRest                // Override: rest day (label: reason)
	kindLocalWork                // Override: working day (label: reason)
)

func (k dayKind) working() bool {
	return k == kindWeekday || k == kindMakeup || k == kindLocalWork
}

// yearTable is one year of the calendar, precomputed so that counting never
// looks anything up per day.
type yearTable struct {
	year   int
	source string
	n      int // days in the year
	kind   [366]dayKind
	label  map[int]string // yday -> holiday name, notice or reason
	cum    [367]uint16    // cum[i]: working days among ydays [0, i)
	pos    []uint16       // pos[k]: yday of the (k+1)-th working day
}

func newYearTable(y int, source string) *yearTable {
	t := &yearTable{year: y, source: source, n: daysInYear(y), label: map[int]string{}}
	w := Date{y, 1, 1}.Weekday()
	for i := 0; i < t.n; i++ {
		if isWeekend(w) {
			t.kind[i] = kindWeekend
		}
		w = (w + 1) % 7
	}
	return t
}

func (t *yearTable) set(yd int, k dayKind, label string) {
	t.kind[yd] = k
	if label == "" {
		delete(t.label, yd)
	} else {
		t.label[yd] = label
	}
}

func (t *yearTable) clone() *yearTable {
	c := *t
	c.label = make(map[int]string, len(t.label))
	for k, v := range t.label {
		c.label[k] = v
	}
	c.pos = nil
	return &c
}

// finish computes the prefix sums and the position index.
func (t *yearTable) finish() {
	t.pos = make([]uint16, 0, 260)
	for i := 0; i < t.n; i++ {
		t.cum[i+1] = t.cum[i]
		if t.kind[i].working() {
			t.cum[i+1]++
			t.pos = append(t.pos, uint16(i))
		}
	}
	for i := t.n + 1; i < len(t.cum); i++ {
		t.cum[i] = t.cum[t.n]
	}
}

// NewCalendar returns the national calendar (the State Council schedules
// shipped in github.com/6tail/lunar-go, with the built-in corrections) with
// schedules added or replacing whole years and then overrides applied.
//
// The calendar covers the years lunar-go has a schedule for plus the years of
// schedules; a question about any other year is an error (see Covered).
// Invalid input (a bad date, a missing Reason or Source, a duplicate, a
// WorkingWeekends day that is not a weekend, an override in a year not
// covered) returns a fault.Invalid error naming each bad field.
func NewCalendar(overrides []Override, schedules ...YearSchedule) (*Calendar, error) {
	base, err := nationalTables()
	if err != nil {
		return nil, err
	}
	tables := make(map[int]*yearTable, len(base)+len(schedules))
	for y, t := range base {
		tables[y] = t
	}
	var bad []fault.FieldError
	addBad := func(field, format string, args ...any) {
		bad = append(bad, fault.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}

	seenYear := map[int]bool{}
	for i, s := range schedules {
		f := fmt.Sprintf("schedules[%d]", i)
		if s.Year < 1 || s.Year > 9999 {
			addBad(f+".year", "year %d out of range", s.Year)
			continue
		}
		if seenYear[s.Year] {
			addBad(f+".year", "a second schedule for year %d", s.Year)
			continue
		}
		seenYear[s.Year] = true
		if strings.TrimSpace(s.Source) == "" {
			addBad(f+".source", "required: the notice the schedule comes from")
		}
		t := newYearTable(s.Year, s.Source)
		seenDay := map[Date]bool{}
		check := func(field string, d Date) bool {
			switch {
			case !d.Valid():
				addBad(field, "invalid date")
			case d.Year != s.Year:
				addBad(field, "%v is not in year %d", d, s.Year)
			case seenDay[d]:
				addBad(field, "%v is listed twice", d)
			default:
				seenDay[d] = true
				return true
			}
			return false
		}
		for j, d := range s.RestDays {
			if check(fmt.Sprintf("%s.rest_days[%d]", f, j), d) {
				t.set(d.yday(), kindHoliday, s.Source)
			}
		}
		for j, d := range s.WorkingWeekends {
			field := fmt.Sprintf("%s.working_weekends[%d]", f, j)
			if !check(field, d) {
				continue
			}
			if !isWeekend(d.Weekday()) {
				addBad(field, "%v is a %v, not a Saturday or Sunday", d, d.Weekday())
				continue
			}
			t.set(d.yday(), kindMakeup, s.Source)
		}
		tables[s.Year] = t
	}

	seenDay := map[Date]bool{}
	changed := map[int]*yearTable{}
	for i, o := range overrides {
		f := fmt.Sprintf("overrides[%d]", i)
		if !o.Date.Valid() {
			addBad(f+".date", "invalid date")
			continue
		}
		if strings.TrimSpace(o.Reason) == "" {
			addBad(f+".reason", "required: why %v changes", o.Date)
		}
		if seenDay[o.Date] {
			addBad(f+".date", "a second override for %v", o.Date)
			continue
		}
		seenDay[o.Date] = true
		t := changed[o.Date.Year]
		if t == nil {
			b := tables[o.Date.Year]
			if b == nil {
				addBad(f+".date", "unknown calendar: no working-day schedule for year %d; add a YearSchedule first", o.Date.Year)
				continue
			}
			t = b.clone()
			changed[o.Date.Year] = t
			tables[o.Date.Year] = t
		}
		k := kindLocalRest
		if o.Working {
			k = kindLocalWork
		}
		t.set(o.Date.yday(), k, o.Reason)
	}
	if len(bad) > 0 {
		return nil, fault.Fields(bad)
	}
	for _, s := range schedules {
		if changed[s.Year] == nil {
			tables[s.Year].finish()
		}
	}
	for _, t := range changed {
		t.finish()
	}
	return assemble(tables), nil
}

func assemble(tables map[int]*yearTable) *Calendar {
	c := &Calendar{}
	for y := range tables {
		c.covered = append(c.covered, y)
	}
	slices.Sort(c.covered)
	if len(c.covered) > 0 {
		c.first = c.covered[0]
		c.tabs = make([]*yearTable, c.covered[len(c.covered)-1]-c.first+1)
		for _, y := range c.covered {
			c.tabs[y-c.first] = tables[y]
		}
	}
	c.version = c.hash()
	return c
}

// hash is a digest of everything that decides a due date or its explanation:
// for each covered year, every day that is not an ordinary Monday–Friday
// working day or weekend, with its kind and label.
func (c *Calendar) hash() string {
	h := sha256.New()
	var b []byte
	for _, y := range c.covered {
		t := c.tabs[y-c.first]
		b = append(b[:0], 'Y')
		b = strconv.AppendInt(b, int64(y), 10)
		b = append(b, '\n')
		for i := 0; i < t.n; i++ {
			if t.kind[i] == kindWeekday || t.kind[i] == kindWeekend {
				continue
			}
			b = strconv.AppendInt(b, int64(i), 10)
			b = append(b, ' ', byte('0'+t.kind[i]), ' ')
			b = append(b, t.label[i]...)
			b = append(b, '\n')
		}
		h.Write(b)
	}
	return "wd-" + hex.EncodeToString(h.Sum(nil))[:12]
}

var defaultCal struct {
	once sync.Once
	cal  *Calendar
	err  error
}

// Default returns the national calendar with no overrides (built once and
// shared).
func Default() (*Calendar, error) {
	defaultCal.once.Do(func() {
		defaultCal.cal, defaultCal.err = NewCalendar(nil)
	})
	return defaultCal.cal, defaultCal.err
}

// Covered returns the years the calendar has a schedule for, ascending.
func (c *Calendar) Covered() []int { return slices.Clone(c.covered) }

// Covers reports whether the calendar has a schedule for year.
func (c *Calendar) Covers(year int) bool { return c.table(year) != nil }

// Source names where the schedule of year comes from (the lunar-go release,
// or a YearSchedule's Source); "" when the year is not covered.
func (c *Calendar) Source(year int) string {
	if t := c.table(year); t != nil {
		return t.source
	}
	return ""
}

// Version is a short stable digest of the calendar data, national schedule
// and overrides included, e.g. "wd-3f9a1c2b7d4e". Two calendars with the same
// version give the same due dates; a deadline records the version it was
// computed with, and is recomputed when the version changes.
func (c *Calendar) Version() string { return c.version }

func (c *Calendar) table(year int) *yearTable {
	i := year - c.first
	if i < 0 || i >= len(c.tabs) {
		return nil
	}
	return c.tabs[i]
}

func (c *Calendar) unknownYear(year int) error {
	return fault.Wrap(&UnknownYearError{Year: year, Covered: c.Covered()}, fault.Invalid,
		"unknown calendar: no working-day schedule for year %d", year)
}

func invalidDate(name string, d Date) error {
	return fault.Field(name, "invalid date %d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsWorkingDay reports whether d is a working day (工作日): Monday–Friday and
// not a declared rest day, or a weekend day declared a working day (调休上班),
// after overrides. An error when d's year is not covered.
func (c *Calendar) IsWorkingDay(d Date) (bool, error) {
	if !d.Valid() {
		return false, invalidDate("date", d)
	}
	t := c.table(d.Year)
	if t == nil {
		return false, c.unknownYear(d.Year)
	}
	return t.kind[d.yday()].working(), nil
}

// WorkingDaysInYear returns the number of working days in year.
func (c *Calendar) WorkingDaysInYear(year int) (int, error) {
	t := c.table(year)
	if t == nil {
		return 0, c.unknownYear(year)
	}
	return len(t.pos), nil
}

// AddWorkingDays returns the n-th working day after from: counting starts
// the day after from, as a period does under the Regulations (Art. 30 and 33:
// "自收到申请之日起…个工作日内", the day of receipt itself not counted), and
// only working days count. from itself may be a rest day; to treat a
// rest-day arrival as received on the next working day (Art. 31, common
// practice) pass OnOrAfter(arrival).
//
// n == 0 returns from. n < 0 is a fault.Invalid error. Every year the count
// passes through must be covered, otherwise the error is the fault.Invalid
// "unknown calendar: no working-day schedule for year Y".
func (c *Calendar) AddWorkingDays(from Date, n int) (Date, error) {
	if !from.Valid() {
		return Date{}, invalidDate("from", from)
	}
	if n < 0 {
		return Date{}, fault.Field("days", "must not be negative, got %d", n)
	}
	if n == 0 {
		return from, nil
	}
	y, yd := dayAfter(from)
	for {
		t := c.table(y)
		if t == nil {
			return Date{}, c.unknownYear(y)
		}
		done := int(t.cum[yd])
		if k := done + n - 1; k < len(t.pos) {
			return dateOfYday(y, int(t.pos[k])), nil
		}
		n -= len(t.pos) - done
		y, yd = y+1, 0
	}
}

// NextWorkingDay returns the first working day after d (the same as
// AddWorkingDays(d, 1)).
func (c *Calendar) NextWorkingDay(d Date) (Date, error) { return c.AddWorkingDays(d, 1) }

// OnOrAfter returns d when it is a working day, otherwise the next working
// day. It implements "an application that arrives on a rest day is treated as
// received on the next working day" (receipt date, Art. 31; common practice,
// configurable by the caller).
func (c *Calendar) OnOrAfter(d Date) (Date, error) {
	ok, err := c.IsWorkingDay(d)
	if err != nil || ok {
		return d, err
	}
	return c.AddWorkingDays(d, 1)
}

// WorkingDaysBetween returns the number of working days in (from, to]: the
// days counted so far in a period that started the day after from (Art. 33).
// It is the inverse of AddWorkingDays: if AddWorkingDays(from, n) = d then
// WorkingDaysBetween(from, d) = n. It is 0 when from == to, and negative
// (minus the count in (to, from]) when to is before from. Every year in the
// interval must be covered.
func (c *Calendar) WorkingDaysBetween(from, to Date) (int, error) {
	if !from.Valid() {
		return 0, invalidDate("from", from)
	}
	if !to.Valid() {
		return 0, invalidDate("to", to)
	}
	switch from.Compare(to) {
	case 0:
		return 0, nil
	case 1:
		n, err := c.WorkingDaysBetween(to, from)
		return -n, err
	}
	total := 0
	y, yd := dayAfter(from)
	for ; y <= to.Year; y, yd = y+1, 0 {
		t := c.table(y)
		if t == nil {
			return 0, c.unknownYear(y)
		}
		end := t.n
		if y == to.Year {
			end = to.yday() + 1
		}
		total += int(t.cum[end]) - int(t.cum[yd])
	}
	return total, nil
}

// dayAfter returns the year and 0-based day of the year of the day after d.
func dayAfter(d Date) (year, yday int) {
	yd := d.yday() + 1
	if yd == daysInYear(d.Year) {
		return d.Year + 1, 0
	}
	return d.Year, yd
}

// yearRanges formats sorted years as "2002–2027, 2031".
func yearRanges(ys []int) string {
	if len(ys) == 0 {
		return "no years"
	}
	var parts []string
	for i := 0; i < len(ys); {
		j := i
		for j+1 < len(ys) && ys[j+1] == ys[j]+1 {
			j++
		}
		if i == j {
			parts = append(parts, strconv.Itoa(ys[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d–%d", ys[i], ys[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
