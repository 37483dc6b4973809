// Package authz decides who may do what in which bureau: Casbin RBAC with one
// domain per tenant, role -> permission rules from policies/ and user -> role
// assignments from the database. Services call Require; handlers never decide.
package authz

import (
	"context"
	"fmt"
)

// Actor is who acts in a request: a signed-in user or an API token, with the
// bureau the request is about when it has one.
type Actor struct {
	// Subject names the actor to the enforcer: "user:<id>" or "token:<id>".
	Subject string
	// UserID is the signed-in user, or for a token the user who created it.
	UserID int64
	// TokenID is the API token, 0 for a user.
	TokenID int64
	// Name is shown in the audit trail.
	Name string
	// TenantID is the token's bureau, or the user's current bureau.
	TenantID int64
	// TokenRole is the single role of an API token.
	TokenRole string
	// IP and RequestID go into the audit trail.
	IP        string
	RequestID string
}

// IsToken reports whether the actor is an API token.
func (a Actor) IsToken() bool { return a.TokenID != 0 }

// System is the actor of work the service does by itself (provisioning,
// background jobs).
var System = Actor{Subject: "system", Name: "系统"}

// UserSubject is the enforcer subject of a user.
func UserSubject(id int64) string { return fmt.Sprintf("user:%d", id) }

// TokenSubject is the enforcer subject of an API token.
func TokenSubject(id int64) string { return fmt.Sprintf("token:%d", id) }

type actorKey struct{}

// WithActor returns ctx carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
