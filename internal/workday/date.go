package workday

import (
	"time"

	"gongkai/internal/fault"
)

// ChinaTime is China Standard Time (UTC+08:00, no daylight saving since
// 1991). Receipt dates and deadlines are Beijing dates; it is a fixed zone so
// that converting does not need the tz database (no I/O).
var ChinaTime = time.FixedZone("CST", 8*60*60)

// Date is a calendar date without a time of day or a time zone: the unit in
// which Chinese administrative deadlines are counted. The zero value is not a
// valid date; use ParseDate, FromTime or a literal such as
// Date{2026, time.February, 13}. Dates are comparable with ==.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses an ISO date "YYYY-MM-DD" (e.g. "2026-02-13"). Anything
// else, including impossible dates such as "2026-02-30", is a fault.Invalid
// error.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	d := Date{t.Year(), t.Month(), t.Day()}
	if err != nil || !d.Valid() {
		return Date{}, fault.New(fault.Invalid, "invalid date %q: want YYYY-MM-DD, e.g. 2026-02-13", s)
	}
	return d, nil
}

// MustParseDate is ParseDate for constants in code and tests; it panics on a
// bad date.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// FromTime returns the date of t as seen in loc. A nil loc means ChinaTime,
// the zone in which Chinese government deadlines are counted.
func FromTime(t time.Time, loc *time.Location) Date {
	if loc == nil {
		loc = ChinaTime
	}
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// Valid reports whether d is a real calendar date (year 1–9999).
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	return d.Day <= daysInMonth(d.Year, d.Month)
}

// IsZero reports whether d is the zero Date (no date set).
func (d Date) IsZero() bool { return d == Date{} }

// String returns the ISO form "YYYY-MM-DD".
func (d Date) String() string {
	var b [10]byte
	y := d.Year
	if y < 0 || y > 9999 {
		return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	b[0] = byte('0' + y/1000)
	b[1] = byte('0' + y/100%10)
	b[2] = byte('0' + y/10%10)
	b[3] = byte('0' + y%10)
	b[4] = '-'
	b[5] = byte('0' + int(d.Month)/10)
	b[6] = byte('0' + int(d.Month)%10)
	b[7] = '-'
	b[8] = byte('0' + d.Day/10)
	b[9] = byte('0' + d.Day%10)
	return string(b[:])
}

// MarshalText implements encoding.TextMarshaler (ISO form), so a Date is a
// "YYYY-MM-DD" string in JSON; the zero Date is "".
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if !d.Valid() {
		return nil, fault.New(fault.Invalid, "invalid date %d-%d-%d", d.Year, int(d.Month), d.Day)
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler using ParseDate; ""
// gives the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01 was a Thursday.
	return time.Weekday(floorMod(d.days()+4, 7))
}

// AddDays returns the date n calendar days after d (before d when n < 0).
// Calendar days, not working days: see Calendar.AddWorkingDays for those.
func (d Date) AddDays(n int) Date { return civilFromDays(d.days() + n) }

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Equal reports whether d and e are the same date (the same as d == e).
func (d Date) Equal(e Date) bool { return d == e }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// weekdayZH is the short Chinese name of each weekday, indexed by time.Weekday.
var weekdayZH = [7]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// zhWeekday returns "周一" ... "周日" for d.
func (d Date) zhWeekday() string { return weekdayZH[d.Weekday()] }

func isWeekend(w time.Weekday) bool { return w == time.Saturday || w == time.Sunday }

// cumDays[m-1] is the number of days before month m in a common year.
var cumDays = [13]int{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysInYear(y int) int {
	if isLeap(y) {
		return 366
	}
	return 365
}

func daysInMonth(y int, m time.Month) int {
	if m == time.February && isLeap(y) {
		return 29
	}
	return cumDays[m] - cumDays[m-1]
}

// yday returns the 0-based day of the year of a valid d.
func (d Date) yday() int {
	n := cumDays[d.Month-1] + d.Day - 1
	if d.Month > time.February && isLeap(d.Year) {
		n++
	}
	return n
}

// dateOfYday is the inverse of yday.
func dateOfYday(y, yd int) Date {
	leap := 0
	if isLeap(y) {
		leap = 1
	}
	m := 1
	for m < 12 {
		end := cumDays[m]
		if m >= 2 {
			end += leap
		}
		if yd < end {
			break
		}
		m++
	}
	start := cumDays[m-1]
	if m > 2 {
		start += leap
	}
	return Date{y, time.Month(m), yd - start + 1}
}

// days returns the number of days since 1970-01-01 (proleptic Gregorian),
// after H. Hinnant's days_from_civil.
func (d Date) days() int {
	y := d.Year
	if d.Month <= time.February {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (int(d.Month) + 9) % 12
	doy := (153*mp+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of Date.days.
func civilFromDays(z int) Date {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date{y, time.Month(m), day}
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }
