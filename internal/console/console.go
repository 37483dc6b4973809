// Package console serves the web console for bureau staff under /console/:
// server-rendered pages, Simplified Chinese by default with English available.
package console

import (
	"log/slog"
	"net/http"
	"time"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/identity"
	"gongkai/internal/tenant"
)

// Deps are the services the console calls.
type Deps struct {
	BaseURL       string
	SecureCookies bool
	Tenants       *tenant.Service
	Authz         *authz.Authorizer
	Identity      *identity.Service
	Audit         *audit.Service
	Log           *slog.Logger
	Now           func() time.Time
}

// New returns the console handler; it expects the full path (/console/...).
func New(deps Deps) http.Handler {
	mux := http.NewServeMux()
	return mux
}
