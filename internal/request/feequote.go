package request

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// Fee bases (国办函〔2020〕109号): one per application.
const (
	FeeByItems = "items" // 按件计收: counted per applicant per calendar month
	FeeByPages = "pages" // 按量计收: pages of this application
)

// FeeLine is one tier of a fee quote: units From..To (1-based, counted as
// the basis counts them) at Yuan each.
type FeeLine struct {
	From     int `json:"from"`
	To       int `json:"to"`
	Yuan     int `json:"yuan"`
	Subtotal int `json:"subtotal"`
}

// FeeQuote is the information processing fee of one request, with the
// reckoning a clerk can check against the schedule.
type FeeQuote struct {
	Basis string `json:"basis"`
	// Units are the items or pages charged for this request.
	Units int `json:"units"`
	// Month is the calendar month of receipt (items basis).
	Month string `json:"month,omitempty"`
	// Earlier are the tracking codes of the applicant's requests received
	// earlier in that month by this bureau (items basis): they count first.
	Earlier []string `json:"earlier"`
	// Unidentified is true when the request has no identity document, so
	// earlier requests of the applicant could not be counted.
	Unidentified bool      `json:"unidentified"`
	Lines        []FeeLine `json:"lines"`
	AmountYuan   int       `json:"amount_yuan"`
}

// Validate checks a schedule: tiers start at unit 1, rise strictly, and
// charge no negative amount.
func (s FeeSchedule) Validate() error {
	check := func(name string, tiers []FeeTier) error {
		if len(tiers) == 0 || tiers[0].From != 1 {
			return fault.Field(name, "tiers must start at unit 1")
		}
		for i, t := range tiers {
			if t.Yuan < 0 {
				return fault.Field(name, "tier %d charges a negative amount", i+1)
			}
			if i > 0 && t.From <= tiers[i-1].From {
				return fault.Field(name, "tier %d must start after tier %d", i+1, i)
			}
		}
		return nil
	}
	if err := check("per_item", s.PerItem); err != nil {
		return err
	}
	if s.ItemBandSize < 0 || s.ItemBandStep < 0 {
		return fault.Field("item_band_size", "band size and step must not be negative")
	}
	return check("per_page", s.PerPage)
}

// pagePrice is the price of the p-th page (1-based) of an application.
func (s FeeSchedule) pagePrice(p int) int {
	price := 0
	for _, t := range s.PerPage {
		if p >= t.From {
			price = t.Yuan
		}
	}
	return price
}

// lines groups units first..first+count-1 priced by price into tiers.
func lines(first, count int, price func(int) int) ([]FeeLine, int) {
	var out []FeeLine
	total := 0
	for n := first; n < first+count; n++ {
		p := price(n)
		total += p
		if k := len(out) - 1; k >= 0 && out[k].Yuan == p {
			out[k].To = n
			out[k].Subtotal += p
			continue
		}
		out = append(out, FeeLine{From: n, To: n, Yuan: p, Subtotal: p})
	}
	return out, total
}

// maxFeeUnits bounds a quote (a request of more pages is a data error).
const maxFeeUnits = 1_000_000

// SetFees replaces the fee schedule (the city's fee-schedule setting).
func (s *Service) SetFees(f FeeSchedule) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s.fees = f
	return nil
}

// Fees returns the fee schedule in force.
func (s *Service) Fees() FeeSchedule { return s.fees }

// QuoteFee computes the information processing fee of a request
// (国办函〔2020〕109号) on basis items (units: the items of this request,
// usually 1; the applicant's requests received earlier in the same calendar
// month count first) or pages (units: the pages of this request).
func (s *Service) QuoteFee(ctx context.Context, tenantID, id int64, basis string, units int) (*FeeQuote, error) {
	if err := s.authz.Require(ctx, tenantID, "request", "read"); err != nil {
		return nil, err
	}
	if basis != FeeByItems && basis != FeeByPages {
		return nil, fault.Field("basis", "must be items (按件计收) or pages (按量计收)")
	}
	if units < 1 || units > maxFeeUnits {
		return nil, fault.Field("units", "must be 1 to %d", maxFeeUnits)
	}
	q := &FeeQuote{Basis: basis, Units: units, Earlier: []string{}}
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		r, err := get(ctx, tx, tenantID, id)
		if err != nil {
			return err
		}
		if basis == FeeByPages {
			q.Lines, q.AmountYuan = lines(1, units, s.fees.pagePrice)
			return nil
		}
		if !r.ReceivedOn.Valid() {
			return fault.New(fault.Conflict, "the request has no receipt date yet; confirm receipt first")
		}
		first := workday.Date{Year: r.ReceivedOn.Year, Month: r.ReceivedOn.Month, Day: 1}
		q.Month = fmt.Sprintf("%04d-%02d", first.Year, int(first.Month))
		if r.ApplicantKey == "" {
			q.Unidentified = true
		} else if err := tx.NewSelect().Model((*Request)(nil)).Column("tracking_code").
			Where("tenant_id = ? AND applicant_key = ? AND applicant_key <> '' AND id <> ?", tenantID, r.ApplicantKey, r.ID).
			Where("received_on >= ? AND (received_on < ? OR (received_on = ? AND id < ?))", first, r.ReceivedOn, r.ReceivedOn, r.ID).
			OrderExpr("received_on, id").Scan(ctx, &q.Earlier); err != nil {
			return err
		}
		q.Lines, q.AmountYuan = lines(len(q.Earlier)+1, units, s.fees.itemPrice)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}
