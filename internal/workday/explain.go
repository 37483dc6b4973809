package workday

import (
	"fmt"
	"slices"
	"strings"
)

// ExplainAdd is AddWorkingDays with a day-by-day account in Chinese, so that
// a due date can be shown and checked (Art. 33: the period starts the day
// after receipt and counts working days only). Runs of rest days are grouped
// with the holiday names from the national schedule or the override reasons;
// make-up working days (调休上班) are listed one by one. For the worked
// example (from Fri 13 Feb 2026, n = 20):
//
//	自 2026-02-13 周五 次日起算，计 20 个工作日
//	2026-02-14 周六 调休上班 第1个工作日
//	2026-02-15 至 2026-02-23 休息日（春节）
//	2026-02-24 至 2026-02-27 第2–5个工作日
//	2026-02-28 周六 调休上班 第6个工作日
//	...
//	第20个工作日：2026-03-19 周四
func (c *Calendar) ExplainAdd(from Date, n int) (Date, []string, error) {
	due, err := c.AddWorkingDays(from, n)
	if err != nil {
		return Date{}, nil, err
	}
	lines := []string{fmt.Sprintf("自 %s %s 次日起算，计 %d 个工作日", from, from.zhWeekday(), n)}
	if n == 0 {
		return due, append(lines, fmt.Sprintf("0 个工作日：即 %s %s", due, due.zhWeekday())), nil
	}

	var (
		k                  int  // working days counted so far
		restFrom, restTo   Date // current run of rest days
		restLabels         []string
		inRest, inWork     bool
		workFrom, workTo   Date // current run of ordinary working days
		workFirst, workEnd int
	)
	flushRest := func() {
		if !inRest {
			return
		}
		inRest = false
		why := strings.Join(restLabels, "、")
		if restFrom == restTo {
			lines = append(lines, fmt.Sprintf("%s %s 休息日（%s）", restFrom, restFrom.zhWeekday(), why))
		} else {
			lines = append(lines, fmt.Sprintf("%s 至 %s 休息日（%s）", restFrom, restTo, why))
		}
		restLabels = restLabels[:0]
	}
	flushWork := func() {
		if !inWork {
			return
		}
		inWork = false
		if workFrom == workTo {
			lines = append(lines, fmt.Sprintf("%s %s 第%d个工作日", workFrom, workFrom.zhWeekday(), workFirst))
		} else {
			lines = append(lines, fmt.Sprintf("%s 至 %s 第%d–%d个工作日", workFrom, workTo, workFirst, workEnd))
		}
	}

	for d := from.AddDays(1); !d.After(due); d = d.AddDays(1) {
		t := c.table(d.Year) // covered: AddWorkingDays succeeded
		yd := d.yday()
		kind, label := t.kind[yd], t.label[yd]
		if kind.working() {
			k++
			flushRest()
			if kind == kindWeekday {
				if !inWork {
					inWork, workFrom, workFirst = true, d, k
				}
				workTo, workEnd = d, k
				continue
			}
			flushWork()
			switch {
			case kind == kindMakeup:
				lines = append(lines, fmt.Sprintf("%s %s 调休上班 第%d个工作日", d, d.zhWeekday(), k))
			case isWeekend(d.Weekday()):
				lines = append(lines, fmt.Sprintf("%s %s 调休上班（%s） 第%d个工作日", d, d.zhWeekday(), label, k))
			default:
				lines = append(lines, fmt.Sprintf("%s %s 工作日（%s） 第%d个工作日", d, d.zhWeekday(), label, k))
			}
			continue
		}
		flushWork()
		if !inRest {
			inRest, restFrom = true, d
		}
		restTo = d
		switch {
		case kind == kindWeekend:
			label = "周末"
		case label == "":
			label = "法定休息日"
		}
		if !slices.Contains(restLabels, label) {
			restLabels = append(restLabels, label)
		}
	}
	flushRest()
	flushWork()
	lines = append(lines, fmt.Sprintf("第%d个工作日：%s %s", n, due, due.zhWeekday()))
	return due, lines, nil
}
