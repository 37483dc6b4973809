package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"gongkai/internal/authz"
	"gongkai/internal/notify"
	"gongkai/internal/reminder"
	"gongkai/internal/webhook"
)

// background are the services of notifications, reminders and webhooks.
type background struct {
	notify    *notify.Service
	webhooks  *webhook.Service
	reminders *reminder.Service
}

// AddBackground registers the operations of the inbox, notification
// preferences and reminder settings (notify.go) and of webhooks
// (webhooks.go). Call it once, right after New.
func (s *Server) AddBackground(n *notify.Service, w *webhook.Service, r *reminder.Service) {
	s.bg = background{notify: n, webhooks: w, reminders: r}
	if n != nil {
		s.registerNotify()
	}
	if r != nil {
		s.registerReminderSettings()
	}
	if w != nil {
		s.registerWebhooks()
	}
}

// NotificationOut is an entry of the inbox.
type NotificationOut struct {
	ID         int64      `json:"id"`
	Bureau     string     `json:"bureau" doc:"Slug of the bureau the notification is about"`
	Kind       string     `json:"kind" doc:"Kind of notification, e.g. request.deadline"`
	Title      string     `json:"title"`
	Body       string     `json:"body"`
	Link       string     `json:"link,omitempty" doc:"Path of the object in the console"`
	ObjectType string     `json:"object_type,omitempty"`
	ObjectID   string     `json:"object_id,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at,omitempty"`
	Email      string     `json:"email" doc:"State of the e-mail copy: none, queued, digest, sent or no_address"`
}

type notificationListInput struct {
	Unread   bool  `query:"unread" doc:"Only unread notifications"`
	Limit    int   `query:"limit" default:"50" minimum:"1" maximum:"200"`
	BeforeID int64 `query:"before_id" doc:"Cursor: the next_before_id of the previous page"`
}

type notificationListOutput struct {
	Body struct {
		Items        []NotificationOut `json:"items"`
		Unread       int               `json:"unread" doc:"Unread notifications in the inbox (the console bell)"`
		NextBeforeID int64             `json:"next_before_id,omitempty" doc:"Pass as before_id for the next page; absent on the last page"`
	}
}

type notificationIDInput struct {
	ID int64 `path:"id" doc:"Notification id"`
}

type markAllOutput struct {
	Body struct {
		Marked int `json:"marked" doc:"Notifications marked read"`
	}
}

// PreferenceOut is how a person gets the e-mail of one kind of notification.
type PreferenceOut struct {
	Kind     string `json:"kind" doc:"A kind of notification, or * for the default of every kind"`
	Label    string `json:"label,omitempty" doc:"Chinese name of the kind"`
	Delivery string `json:"delivery" enum:"immediate,digest,off" doc:"immediate: a mail per notification; digest: one mail a day (08:00); off: no mail. The inbox entry is always written."`
}

type preferencesOutput struct {
	Body struct {
		Items []PreferenceOut `json:"items"`
	}
}

// PreferenceIn sets the delivery of one kind of notification.
type PreferenceIn struct {
	Kind     string `json:"kind" minLength:"1" maxLength:"50" doc:"A kind of notification, or * for the default"`
	Delivery string `json:"delivery" enum:"immediate,digest,off"`
}

type preferencesInput struct {
	Body struct {
		Preferences []PreferenceIn `json:"preferences" minItems:"1" maxItems:"20"`
	}
}

// me returns the user the request acts for (a token acts for its creator).
func me(ctx context.Context) int64 {
	actor, _ := authz.ActorFrom(ctx)
	return actor.UserID
}

func (s *Server) prefsOut(ps []notify.Preference) *preferencesOutput {
	labels := map[string]string{notify.AllKinds: "全部类型（默认）"}
	for _, k := range notify.Kinds {
		labels[k.Code] = k.Label
	}
	out := &preferencesOutput{}
	out.Body.Items = make([]PreferenceOut, 0, len(ps))
	for _, p := range ps {
		out.Body.Items = append(out.Body.Items, PreferenceOut{Kind: p.Kind, Label: labels[p.Kind], Delivery: p.Delivery})
	}
	return out
}

func (s *Server) registerNotify() {
	errs := []int{http.StatusUnauthorized, http.StatusForbidden}
	const who = " The inbox belongs to the signed-in person; an API token reads its creator's inbox, limited to the token's bureau."
	register(s.API, huma.Operation{
		OperationID: "list-notifications", Method: http.MethodGet, Path: "/v1/me/notifications", Summary: "List my notifications",
		Description: "The caller's inbox (the console bell), newest first, with the unread count: deadline reminders of disclosure requests (Art. 30, 32–34 of the Regulations), escalations and webhook alerts." + who,
		Tags:        []string{"notifications"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *notificationListInput) (*notificationListOutput, error) {
		inbox, err := s.bg.notify.List(ctx, me(ctx), notify.ListFilter{UnreadOnly: in.Unread, Limit: in.Limit, BeforeID: in.BeforeID})
		if err != nil {
			return nil, err
		}
		slugs := map[int64]string{}
		if ts, err := s.deps.Tenants.List(ctx); err == nil {
			for _, t := range ts {
				slugs[t.ID] = t.Slug
			}
		}
		out := &notificationListOutput{}
		out.Body.Unread = inbox.Unread
		out.Body.Items = make([]NotificationOut, 0, len(inbox.Items))
		for _, n := range inbox.Items {
			out.Body.Items = append(out.Body.Items, NotificationOut{ID: n.ID, Bureau: slugs[n.TenantID], Kind: n.Kind, Title: n.Title, Body: n.Body,
				Link: n.Link, ObjectType: n.ObjectType, ObjectID: n.ObjectID, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt, Email: n.EmailState})
		}
		if len(inbox.Items) == in.Limit {
			out.Body.NextBeforeID = inbox.Items[len(inbox.Items)-1].ID
		}
		return out, nil
	})

	register(s.API, huma.Operation{
		OperationID: "mark-notification-read", Method: http.MethodPost, Path: "/v1/me/notifications/{id}/read", Summary: "Mark a notification read",
		Description: "Marks one entry of the caller's inbox read. Another person's notification is not found." + who,
		Tags:        []string{"notifications"}, Security: security, DefaultStatus: http.StatusNoContent, Errors: append(errs, http.StatusNotFound),
	}, func(ctx context.Context, in *notificationIDInput) (*struct{}, error) {
		return nil, s.bg.notify.MarkRead(ctx, me(ctx), in.ID)
	})

	register(s.API, huma.Operation{
		OperationID: "mark-all-notifications-read", Method: http.MethodPost, Path: "/v1/me/notifications/read-all", Summary: "Mark all my notifications read",
		Description: "Marks every unread entry of the caller's inbox read and says how many." + who,
		Tags:        []string{"notifications"}, Security: security, Errors: errs,
	}, func(ctx context.Context, _ *struct{}) (*markAllOutput, error) {
		n, err := s.bg.notify.MarkAllRead(ctx, me(ctx))
		if err != nil {
			return nil, err
		}
		out := &markAllOutput{}
		out.Body.Marked = n
		return out, nil
	})

	register(s.API, huma.Operation{
		OperationID: "get-notification-preferences", Method: http.MethodGet, Path: "/v1/me/notification-preferences", Summary: "My e-mail preferences",
		Description: "How the caller gets the e-mail copy of each kind of notification: immediate, a daily digest, or off; `*` is the default for kinds without their own setting." + who,
		Tags:        []string{"notifications"}, Security: security, Errors: errs,
	}, func(ctx context.Context, _ *struct{}) (*preferencesOutput, error) {
		ps, err := s.bg.notify.Preferences(ctx, me(ctx))
		if err != nil {
			return nil, err
		}
		return s.prefsOut(ps), nil
	})

	register(s.API, huma.Operation{
		OperationID: "set-notification-preferences", Method: http.MethodPut, Path: "/v1/me/notification-preferences", Summary: "Set my e-mail preferences",
		Description: "Sets the delivery of the e-mail copy for the given kinds (`*` for the default) and returns every preference." + who,
		Tags:        []string{"notifications"}, Security: security, Errors: errs,
	}, func(ctx context.Context, in *preferencesInput) (*preferencesOutput, error) {
		prefs := make([]notify.Preference, 0, len(in.Body.Preferences))
		for _, p := range in.Body.Preferences {
			prefs = append(prefs, notify.Preference{Kind: p.Kind, Delivery: p.Delivery})
		}
		ps, err := s.bg.notify.SetPreferences(ctx, me(ctx), prefs)
		if err != nil {
			return nil, err
		}
		return s.prefsOut(ps), nil
	})
}
