package oversight

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/workday"
)

// Trends are the month-by-month figures of a year and of the year before,
// for the city or one bureau (metric trends).
type Trends struct {
	Year int `json:"year"`
	// Bureau is the bureau the figures are about; nil for the whole city.
	Bureau *BureauRef `json:"bureau,omitempty"`
	RollUp bool       `json:"rollup"`
	// Months are the labels of the twelve months (1月 … 12月).
	Months []string `json:"months"`
	// Received and Closed are per month of Year; the LastYear fields the
	// same months of Year-1.
	Received         [12]int `json:"received"`
	Closed           [12]int `json:"closed"`
	ReceivedLastYear [12]int `json:"received_last_year"`
	ClosedLastYear   [12]int `json:"closed_last_year"`
}

// Trends returns received and closed per month of the year and of the year
// before: for the city when tenantID is 0, else for the bureau (with rollUp,
// its affiliated units included).
func (s *Service) Trends(ctx context.Context, year int, tenantID int64, rollUp bool) (*Trends, error) {
	if err := s.require(ctx); err != nil {
		return nil, err
	}
	if _, err := period(year, workday.Date{}, workday.Date{}); err != nil {
		return nil, err
	}
	c, err := s.city(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := c.scope(tenantID, rollUp)
	if err != nil {
		return nil, err
	}
	t := &Trends{Year: year, RollUp: rollUp}
	if tenantID != 0 {
		b, _ := c.tenantBureau(tenantID)
		t.Bureau = &b
	}
	for m := 1; m <= 12; m++ {
		t.Months = append(t.Months, fmt.Sprintf("%d月", m))
	}
	from := workday.Date{Year: year - 1, Month: time.January, Day: 1}
	to := workday.Date{Year: year, Month: time.December, Day: 31}
	type dayCount struct {
		Day workday.Date `bun:"day"`
		N   int          `bun:"n"`
	}
	err = s.read(ctx, func(ctx context.Context, tx bun.Tx) error {
		if len(ids) == 0 {
			return nil
		}
		for _, q := range []struct {
			col, where string
			this, last *[12]int
		}{
			{"received_on", "state <> 'submitted'", &t.Received, &t.ReceivedLastYear},
			{"outcome_on", "outcome <> ''", &t.Closed, &t.ClosedLastYear},
		} {
			var out []dayCount
			err := tx.NewSelect().Table("requests").ColumnExpr(q.col+" AS day").ColumnExpr("count(*) AS n").
				Where("tenant_id IN (?)", bun.List(ids)).Where(q.where).Where(q.col+" >= ? AND "+q.col+" <= ?", from, to).
				Group(q.col).Scan(ctx, &out)
			if err != nil {
				return err
			}
			for _, o := range out {
				switch o.Day.Year {
				case year:
					q.this[o.Day.Month-1] += o.N
				case year - 1:
					q.last[o.Day.Month-1] += o.N
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ReceivedChart renders received per month, this year against last year.
func (t *Trends) ReceivedChart() string {
	return BarChartSVG(fmt.Sprintf("%s新收政府信息公开申请（%d年与%d年同月对比）", t.scopeName(), t.Year, t.Year-1), t.Months,
		Series{Name: fmt.Sprintf("%d年", t.Year), Values: t.Received[:]},
		Series{Name: fmt.Sprintf("%d年", t.Year-1), Values: t.ReceivedLastYear[:]})
}

// ClosedChart renders closed per month, this year against last year.
func (t *Trends) ClosedChart() string {
	return BarChartSVG(fmt.Sprintf("%s办结政府信息公开申请（%d年与%d年同月对比）", t.scopeName(), t.Year, t.Year-1), t.Months,
		Series{Name: fmt.Sprintf("%d年", t.Year), Values: t.Closed[:]},
		Series{Name: fmt.Sprintf("%d年", t.Year-1), Values: t.ClosedLastYear[:]})
}

func (t *Trends) scopeName() string {
	if t.Bureau == nil {
		return "全市"
	}
	if t.RollUp {
		return t.Bureau.Name + "（含直属单位）"
	}
	return t.Bureau.Name
}
