package api

import (
	"context"
	"net"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"gongkai/internal/authz"
	"gongkai/internal/fault"
	"gongkai/internal/httpx"
	"gongkai/internal/tenant"
)

// SessionCookie is the name of the console session cookie, which the API
// also accepts (with the X-CSRF-Token header on state-changing requests).
const SessionCookie = "gk_session"

// security is the requirement of operations that need a principal: an API
// token or a console session.
var security = []map[string][]string{{"bearer": {}}, {"session": {}}}

func securitySchemes() map[string]*huma.SecurityScheme {
	return map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An API token created by a bureau admin (设置 > API 令牌): `Authorization: Bearer gk_…`. Scoped to one bureau and one role."},
		"session": {Type: "apiKey", In: "cookie", Name: SessionCookie,
			Description: "The console session cookie. State-changing requests must also send the session's CSRF token in the `X-CSRF-Token` header."},
	}
}

type tenantKey struct{}

type clientIPKey struct{}

// clientIPFrom returns the client address of the request.
func clientIPFrom(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}

// tenantFrom returns the bureau resolved from the {slug} path parameter.
func tenantFrom(ctx context.Context) tenant.Tenant {
	t, _ := ctx.Value(tenantKey{}).(tenant.Tenant)
	return t
}

// authenticate identifies the principal of every request and, for
// operations under /v1/bureaus/{slug}, resolves the bureau and answers 404
// when it is not the principal's to see — before the body is even read, so
// existence does not leak through validation errors.
func (s *Server) authenticate(ctx huma.Context, next func(huma.Context)) {
	c := ctx.Context()
	ip := clientIP(ctx.RemoteAddr())
	reqID := httpx.RequestID(c)
	actor, authed, err := s.principal(c, ctx, ip, reqID)
	if err != nil {
		s.writeErr(ctx, err)
		return
	}
	op := ctx.Operation()
	if len(op.Security) > 0 && !authed {
		s.writeErr(ctx, fault.New(fault.Unauthenticated, "send an API token (Authorization: Bearer …) or sign in"))
		return
	}
	if authed {
		c = authz.WithActor(c, actor)
	}
	c = context.WithValue(c, clientIPKey{}, ip)
	if strings.Contains(op.Path, "{slug}") {
		t, err := s.deps.Tenants.BySlug(c, ctx.Param("slug"))
		if err != nil {
			s.writeErr(ctx, err)
			return
		}
		if authed && len(op.Security) > 0 {
			visible, err := s.deps.Authz.CanSeeTenant(c, actor, t.ID)
			if err != nil {
				s.writeErr(ctx, err)
				return
			}
			if !visible {
				s.writeErr(ctx, fault.New(fault.NotFound, "bureau %s not found", t.Slug))
				return
			}
		}
		c = context.WithValue(c, tenantKey{}, t)
	}
	next(huma.WithContext(ctx, c))
}

// principal returns the actor of the request's credentials, if any.
func (s *Server) principal(c context.Context, ctx huma.Context, ip, reqID string) (authz.Actor, bool, error) {
	if h := ctx.Header("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return authz.Actor{}, false, fault.New(fault.Unauthenticated, "the Authorization header must be \"Bearer <token>\"")
		}
		actor, err := s.deps.Identity.AuthenticateToken(c, strings.TrimSpace(secret))
		if err != nil {
			return authz.Actor{}, false, err
		}
		actor.IP, actor.RequestID = ip, reqID
		return actor, true, nil
	}
	cookie := cookieValue(ctx.Header("Cookie"), SessionCookie)
	if cookie == "" {
		return authz.Actor{}, false, nil
	}
	sess, u, err := s.deps.Identity.Authenticate(c, cookie)
	if err != nil {
		return authz.Actor{}, false, err
	}
	switch ctx.Method() {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if err := sess.CheckCSRF(ctx.Header("X-CSRF-Token")); err != nil {
			return authz.Actor{}, false, err
		}
	}
	return authz.Actor{Subject: u.Subject(), UserID: u.ID, Name: u.DisplayName, TenantID: sess.CurrentTenant(), IP: ip, RequestID: reqID}, true, nil
}

func (s *Server) writeErr(ctx huma.Context, err error) {
	herr := problem(err)
	if hs, ok := herr.(huma.HeadersError); ok {
		for k, v := range hs.GetHeaders() {
			for _, vv := range v {
				ctx.AppendHeader(k, vv)
			}
		}
	}
	// The status comes from the fault code: a HeadersError (503 with
	// Retry-After) is not itself a StatusError.
	_ = huma.WriteErr(s.API, ctx, fault.HTTPStatus(err), fault.MessageOf(err), errDetails(err)...)
}

func errDetails(err error) []error {
	var out []error
	for _, f := range fault.FieldsOf(err) {
		out = append(out, &huma.ErrorDetail{Location: "body." + f.Field, Message: f.Message})
	}
	return out
}

func cookieValue(header, name string) string {
	cookies, err := http.ParseCookie(header)
	if err != nil {
		return ""
	}
	for _, c := range cookies {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

func clientIP(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return remote
	}
	return host
}
