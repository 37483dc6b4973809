package request

import "gongkai/internal/fault"

// FeeTier charges Yuan per unit for units from From on (1-based), until the
// next tier starts.
type FeeTier struct {
	From int `json:"from"`
	Yuan int `json:"yuan"`
}

// FeeSchedule is the information processing fee (信息处理费) schedule of
// 《政府信息公开信息处理费管理办法》(国办函〔2020〕109号). Local rules
// may differ, so it is data.
type FeeSchedule struct {
	// PerItem tiers count items per applicant per calendar month,
	// cumulatively (按件计收).
	PerItem []FeeTier `json:"per_item"`
	// ItemBandSize and ItemBandStep extend the per-item tiers beyond the
	// last one: each further band of ItemBandSize items costs ItemBandStep
	// yuan more per item than the band before.
	ItemBandSize int `json:"item_band_size"`
	ItemBandStep int `json:"item_band_step"`
	// PerPage tiers count pages of one application (按量计收).
	PerPage []FeeTier `json:"per_page"`
}

// NationalFees is the national schedule: items 1–10 free, 11–30 100 yuan
// each, 31–40 200, 41–50 300 …; pages 1–30 free, 31–100 10 yuan a page,
// 101–200 20, 201 and more 40.
func NationalFees() FeeSchedule {
	return FeeSchedule{
		PerItem:      []FeeTier{{1, 0}, {11, 100}, {31, 200}},
		ItemBandSize: 10, ItemBandStep: 100,
		PerPage: []FeeTier{{1, 0}, {31, 10}, {101, 20}, {201, 40}},
	}
}

// itemPrice is the price of the n-th item (1-based) of the month.
func (s FeeSchedule) itemPrice(n int) int {
	price := 0
	last := FeeTier{}
	for _, t := range s.PerItem {
		if n >= t.From {
			price, last = t.Yuan, t
		}
	}
	if s.ItemBandSize > 0 && last.From > 0 && last == s.PerItem[len(s.PerItem)-1] && n >= last.From {
		price = last.Yuan + (n-last.From)/s.ItemBandSize*s.ItemBandStep
	}
	return price
}

// ByItems returns the fee for items of one application when the applicant
// already had earlier items counted this calendar month.
func (s FeeSchedule) ByItems(earlierThisMonth, items int) (int, error) {
	if earlierThisMonth < 0 || items < 1 {
		return 0, fault.Field("items", "must be at least 1 (and earlier items not negative)")
	}
	_, total := lines(earlierThisMonth+1, items, s.itemPrice)
	return total, nil
}

// ByPages returns the fee for an application of so many pages.
func (s FeeSchedule) ByPages(pages int) (int, error) {
	if pages < 1 {
		return 0, fault.Field("pages", "must be at least 1")
	}
	_, total := lines(1, pages, s.pagePrice)
	return total, nil
}
