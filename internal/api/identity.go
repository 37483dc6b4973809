package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/identity"
)

// Me is the calling principal.
type Me struct {
	Subject  string   `json:"subject" doc:"user:<id> or token:<id>"`
	Name     string   `json:"name"`
	Bureau   string   `json:"bureau,omitempty" doc:"Slug of the token's bureau, or the user's current bureau"`
	Roles    []string `json:"roles" doc:"Roles in that bureau, plus cross-tenant roles"`
	Username string   `json:"username,omitempty"`
}

// MemberOut is a person with roles in a bureau.
type MemberOut struct {
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Email       string   `json:"email,omitempty"`
	Roles       []string `json:"roles"`
}

// TokenOut describes an API token; the secret is only in the creation response.
type TokenOut struct {
	ID         int64      `json:"id"`
	Prefix     string     `json:"prefix" doc:"Visible start of the token, for recognising it"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

func tokenOut(t identity.Token) TokenOut {
	return TokenOut{ID: t.ID, Prefix: t.Prefix, Name: t.Name, Role: t.Role, CreatedAt: t.CreatedAt.UTC(), ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

type slugInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau" example:"civil-affairs"`
}

type memberCreateInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Body struct {
		Username    string   `json:"username" doc:"Login name; an existing account is added, a new one created" minLength:"3" maxLength:"40"`
		DisplayName string   `json:"display_name,omitempty" doc:"Name shown in the console; required for a new account" maxLength:"60"`
		Email       string   `json:"email,omitempty" doc:"E-mail address for notifications" maxLength:"200"`
		Password    string   `json:"password,omitempty" doc:"Initial password of a new account (at least 12 characters, 3 of 4 character classes)" maxLength:"256"`
		Roles       []string `json:"roles" doc:"Roles in this bureau" minItems:"1" enum:"bureau_admin,info_officer,reviewer,viewer"`
	}
}

type memberRolesInput struct {
	Slug     string `path:"slug" doc:"Slug of the bureau"`
	Username string `path:"username" doc:"Login name of the member"`
	Body     struct {
		Roles []string `json:"roles" doc:"The member's new roles in this bureau; empty removes them" enum:"bureau_admin,info_officer,reviewer,viewer"`
	}
}

type memberDeleteInput struct {
	Slug     string `path:"slug" doc:"Slug of the bureau"`
	Username string `path:"username" doc:"Login name of the member"`
}

type tokenCreateInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	Body struct {
		Name      string     `json:"name" doc:"Which integration uses the token" minLength:"1" maxLength:"100"`
		Role      string     `json:"role" doc:"The token's one role, no higher than your own" enum:"bureau_admin,info_officer,reviewer,viewer"`
		ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"When the token stops working; never when omitted"`
	}
}

type tokenCreateOutput struct {
	Body struct {
		Token  TokenOut `json:"token"`
		Secret string   `json:"secret" doc:"The token itself. Shown only in this response: store it now."`
	}
}

type tokenDeleteInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	ID   int64  `path:"id" doc:"Token id"`
}

type auditInput struct {
	Slug string `path:"slug" doc:"Slug of the bureau"`
	AuditQuery
}

// AuditQuery filters the audit trail (exported so huma reads its fields
// when embedded).
type AuditQuery struct {
	Actor    string    `query:"actor" doc:"Only events of this actor (subject or name)"`
	Action   string    `query:"action" doc:"Only events with this action, e.g. member.roles_set"`
	From     time.Time `query:"from" doc:"Only events at or after this time"`
	To       time.Time `query:"to" doc:"Only events before this time"`
	Limit    int       `query:"limit" default:"100" minimum:"1" maximum:"500" doc:"Page size"`
	BeforeID int64     `query:"before_id" doc:"Cursor: the next_before_id of the previous page"`
}

type auditOutput struct {
	Body struct {
		Items        []audit.Event `json:"items"`
		NextBeforeID int64         `json:"next_before_id,omitempty" doc:"Pass as before_id to get the next page; absent on the last page"`
	}
}

func auditPage(events []audit.Event, limit int) *auditOutput {
	out := &auditOutput{}
	out.Body.Items = events
	if out.Body.Items == nil {
		out.Body.Items = []audit.Event{}
	}
	if len(events) == limit && limit > 0 {
		out.Body.NextBeforeID = events[len(events)-1].ID
	}
	return out
}

func (s *Server) registerIdentity() {
	register(s.API, huma.Operation{
		OperationID: "get-me", Method: http.MethodGet, Path: "/v1/me", Summary: "The calling principal",
		Description: "Who the request acts as: the user or API token, its bureau and roles.",
		Tags:        []string{"identity"}, Security: security, Errors: []int{http.StatusUnauthorized},
	}, func(ctx context.Context, _ *struct{}) (*struct{ Body Me }, error) {
		actor, _ := authz.ActorFrom(ctx)
		roles, err := s.deps.Authz.RolesOf(ctx, actor, actor.TenantID)
		if err != nil {
			return nil, err
		}
		me := Me{Subject: actor.Subject, Name: actor.Name, Roles: roles}
		if me.Roles == nil {
			me.Roles = []string{}
		}
		if actor.TenantID != 0 {
			if ts, err := s.deps.Tenants.List(ctx); err == nil {
				for _, t := range ts {
					if t.ID == actor.TenantID {
						me.Bureau = t.Slug
					}
				}
			}
		}
		if !actor.IsToken() {
			if u, err := s.deps.Identity.UserByID(ctx, actor.UserID); err == nil {
				me.Username = u.Username
			}
		}
		return &struct{ Body Me }{Body: me}, nil
	})

	register(s.API, huma.Operation{
		OperationID: "list-members", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/members", Summary: "List members of a bureau",
		Description: "People with roles in the bureau, with their roles.",
		Tags:        []string{"members"}, Security: security, Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *slugInput) (*struct{ Body []MemberOut }, error) {
		ms, err := s.deps.Identity.Members(ctx, tenantFrom(ctx).ID)
		if err != nil {
			return nil, err
		}
		out := make([]MemberOut, 0, len(ms))
		for _, m := range ms {
			out = append(out, MemberOut{Username: m.User.Username, DisplayName: m.User.DisplayName, Email: m.User.Email, Roles: m.Roles})
		}
		return &struct{ Body []MemberOut }{Body: out}, nil
	})

	register(s.API, huma.Operation{
		OperationID: "add-member", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/members", Summary: "Add a member to a bureau",
		Description: "Gives roles in the bureau to a person, creating the account when the user name is new. No role may rank above your own.",
		Tags:        []string{"members"}, Security: security, DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *memberCreateInput) (*struct{ Body MemberOut }, error) {
		m, err := s.deps.Identity.AddMember(ctx, tenantFrom(ctx).ID, identity.NewMember{Username: in.Body.Username,
			DisplayName: in.Body.DisplayName, Email: in.Body.Email, Password: in.Body.Password, Roles: in.Body.Roles})
		if err != nil {
			return nil, err
		}
		return &struct{ Body MemberOut }{Body: MemberOut{Username: m.User.Username, DisplayName: m.User.DisplayName, Email: m.User.Email, Roles: m.Roles}}, nil
	})

	register(s.API, huma.Operation{
		OperationID: "set-member-roles", Method: http.MethodPut, Path: "/v1/bureaus/{slug}/members/{username}/roles", Summary: "Set a member's roles",
		Description: "Replaces the member's roles in the bureau. Takes effect on the member's next request, on every instance.",
		Tags:        []string{"members"}, Security: security, DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *memberRolesInput) (*struct{}, error) {
		return nil, s.deps.Identity.SetRoles(ctx, tenantFrom(ctx).ID, in.Username, nonNil(in.Body.Roles))
	})

	register(s.API, huma.Operation{
		OperationID: "remove-member", Method: http.MethodDelete, Path: "/v1/bureaus/{slug}/members/{username}", Summary: "Remove a member from a bureau",
		Description: "Takes every role in the bureau away from the member. The account itself remains.",
		Tags:        []string{"members"}, Security: security, DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *memberDeleteInput) (*struct{}, error) {
		return nil, s.deps.Identity.SetRoles(ctx, tenantFrom(ctx).ID, in.Username, []string{})
	})

	register(s.API, huma.Operation{
		OperationID: "list-tokens", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/tokens", Summary: "List API tokens of a bureau",
		Description: "The bureau's API tokens, with prefix, role, expiry and last use. Secrets are never returned.",
		Tags:        []string{"tokens"}, Security: security, Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *slugInput) (*struct{ Body []TokenOut }, error) {
		ts, err := s.deps.Identity.ListTokens(ctx, tenantFrom(ctx).ID)
		if err != nil {
			return nil, err
		}
		out := make([]TokenOut, 0, len(ts))
		for _, t := range ts {
			out = append(out, tokenOut(t))
		}
		return &struct{ Body []TokenOut }{Body: out}, nil
	})

	register(s.API, huma.Operation{
		OperationID: "create-token", Method: http.MethodPost, Path: "/v1/bureaus/{slug}/tokens", Summary: "Create an API token",
		Description: "Creates a token for an integration with one role in the bureau. The secret is in this response only.",
		Tags:        []string{"tokens"}, Security: security, DefaultStatus: http.StatusCreated,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *tokenCreateInput) (*tokenCreateOutput, error) {
		secret, tok, err := s.deps.Identity.CreateToken(ctx, tenantFrom(ctx).ID, in.Body.Name, in.Body.Role, in.Body.ExpiresAt)
		if err != nil {
			return nil, err
		}
		out := &tokenCreateOutput{}
		out.Body.Token, out.Body.Secret = tokenOut(*tok), secret
		return out, nil
	})

	register(s.API, huma.Operation{
		OperationID: "revoke-token", Method: http.MethodDelete, Path: "/v1/bureaus/{slug}/tokens/{id}", Summary: "Revoke an API token",
		Description: "The token stops working immediately.",
		Tags:        []string{"tokens"}, Security: security, DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict},
	}, func(ctx context.Context, in *tokenDeleteInput) (*struct{}, error) {
		return nil, s.deps.Identity.RevokeToken(ctx, tenantFrom(ctx).ID, in.ID)
	})

	register(s.API, huma.Operation{
		OperationID: "list-bureau-audit-events", Method: http.MethodGet, Path: "/v1/bureaus/{slug}/audit-events", Summary: "Audit trail of a bureau",
		Description: "The bureau's audit events, newest first, with cursor pagination.",
		Tags:        []string{"audit"}, Security: security, Errors: []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound},
	}, func(ctx context.Context, in *auditInput) (*auditOutput, error) {
		q := in.AuditQuery
		evs, err := s.deps.Audit.List(ctx, audit.Filter{TenantID: tenantFrom(ctx).ID, Actor: q.Actor, Action: q.Action, From: q.From, To: q.To, Limit: q.Limit, BeforeID: q.BeforeID})
		if err != nil {
			return nil, err
		}
		return auditPage(evs, q.Limit), nil
	})

	register(s.API, huma.Operation{
		OperationID: "list-audit-events", Method: http.MethodGet, Path: "/v1/audit-events", Summary: "Audit trail of every bureau",
		Description: "Every audit event, newest first: for the city overseer and the platform admin.",
		Tags:        []string{"audit"}, Security: security, Errors: []int{http.StatusUnauthorized, http.StatusForbidden},
	}, func(ctx context.Context, in *AuditQuery) (*auditOutput, error) {
		evs, err := s.deps.Audit.List(ctx, audit.Filter{Actor: in.Actor, Action: in.Action, From: in.From, To: in.To, Limit: in.Limit, BeforeID: in.BeforeID})
		if err != nil {
			return nil, err
		}
		return auditPage(evs, in.Limit), nil
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}
