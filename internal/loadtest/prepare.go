package loadtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/app"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/db"
	"gongkai/internal/identity"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// The load test's own accounts: a bureau administrator of the loaded bureau
// (console worklist, API token) and a city overseer (dashboard).
const (
	AdminUser    = "loadtest"
	OverseerUser = "loadtest-overseer"
)

// sessionCookie is the console's session cookie (api.SessionCookie).
const sessionCookie = "gk_session"

// Dataset describes what the loaded database holds.
type Dataset struct {
	Bureaus         int // bureaus in the city
	Requests        int // requests in the city
	BureauRequests  int // requests of the loaded bureau
	PublishedItems  int // published or repealed catalog items of the loaded bureau
	SearchMatches   int // public items of the loaded bureau matching the search text
	ItemKey         string
	WorklistRunning int // submitted, open or paused requests of the loaded bureau
}

func (d Dataset) String() string {
	return fmt.Sprintf("%d bureaus, %d requests in the city; loaded bureau: %d requests (%d submitted/open/paused), %d public catalog items (%d match the search)",
		d.Bureaus, d.Requests, d.BureauRequests, d.WorklistRunning, d.PublishedItems, d.SearchMatches)
}

// env is what the scenarios need: the app (services and database), the
// bureau, the principals' credentials and the fixture values.
type env struct {
	a        *app.App
	opts     Options
	bureau   tenant.Tenant
	client   *http.Client
	adminCk  string // console session of AdminUser
	overCk   string // console session of OverseerUser
	token    string // API token (bureau_admin) of the bureau
	itemKey  string // index number (or id) of a public catalog item
	today    workday.Date
	dataset  Dataset
	runID    string
	calendar dayIndex // the oversight dashboard's working-day index
	cleanup  func()
}

// prepare creates (or reuses) the accounts, a fresh API token, signs in over
// HTTP for the session cookies and looks up the fixture values.
func prepare(ctx context.Context, a *app.App, opts Options) (*env, error) {
	e := &env{a: a, opts: opts, today: workdayToday(a), runID: fmt.Sprintf("%x", time.Now().UnixNano()), cleanup: func() {}}
	opts.URL = strings.TrimRight(opts.URL, "/")
	e.opts.URL = opts.URL
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        opts.Clients + 8,
		MaxIdleConnsPerHost: opts.Clients + 8,
		IdleConnTimeout:     90 * time.Second,
	}
	e.client = &http.Client{Transport: tr, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	sys := authz.WithActor(ctx, authz.System)
	var err error
	if e.bureau, err = a.Tenants.BySlug(ctx, opts.Bureau); err != nil {
		return nil, fmt.Errorf("bureau %q: %w", opts.Bureau, err)
	}
	admin, err := ensureMember(sys, a, e.bureau.ID, AdminUser, "压力测试管理员", opts.Password, authz.BureauAdmin)
	if err != nil {
		return nil, err
	}
	if _, err := ensureMember(sys, a, 0, OverseerUser, "压力测试监督员", opts.Password, authz.CityOverseer); err != nil {
		return nil, err
	}
	// A new token each run (secrets are shown once), revoked at the end.
	as := authz.WithActor(ctx, authz.Actor{Subject: admin.Subject(), UserID: admin.ID, Name: admin.DisplayName, TenantID: e.bureau.ID})
	secret, tok, err := a.Identity.CreateToken(as, e.bureau.ID, "load test "+e.runID, authz.BureauAdmin, nil)
	if err != nil {
		return nil, fmt.Errorf("API token: %w", err)
	}
	e.token = secret
	e.cleanup = func() {
		_ = a.Identity.RevokeToken(as, e.bureau.ID, tok.ID)
	}
	if e.adminCk, err = e.signIn(ctx, AdminUser, opts.Password); err != nil {
		e.cleanup()
		return nil, err
	}
	if e.overCk, err = e.signIn(ctx, OverseerUser, opts.Password); err != nil {
		e.cleanup()
		return nil, err
	}
	if err := e.describe(ctx); err != nil {
		e.cleanup()
		return nil, err
	}
	cal, err := a.Calendar.Calendar(ctx)
	if err != nil {
		e.cleanup()
		return nil, err
	}
	e.calendar = newDayIndex(cal)
	return e, nil
}

// ensureMember gives the account its role, creating it with password when
// it does not exist (an existing account keeps its password).
func ensureMember(ctx context.Context, a *app.App, tenantID int64, username, name, password, role string) (*identity.User, error) {
	m, err := a.Identity.AddMember(ctx, tenantID, identity.NewMember{Username: username, DisplayName: name, Password: password, Roles: []string{role}})
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", username, err)
	}
	return &m.User, nil
}

// signIn signs in over HTTP and returns the session cookie's value.
func (e *env) signIn(ctx context.Context, username, password string) (string, error) {
	form := url.Values{"username": {username}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.opts.URL+"/console/login", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := e.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("sign in as %s: %w", username, err)
	}
	defer res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie && c.Value != "" && res.StatusCode == http.StatusSeeOther {
			return c.Value, nil
		}
	}
	return "", fmt.Errorf("sign in as %s at %s failed (HTTP %d): an existing account keeps its password, so pass it with --password", username, e.opts.URL, res.StatusCode)
}

// describe counts the data set and picks a public catalog item for the
// item page.
func (e *env) describe(ctx context.Context) error {
	d := &e.dataset
	err := e.a.DB.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		for _, q := range []struct {
			dst   *int
			query string
			args  []any
		}{
			{&d.Bureaus, "SELECT count(*) FROM tenants", nil},
			{&d.Requests, "SELECT count(*) FROM requests", nil},
			{&d.BureauRequests, "SELECT count(*) FROM requests WHERE tenant_id = ?", []any{e.bureau.ID}},
			{&d.WorklistRunning, "SELECT count(*) FROM requests WHERE tenant_id = ? AND state IN ('submitted', 'open', 'paused')", []any{e.bureau.ID}},
			{&d.PublishedItems, "SELECT count(*) FROM catalog_items WHERE tenant_id = ? AND state IN ('published', 'repealed')", []any{e.bureau.ID}},
		} {
			if err := tx.QueryRowContext(ctx, q.query, q.args...).Scan(q.dst); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if e.opts.Query != "" {
		res, err := e.a.Catalog.PublicSearch(ctx, e.bureau.ID, catalog.Query{Q: e.opts.Query, PerPage: 1})
		if err != nil {
			return err
		}
		d.SearchMatches = res.Total
	}
	res, err := e.a.Catalog.PublicSearch(ctx, e.bureau.ID, catalog.Query{PerPage: 20})
	if err != nil {
		return err
	}
	for _, h := range res.Hits {
		if h.State != catalog.Published {
			continue
		}
		e.itemKey = h.IndexNo
		if e.itemKey == "" {
			e.itemKey = fmt.Sprint(h.ID)
		}
		break
	}
	d.ItemKey = e.itemKey
	return nil
}

// workdayToday is today in the city's time zone.
func workdayToday(a *app.App) workday.Date { return workday.FromTime(time.Now(), a.Config.Location) }
