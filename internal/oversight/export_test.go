package oversight

import (
	"context"

	"gongkai/internal/workday"
)

// RawDashboard is Dashboard with every request figure counted from the
// requests themselves instead of the summary, for the tests' comparison.
func (s *Service) RawDashboard(ctx context.Context, year int, from, to workday.Date, rollUp bool) (*Dashboard, error) {
	return s.dashboard(ctx, year, from, to, rollUp, true)
}

// SummaryVersion is the calendar version the reply-time summary was built
// from.
func (s *Service) SummaryVersion(ctx context.Context) (string, error) {
	return summaryVersion(ctx, s.db.Bun)
}

// Hist is the row's histogram of working days to reply (value -> replies).
func (r *DashboardRow) Hist() map[int]int { return r.hist }
