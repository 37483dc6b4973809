package request

import "testing"

func TestNationalFees(t *testing.T) {
	t.Parallel()
	s := NationalFees()
	for _, tc := range []struct{ earlier, items, want int }{
		{0, 10, 0},
		{0, 11, 100},
		{0, 30, 2000},              // 20 items at 100
		{0, 31, 2200},              // + the 31st at 200
		{0, 41, 2000 + 2000 + 300}, // 31–40 at 200, the 41st at 300
		{10, 1, 100},               // cumulative in the month: the 11th item
		{45, 10, 5*300 + 5*400},    // items 46–50 at 300, 51–55 at 400
	} {
		got, err := s.ByItems(tc.earlier, tc.items)
		if err != nil || got != tc.want {
			t.Errorf("ByItems(%d, %d) = %d, %v; want %d", tc.earlier, tc.items, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ pages, want int }{
		{30, 0}, {31, 10}, {100, 700}, {101, 720}, {200, 700 + 2000}, {201, 2700 + 40},
	} {
		got, err := s.ByPages(tc.pages)
		if err != nil || got != tc.want {
			t.Errorf("ByPages(%d) = %d, %v; want %d", tc.pages, got, err, tc.want)
		}
	}
	if _, err := s.ByPages(0); err == nil {
		t.Error("0 pages accepted")
	}
}
