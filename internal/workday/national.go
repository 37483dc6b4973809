package workday

import (
	"runtime/debug"
	"sync"

	"github.com/6tail/lunar-go/HolidayUtil"

	"gongkai/internal/fault"
)

const lunarModule = "github.com/6tail/lunar-go"

// lunarScanFirst and lunarScanLast bound the years asked of lunar-go. Its
// data starts on 2001-12-29; the upper bound is far beyond any year it will
// ship, so a new lunar-go release with new years needs no code change.
const (
	lunarScanFirst = 2001
	lunarScanLast  = 2200
)

// nationalCorrections are built-in corrections to the lunar-go schedule, each
// with the State Council notice it follows as Reason. They are applied on top
// of lunar-go and below all caller overrides.
//
// Checked against the national tables of the domain notes, workdays.md (2025: 国办发明电
// 〔2024〕12号; 2026: notice of 4 Nov 2025) with lunar-go v1.4.7: every rest
// day and every 调休 working day agree, and both years have 248 working days
// (see TestNationalSchedules), so no correction is needed today. Should a
// later lunar-go release disagree with a published notice, the notice wins:
// add an entry here with the notice number as Reason.
var nationalCorrections = []Override{}

// lunarSource names the lunar-go release compiled into the binary, e.g.
// "github.com/6tail/lunar-go@v1.4.7".
func lunarSource() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == lunarModule {
				if m.Replace != nil {
					m = m.Replace
				}
				return m.Path + "@" + m.Version
			}
		}
	}
	return lunarModule
}

var national struct {
	once   sync.Once
	tables map[int]*yearTable
	err    error
}

// nationalTables returns the national schedule (lunar-go plus
// nationalCorrections), one finished table per covered year. Built once:
// lunar-go answers by scanning a string, which is far too slow per day.
// The tables are shared and must not be modified. lunar-go keeps its data in
// a package variable that HolidayUtil.Fix can change; nothing in Gongkai
// calls Fix (corrections go in nationalCorrections or Override), and the
// snapshot taken here is what every Calendar uses.
func nationalTables() (map[int]*yearTable, error) {
	national.once.Do(func() {
		national.tables, national.err = loadNational()
	})
	return national.tables, national.err
}

type lunarEntry struct {
	date   Date
	name   string
	work   bool
	target Date
}

// loadNational reads every year lunar-go knows.
//
// A year counts as covered when lunar-go lists at least one rest day in it
// that belongs to a festival of the same year. That excludes 2001, for which
// lunar-go has only the two make-up working days (29–30 Dec 2001) of the 2002
// New Year and none of the 2001 holidays.
func loadNational() (map[int]*yearTable, error) {
	src := lunarSource()
	byYear := map[int][]lunarEntry{}
	covered := map[int]bool{}
	for y := lunarScanFirst; y <= lunarScanLast; y++ {
		l := HolidayUtil.GetHolidaysByYear(y)
		for e := l.Front(); e != nil; e = e.Next() {
			h, ok := e.Value.(*HolidayUtil.Holiday)
			if !ok || h == nil {
				continue
			}
			d, err := ParseDate(h.GetDay())
			if err != nil {
				return nil, fault.Wrap(err, fault.Internal, "lunar-go holiday data: bad day %q", h.GetDay())
			}
			t, err := ParseDate(h.GetTarget())
			if err != nil {
				return nil, fault.Wrap(err, fault.Internal, "lunar-go holiday data: bad target %q", h.GetTarget())
			}
			if d.Year != y {
				continue
			}
			byYear[y] = append(byYear[y], lunarEntry{date: d, name: h.GetName(), work: h.IsWork(), target: t})
			if !h.IsWork() && t.Year == y {
				covered[y] = true
			}
		}
	}
	tables := make(map[int]*yearTable, len(covered))
	for y := range covered {
		t := newYearTable(y, src)
		for _, e := range byYear[y] {
			if e.work {
				t.set(e.date.yday(), kindMakeup, e.name)
			} else {
				t.set(e.date.yday(), kindHoliday, e.name)
			}
		}
		tables[y] = t
	}
	for _, o := range nationalCorrections {
		t := tables[o.Date.Year]
		if t == nil || !o.Date.Valid() || o.Reason == "" {
			// A correction patches a year lunar-go covers; a whole new year
			// is a YearSchedule.
			return nil, fault.New(fault.Internal, "built-in calendar correction %v (%s): no national schedule for year %d", o.Date, o.Reason, o.Date.Year)
		}
		t.source = src + " + corrections"
		switch {
		case !o.Working:
			t.set(o.Date.yday(), kindHoliday, o.Reason)
		case isWeekend(o.Date.Weekday()):
			t.set(o.Date.yday(), kindMakeup, o.Reason)
		default:
			t.set(o.Date.yday(), kindWeekday, "")
		}
	}
	for _, t := range tables {
		t.finish()
	}
	return tables, nil
}
