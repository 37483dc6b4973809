package catalog

import (
	"context"

	"gongkai/internal/workday"
)

// WorkingCalendar returns the working-day calendar the service counts the
// Art. 26 publication period with (the national schedule and the city's
// corrections), so that lists can show each item's due date.
func (s *Service) WorkingCalendar(ctx context.Context) (*workday.Calendar, error) {
	return s.calendar.Calendar(ctx)
}

// ExplainDue returns the Art. 26 due date of information formed or changed
// on formedOn — 20 working days counted from the next day — with a
// day-by-day account of the count (rest days and make-up working days
// named), so that staff can check it.
func (s *Service) ExplainDue(ctx context.Context, formedOn workday.Date) (workday.Date, []string, error) {
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return workday.Date{}, nil, err
	}
	return cal.ExplainAdd(formedOn, PublicationDays)
}
