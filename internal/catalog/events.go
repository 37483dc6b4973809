package catalog

import (
	"context"

	"github.com/uptrace/bun"

	"gongkai/internal/workday"
)

// The events integrators can subscribe to (webhooks) about the catalog.
const (
	EventPublished = "catalog.item_published" // an item (or a revision of it) was published
	EventWithdrawn = "catalog.item_withdrawn" // a published item was withdrawn
)

// Events receives the changes integrators subscribe to, inside the
// transaction of the change (webhook.Service).
type Events interface {
	EmitTx(ctx context.Context, tx bun.Tx, tenantID int64, kind string, object any) error
}

// SetEvents makes the service emit events to e (nil: none).
func (s *Service) SetEvents(e Events) { s.events = e }

// EventObject is what an event says about an item.
type EventObject struct {
	ID          int64        `json:"id"`
	IndexNo     string       `json:"index_no,omitempty"`
	Title       string       `json:"title"`
	State       string       `json:"state"`
	PublishedOn workday.Date `json:"published_on,omitzero"`
}

func (s *Service) emit(ctx context.Context, tx bun.Tx, kind string, it *Item) error {
	if s.events == nil || it == nil {
		return nil
	}
	return s.events.EmitTx(ctx, tx, it.TenantID, kind, EventObject{ID: it.ID, IndexNo: it.IndexNo, Title: it.Title, State: string(it.State), PublishedOn: it.PublishedOn})
}
