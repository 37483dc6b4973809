package request

import (
	"context"
	"slices"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/request/deadline"
	"gongkai/internal/workday"
)

// The events integrators can subscribe to (webhooks) about requests.
const (
	EventRegistered = "request.registered" // a request was registered or submitted
	EventReplied    = "request.replied"    // the reply was recorded
	EventOverdue    = "request.overdue"    // the reply deadline passed (Art. 33); emitted by the reminders
)

// Events receives the changes integrators subscribe to, inside the
// transaction of the change (webhook.Service), so an event goes out exactly
// when the change commits.
type Events interface {
	EmitTx(ctx context.Context, tx bun.Tx, tenantID int64, kind string, object any) error
}

// SetEvents makes the service emit events to e (nil: none).
func (s *Service) SetEvents(e Events) { s.events = e }

// emit sends an event about r inside tx, when anyone listens.
func (s *Service) emit(ctx context.Context, tx bun.Tx, kind string, r *Request) error {
	if s.events == nil {
		return nil
	}
	return s.events.EmitTx(ctx, tx, r.TenantID, kind, NewEventObject(r))
}

// EventObject is what an event says about a request: its identity, state and
// dates, and no personal data of the applicant.
type EventObject struct {
	ID           int64        `json:"id"`
	TrackingCode string       `json:"tracking_code"`
	State        string       `json:"state"`
	Channel      string       `json:"channel"`
	ReceivedOn   workday.Date `json:"received_on,omitzero"`
	DueOn        workday.Date `json:"due_on,omitzero"`
	RepliedOn    workday.Date `json:"replied_on,omitzero"`
	Outcome      string       `json:"outcome,omitempty"`
}

// NewEventObject returns the event form of r.
func NewEventObject(r *Request) EventObject {
	return EventObject{ID: r.ID, TrackingCode: r.TrackingCode, State: r.State, Channel: r.Channel,
		ReceivedOn: r.ReceivedOn, DueOn: r.DueOn, RepliedOn: r.RepliedOn, Outcome: r.Outcome}
}

// Running is a request whose reply clock runs or is paused, with its deadline
// state computed for today: what reminders look at.
type Running struct {
	Request  Request
	Deadline deadline.Result
	// SupplementPossible reports that a supplement may still be asked for:
	// none was asked yet and the state machine allows it (Art. 30: once,
	// within the window ending on Deadline.SupplementDueOn).
	SupplementPossible bool
	// Err is set when the deadline cannot be computed (e.g. a year the
	// calendar does not cover); the other fields are then incomplete.
	Err error
}

// Running returns the bureau's open and paused requests with their deadline
// state today (the service's clock), in two queries.
func (s *Service) Running(ctx context.Context, tenantID int64) ([]Running, workday.Date, error) {
	today := s.today()
	if err := s.authz.Require(ctx, tenantID, "request", "read"); err != nil {
		return nil, today, err
	}
	cal, err := s.calendar.Calendar(ctx)
	if err != nil {
		return nil, today, err
	}
	var reqs []Request
	var evs []Event
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(&reqs).Where("tenant_id = ? AND state IN ('open', 'paused')", tenantID).Order("id").Scan(ctx); err != nil {
			return err
		}
		return tx.NewSelect().Model(&evs).ModelTableExpr("request_events AS e").Column("e.request_id", "e.kind", "e.day", "e.days", "e.reason").
			Join("JOIN requests AS r ON r.tenant_id = e.tenant_id AND r.id = e.request_id").
			Where("e.tenant_id = ? AND r.state IN ('open', 'paused')", tenantID).OrderExpr("e.request_id, e.id").Scan(ctx)
	})
	if err != nil {
		return nil, today, err
	}
	out := make([]Running, 0, len(reqs))
	j := 0
	for i := range reqs {
		r := reqs[i]
		var log []deadline.Event
		for ; j < len(evs) && evs[j].RequestID < r.ID; j++ {
		}
		for ; j < len(evs) && evs[j].RequestID == r.ID; j++ {
			log = append(log, deadline.Event{Kind: evs[j].Kind, On: evs[j].Day, Days: evs[j].Days, Reason: evs[j].Reason})
		}
		run := Running{Request: r}
		run.Deadline, run.Err = deadline.ComputeDue(log, s.rules, cal, today)
		asked := slices.ContainsFunc(log, func(e deadline.Event) bool { return e.Kind == deadline.SupplementRequested })
		run.SupplementPossible = !asked && slices.Contains(deadline.Allowed(log), deadline.SupplementRequested)
		out = append(out, run)
	}
	return out, today, nil
}
