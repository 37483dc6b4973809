package oversight

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"gongkai/internal/workday"
)

// dayIndex counts working days by table lookup: cum[i] is the number of
// working days from base to base+i, both included, or -1 when the calendar
// does not cover that year. The working days in (a, b] are then
// cum[b] - cum[a], the same as workday.Calendar.WorkingDaysBetween (which
// the tests check), at the cost of one subtraction.
type dayIndex struct {
	version string
	base    workday.Date
	cum     []int32
	literal string // the Postgres int[] literal of cum (1-based there)
}

// dayIndexCache keeps the index of the calendar in force.
type dayIndexCache struct {
	mu  sync.Mutex
	idx *dayIndex
}

// get returns the index of cal, rebuilding it when the calendar changed.
func (c *dayIndexCache) get(cal *workday.Calendar) *dayIndex {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.idx != nil && c.idx.version == cal.Version() {
		return c.idx
	}
	c.idx = newDayIndex(cal)
	return c.idx
}

func newDayIndex(cal *workday.Calendar) *dayIndex {
	years := cal.Covered()
	idx := &dayIndex{version: cal.Version()}
	if len(years) == 0 {
		return idx
	}
	first, last := slices.Min(years), slices.Max(years)
	idx.base = workday.Date{Year: first, Month: time.January, Day: 1}
	end := workday.Date{Year: last, Month: time.December, Day: 31}
	n := 0
	for d := idx.base; !d.After(end); d = d.AddDays(1) {
		v := int32(-1)
		if ok, err := cal.IsWorkingDay(d); err == nil {
			if ok {
				n++
			}
			v = int32(n)
		}
		idx.cum = append(idx.cum, v)
	}
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range idx.cum {
		if i > 0 {
			b.WriteByte(',')
		}
		if v < 0 {
			b.WriteString("NULL")
		} else {
			b.WriteString(strconv.Itoa(int(v)))
		}
	}
	b.WriteByte('}')
	idx.literal = b.String()
	return idx
}

// offset is the position of d in cum, or -1 outside it.
func (x *dayIndex) offset(d workday.Date) int {
	if !d.Valid() || len(x.cum) == 0 {
		return -1
	}
	i := daysBetween(x.base, d)
	if i < 0 || i >= len(x.cum) || x.cum[i] < 0 {
		return -1
	}
	return i
}

// between returns the working days in (a, b], and false when the calendar
// does not cover either day.
func (x *dayIndex) between(a, b workday.Date) (int, bool) {
	i, j := x.offset(a), x.offset(b)
	if i < 0 || j < 0 {
		return 0, false
	}
	return int(x.cum[j] - x.cum[i]), true
}

// betweenOffsets is between for days given as offsets from base.
func (x *dayIndex) betweenOffsets(i, j int) (int, bool) {
	if i < 0 || j < 0 || i >= len(x.cum) || j >= len(x.cum) || x.cum[i] < 0 || x.cum[j] < 0 {
		return 0, false
	}
	return int(x.cum[j] - x.cum[i]), true
}

// daysBetween returns the calendar days from a to b.
func daysBetween(a, b workday.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta) / (24 * time.Hour))
}

// histogram counts values (working days to reply): value -> how many.
type histogram map[int]int

// add merges o into h.
func (h histogram) add(o histogram) {
	for k, v := range o {
		h[k] += v
	}
}

// n is the number of values.
func (h histogram) n() int {
	t := 0
	for _, v := range h {
		t += v
	}
	return t
}

// percentile returns the nearest-rank p-th percentile (0 < p <= 100): the
// smallest value v such that at least p% of the values are <= v, i.e. the
// value at rank ceil(p/100 × n) in ascending order. It is always one of the
// values. ok is false for no values.
func (h histogram) percentile(p int) (int, bool) {
	n := h.n()
	if n == 0 {
		return 0, false
	}
	rank := (p*n + 99) / 100 // ceil(p×n/100)
	if rank < 1 {
		rank = 1
	}
	keys := make([]int, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	seen := 0
	for _, k := range keys {
		seen += h[k]
		if seen >= rank {
			return k, true
		}
	}
	return keys[len(keys)-1], true
}
