package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"gongkai/internal/webhook"
)

// signatureDoc explains deliveries and their signature in the operations
// that manage endpoints.
const signatureDoc = `

Each event is POSTed as JSON ` + "`{\"id\": \"evt_…\", \"type\": \"request.registered\", \"time\": \"2026-03-02T08:00:00Z\", \"tenant\": \"civil-affairs\", \"object\": {…}}`" + `
with the header ` + "`X-Gongkai-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>`" + `: recompute the HMAC
over the raw body with the endpoint's secret, compare in constant time, and reject timestamps more than 5 minutes
old. ` + "`X-Gongkai-Event-Id`" + ` repeats the event id (deduplicate on it: an event may arrive more than once). Any 2xx answer
acknowledges; anything else (or no answer within 15 s, or a redirect, which is not followed) is retried with
exponential backoff for about 24 hours. After repeated consecutive failures the endpoint is disabled and the bureau
admins are notified. Only http(s) URLs on public addresses are accepted (checked at creation and again on every
connection, after DNS resolution). See docs/webhooks.md for a verification example.`

// WebhookOut is a webhook endpoint; its secret is only in the creation response.
type WebhookOut struct {
	ID             int64      `json:"id"`
	URL            string     `json:"url"`
	Description    string     `json:"description,omitempty"`
	Events         []string   `json:"events"`
	Active         bool       `json:"active"`
	Failures       int        `json:"failures" doc:"Consecutive failed delivery attempts"`
	DisabledAt     *time.Time `json:"disabled_at,omitempty"`
	DisabledReason string     `json:"disabled_reason,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
}

func webhookOut(e *webhook.Endpoint) WebhookOut {
	return WebhookOut{ID: e.ID, URL: e.URL, Description: e.Description, Events: e.EventList(), Active: e.Active, Failures: e.Failures,
		DisabledAt: e.DisabledAt, DisabledReason: e.DisabledReason, CreatedAt: e.CreatedAt.UTC()}
}

// AttemptOut is one entry of the delivery log.
type AttemptOut struct {
	Attempt    int       `json:"attempt"`
	StatusCode int       `json:"status_code" doc:"HTTP status of the receiver's answer; 0 when there was none"`
	Error      string    `json:"error,omitempty"`
	Response   string    `json:"response,omitempty" doc:"Start of the response body (at most 512 bytes)"`
	DurationMS int       `json:"duration_ms"`
	At         time.Time `json:"at"`
}

// DeliveryOut is one event sent (or to be sent) to an endpoint.
type DeliveryOut struct {
	ID          int64        `json:"id"`
	EventID     string       `json:"event_id"`
	EventType   string       `json:"event_type"`
	OccurredAt  time.Time    `json:"occurred_at"`
	State       string       `json:"state" enum:"pending,retrying,delivered,failed,cancelled"`
	Attempts    int          `json:"attempts"`
	LastStatus  int          `json:"last_status"`
	LastError   string       `json:"last_error,omitempty"`
	DeliveredAt *time.Time   `json:"delivered_at,omitempty"`
	Log         []AttemptOut `json:"log"`
}

func deliveryOut(d *webhook.Delivery) DeliveryOut {
	out := DeliveryOut{ID: d.ID, EventID: d.EventID, EventType: d.EventType, OccurredAt: d.OccurredAt.UTC(), State: d.State, Attempts: d.Attempts,
		LastStatus: d.LastStatus, LastError: d.LastError, DeliveredAt: d.DeliveredAt, Log: make([]AttemptOut, 0, len(d.Log))}
	for _, a := range d.Log {
		out.Log = append(out.Log, AttemptOut{Attempt: a.Attempt, StatusCode: a.StatusCode, Error: a.Error, Response: a.Response, DurationMS: a.DurationMS, At: a.At.UTC()})
	}
	return out
}

type webhookCreateInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Body struct {
		URL         string   `json:"url" minLength:"8" maxLength:"2000" doc:"Where events are POSTed: http(s) on a public address" example:"https://portal.example.gov.cn/hooks/gongkai"`
		Events      []string `json:"events" minItems:"1" enum:"request.registered,request.replied,request.overdue" doc:"Event types to receive"`
		Description string   `json:"description,omitempty" maxLength:"200"`
	}
}

type webhookCreateOutput struct {
	Body struct {
		Webhook WebhookOut `json:"webhook"`
		Secret  string     `json:"secret" doc:"The signing secret. Shown only in this response: store it now."`
	}
}

type webhookIDInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	ID   int64  `path:"id" doc:"Webhook endpoint id"`
}

type webhookPatchInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	ID   int64  `path:"id" doc:"Webhook endpoint id"`
	Body struct {
		URL         *string  `json:"url,omitempty" minLength:"8" maxLength:"2000"`
		Events      []string `json:"events,omitempty" minItems:"1" enum:"request.registered,request.replied,request.overdue"`
		Description *string  `json:"description,omitempty" maxLength:"200"`
		Active      *bool    `json:"active,omitempty" doc:"true re-enables a disabled endpoint (and clears its failure count); false pauses it"`
	}
}

type deliveriesInput struct {
	Slug  string `path:"slug" doc:"Slug of the bureau"`
	ID    int64  `path:"id" doc:"Webhook endpoint id"`
	Limit int    `query:"limit" default:"50" minimum:"1" maximum:"500"`
}

type redeliverInput struct {
	Slug       string `path:"slug" doc:"Slug of the bureau"`
	ID         int64  `path:"id" doc:"Webhook endpoint id"`
	DeliveryID int64  `path:"delivery" doc:"Delivery id"`
}

func (s *Server) registerWebhooks() {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}
	register(s.API, huma.Operation{
		OperationID: "list-webhooks", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/webhooks", Summary: "List webhook endpoints",
		Description: "The bureau's webhook endpoints with their state." + signatureDoc,
		Tags:        []string{"webhooks"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *slugInput) (*struct{ Body []WebhookOut }, error) {
		eps, err := s.bg.webhooks.List(ctx, tenantFrom(ctx).ID)
		if err != nil {
			return nil, err
		}
		out := make([]WebhookOut, 0, len(eps))
		for i := range eps {
			out = append(out, webhookOut(&eps[i]))
		}
		return &struct{ Body []WebhookOut }{Body: out}, nil
	})

	register(s.API, huma.Operation{
		OperationID: "create-webhook", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/webhooks", Summary: "Create a webhook endpoint",
		Description: "Registers a URL that receives the bureau's events of the given types and returns its signing secret, once. " +
			"Loopback, private, link-local and other non-public addresses are refused (422) unless the platform allows the network." + signatureDoc,
		Tags: []string{"webhooks"}, Security: security, DefaultStatus: http.StatusCreated, Errors: errs,
	}, func(ctx context.Context, in *webhookCreateInput) (*webhookCreateOutput, error) {
		ep, secret, err := s.bg.webhooks.Create(ctx, tenantFrom(ctx).ID, webhook.NewEndpoint{URL: in.Body.URL, Events: in.Body.Events, Description: in.Body.Description})
		if err != nil {
			return nil, err
		}
		out := &webhookCreateOutput{}
		out.Body.Webhook, out.Body.Secret = webhookOut(ep), secret
		return out, nil
	})

	register(s.API, huma.Operation{
		OperationID: "update-webhook", Method: http.MethodPatch, Path: "/v1/bureaus/{slug}/webhooks/{id}", Summary: "Change a webhook endpoint",
		Description: "Changes the URL, event types or description, or re-enables (`active: true`) an endpoint disabled after failures. Absent fields stay as they are.",
		Tags:        []string{"webhooks"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *webhookPatchInput) (*struct{ Body WebhookOut }, error) {
		ep, err := s.bg.webhooks.Update(ctx, tenantFrom(ctx).ID, in.ID, webhook.Patch{URL: in.Body.URL, Events: in.Body.Events, Description: in.Body.Description, Active: in.Body.Active})
		if err != nil {
			return nil, err
		}
		return &struct{ Body WebhookOut }{Body: webhookOut(ep)}, nil
	})

	register(s.API, huma.Operation{
		OperationID: "delete-webhook", Method: http.MethodDelete, Path: "/v1/bureaus/{slug}/webhooks/{id}", Summary: "Delete a webhook endpoint",
		Description: "Removes the endpoint with its delivery log; queued deliveries are dropped.",
		Tags:        []string{"webhooks"}, Security: security, DefaultStatus: http.StatusNoContent, Errors: errs,
	}, func(ctx context.Context, in *webhookIDInput) (*struct{}, error) {
		return nil, s.bg.webhooks.Delete(ctx, tenantFrom(ctx).ID, in.ID)
	})

	register(s.API, huma.Operation{
		OperationID: "list-webhook-deliveries", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/webhooks/{id}/deliveries", Summary: "Delivery log of a webhook endpoint",
		Description: "The endpoint's newest deliveries, each with every attempt and the receiver's response code.",
		Tags:        []string{"webhooks"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *deliveriesInput) (*struct{ Body []DeliveryOut }, error) {
		ds, err := s.bg.webhooks.Deliveries(ctx, tenantFrom(ctx).ID, in.ID, in.Limit)
		if err != nil {
			return nil, err
		}
		out := make([]DeliveryOut, 0, len(ds))
		for i := range ds {
			out = append(out, deliveryOut(&ds[i]))
		}
		return &struct{ Body []DeliveryOut }{Body: out}, nil
	})

	register(s.API, huma.Operation{
		OperationID: "redeliver-webhook", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/webhooks/{id}/deliveries/{delivery}/redeliver", Summary: "Send a delivery again",
		Description: "Queues the delivery again: the same event id and body with a fresh signature, retried as usual. The endpoint must be active (409 otherwise).",
		Tags:        []string{"webhooks"}, Security: security, DefaultStatus: http.StatusAccepted, Errors: append(errs, http.StatusConflict),
	}, func(ctx context.Context, in *redeliverInput) (*struct{ Body DeliveryOut }, error) {
		d, err := s.bg.webhooks.Redeliver(ctx, tenantFrom(ctx).ID, in.ID, in.DeliveryID)
		if err != nil {
			return nil, err
		}
		return &struct{ Body DeliveryOut }{Body: deliveryOut(d)}, nil
	})
}
