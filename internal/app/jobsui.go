package app

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"riverqueue.com/riverui"

	"gongkai/internal/api"
	"gongkai/internal/authz"
)

// JobsUIPath is where the River UI is mounted.
const JobsUIPath = "/admin/jobs"

// jobsUI is the River UI (riverqueue.com/riverui) for operators: queues, jobs,
// failures and retries of every bureau. It shows job arguments of every
// tenant, so only platform admins reach it.
type jobsUI struct {
	h      *riverui.Handler
	cancel context.CancelFunc
}

// newJobsUI builds the River UI over the job client.
func (a *App) newJobsUI() error {
	h, err := riverui.NewHandler(&riverui.HandlerOpts{Endpoints: riverui.NewEndpoints(a.Jobs, nil), Prefix: JobsUIPath, Logger: a.Log, JobListHideArgsByDefault: true})
	if err != nil {
		return err
	}
	a.jobsUI.h = h
	return nil
}

// startJobsUI starts the UI's background services (until shutdown).
func (a *App) startJobsUI(ctx context.Context) error {
	if a.jobsUI.h == nil {
		return nil
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.jobsUI.cancel = cancel
	return a.jobsUI.h.Start(ctx)
}

// stopJobsUI stops them.
func (a *App) stopJobsUI() {
	if a.jobsUI.cancel != nil {
		a.jobsUI.cancel()
	}
}

// mountJobsUI serves the UI at JobsUIPath behind the platform-admin check.
func (a *App) mountJobsUI(mux *http.ServeMux) {
	if a.jobsUI.h == nil {
		return
	}
	h := a.platformAdminOnly(a.jobsUI.h)
	mux.Handle(JobsUIPath, h)
	mux.Handle(JobsUIPath+"/", h)
}

// platformAdminOnly lets through console sessions of platform admins
// (platform_admin in the "*" domain) and nobody else. State-changing requests
// (cancel, retry, delete) must come from the service's own pages: the session
// cookie is SameSite=Lax, and Origin / Sec-Fetch-Site are checked as well.
func (a *App) platformAdminOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		c, err := r.Cookie(api.SessionCookie)
		if err != nil || c.Value == "" {
			http.Error(w, "sign in to the console as a platform administrator first", http.StatusUnauthorized)
			return
		}
		_, u, err := a.Identity.Authenticate(r.Context(), c.Value)
		if err != nil {
			http.Error(w, "your session has expired: sign in to the console again", http.StatusUnauthorized)
			return
		}
		roles, err := a.Authz.RolesOf(r.Context(), authz.Actor{Subject: u.Subject(), UserID: u.ID}, 0)
		if err != nil {
			http.Error(w, "cannot check your role", http.StatusServiceUnavailable)
			return
		}
		if !slices.Contains(roles, authz.PlatformAdmin) {
			http.Error(w, "the job queue is for platform administrators only", http.StatusForbidden)
			return
		}
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if !a.sameOrigin(r) {
				http.Error(w, "cross-site request refused", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// sameOrigin reports whether a state-changing request comes from the
// service's own pages.
func (a *App) sameOrigin(r *http.Request) bool {
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return r.Header.Get("Sec-Fetch-Site") == "same-origin"
	}
	o, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(o.Host, r.Host) {
		return true
	}
	b, err := url.Parse(a.Config.BaseURL)
	return err == nil && strings.EqualFold(o.Scheme+"://"+o.Host, b.Scheme+"://"+b.Host)
}
