package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/request"
)

// principal is a way to call the API: a bearer token or a session cookie.
type principal struct {
	name   string
	header http.Header
}

func tokenPrincipal(name, secret string) principal {
	return principal{name, http.Header{"Authorization": {"Bearer " + secret}}}
}

func sessionPrincipal(name, cookie, csrf string) principal {
	return principal{name, http.Header{"Cookie": {"gk_session=" + cookie}, "X-Csrf-Token": {csrf}}}
}

// world is a booted app with two bureaus' people and an overseer.
type world struct {
	app            *app.App
	base           string
	a, b           int64 // bureau ids: civil-affairs (A), welfare-home (B)
	aSlug, bSlug   string
	bToken, aToken string
	bCookie, bCSRF string
	oCookie, oCSRF string
	systemCtx      context.Context
	aTokenID       int64
	aRequestID     int64
	aTracking      string
	// Catalog (catalog.go): a draft and a published item of A.
	aItemDraft, aItemPublished int64
	// Notifications and webhooks (notify_test.go): an inbox entry of alice
	// and a webhook endpoint of A.
	aNotification, aWebhook int64
	// Report exports (exports_test.go): a generated report file of A.
	aExport int64
}

const pw = "Correct-Horse-9-Battery"

func setup(t *testing.T, dialect db.Dialect) *world {
	t.Helper()
	a := apptest.Boot(t, dialect)
	ctx := authz.WithActor(context.Background(), authz.System)
	w := &world{app: a, base: a.URL(), aSlug: "civil-affairs", bSlug: "welfare-home", systemCtx: ctx}
	ta, err := a.Tenants.BySlug(ctx, w.aSlug)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := a.Tenants.BySlug(ctx, w.bSlug)
	if err != nil {
		t.Fatal(err)
	}
	w.a, w.b = ta.ID, tb.ID
	mustAdd := func(tenantID int64, user string, roles ...string) {
		if _, err := a.Identity.AddMember(ctx, tenantID, identity.NewMember{Username: user, DisplayName: user, Password: pw, Roles: roles}); err != nil {
			t.Fatalf("add %s: %v", user, err)
		}
	}
	mustAdd(w.a, "alice", authz.BureauAdmin)
	mustAdd(w.a, "carol", authz.Viewer)
	mustAdd(w.b, "bob", authz.BureauAdmin)
	mustAdd(0, "olga", authz.CityOverseer)

	login := func(user string) (string, string) {
		cookie, sess, err := a.Identity.Login(context.Background(), user, pw, "127.0.0.1", "test")
		if err != nil {
			t.Fatalf("login %s: %v", user, err)
		}
		return cookie, sess.CSRFToken
	}
	w.bCookie, w.bCSRF = login("bob")
	w.oCookie, w.oCSRF = login("olga")
	bobCtx := actorCtx(t, a, "bob", w.b)
	if w.bToken, _, err = a.Identity.CreateToken(bobCtx, w.b, "bob's integration", authz.BureauAdmin, nil); err != nil {
		t.Fatal(err)
	}
	aliceCtx := actorCtx(t, a, "alice", w.a)
	tok := new(identity.Token)
	if w.aToken, tok, err = a.Identity.CreateToken(aliceCtx, w.a, "city portal", authz.InfoOfficer, nil); err != nil {
		t.Fatal(err)
	}
	w.aTokenID = tok.ID
	res, body := apptest.Do(t, "POST", w.base+"/api/v1/bureaus/civil-affairs/requests", requestBody, http.Header{"Authorization": {"Bearer " + w.aToken}, "Content-Type": {"application/json"}})
	if res.StatusCode != 201 {
		t.Fatalf("register request in A: %d %s", res.StatusCode, body)
	}
	var reg struct {
		ID           int64  `json:"id"`
		TrackingCode string `json:"tracking_code"`
	}
	if err := json.Unmarshal([]byte(body), &reg); err != nil {
		t.Fatal(err)
	}
	w.aRequestID, w.aTracking = reg.ID, reg.TrackingCode
	setupCatalog(t, w, aliceCtx) // catalog (catalog.go)
	setupNotify(t, w, aliceCtx)  // notifications and webhooks (notify_test.go)
	setupExports(t, w, aliceCtx) // report exports (exports_test.go)
	return w
}

// actorCtx returns a context acting as the user, as the HTTP layer would build it.
func actorCtx(t *testing.T, a *app.App, username string, tenantID int64) context.Context {
	t.Helper()
	cookie, _, err := a.Identity.Login(context.Background(), username, pw, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	_, u, err := a.Identity.Authenticate(context.Background(), cookie)
	if err != nil {
		t.Fatal(err)
	}
	return authz.WithActor(context.Background(), authz.Actor{Subject: u.Subject(), UserID: u.ID, Name: u.DisplayName, TenantID: tenantID})
}

// opCase says how to call one operation against bureau A's resources.
type opCase struct {
	// params fills path parameters other than slug.
	params map[string]string
	// body is a valid request body (so that a refusal is authorization,
	// not validation).
	body string
	// crossTenant marks operations not about one bureau: B's principal and the
	// overseer get what the operation gives everyone, checked by want.
	crossTenant bool
	// wantB is the status for bureau B's principals when crossTenant.
	wantB int
	// query is appended to the URL.
	query string
	// public operations are open to everyone, the overseer included.
	public bool
}

const requestBody = `{"channel":"in_person","arrived_on":"2026-02-13","applicant":{"type":"natural_person","name":"张三","id_doc_type":"居民身份证","id_number":"110101199001011234","phone":"13800000000"},"content":"申请公开2025年养老服务补贴发放情况"}`

// cases covers every operation of the OpenAPI document; a new operation
// without a case fails TestIsolationCoversEveryOperation.
func cases(w *world) map[string]opCase {
	return map[string]opCase{
		"get-version":                       {crossTenant: true, wantB: 200},
		"list-bureaus":                      {crossTenant: true, wantB: 200},
		"get-bureau":                        {crossTenant: true, wantB: 200},
		"get-me":                            {crossTenant: true, wantB: 200},
		"list-members":                      {},
		"add-member":                        {body: `{"username":"mallory","display_name":"M","password":"` + pw + `","roles":["viewer"]}`},
		"set-member-roles":                  {params: map[string]string{"username": "carol"}, body: `{"roles":["bureau_admin"]}`},
		"remove-member":                     {params: map[string]string{"username": "carol"}},
		"list-tokens":                       {},
		"create-token":                      {body: `{"name":"x","role":"viewer"}`},
		"revoke-token":                      {params: map[string]string{"id": fmt.Sprint(w.aTokenID)}},
		"list-bureau-audit-events":          {},
		"list-audit-events":                 {crossTenant: true, wantB: 403},
		"register-request":                  {body: requestBody},
		"list-requests":                     {},
		"get-request":                       {params: map[string]string{"id": fmt.Sprint(w.aRequestID)}},
		"act-on-request":                    {params: map[string]string{"id": fmt.Sprint(w.aRequestID)}, body: `{"kind":"extended","on":"2026-03-02","days":5,"reason":"需要检索档案"}`},
		"reply-to-request":                  {params: map[string]string{"id": fmt.Sprint(w.aRequestID)}, body: `{"on":"2026-03-02","outcome":"granted","text":"予以公开"}`},
		"reveal-request-id-number":          {params: map[string]string{"id": fmt.Sprint(w.aRequestID)}},
		"export-applicant-data":             {body: `{"id_doc_type":"身份证","id_number":"21080219800101123X"}`},
		"quote-request-fee":                 {params: map[string]string{"id": fmt.Sprint(w.aRequestID)}, query: "?basis=pages&units=40"},
		"propose-catalog-item-from-request": {params: map[string]string{"id": fmt.Sprint(w.aRequestID)}, body: `{"category":"functions"}`},
		"assign-request":                    {params: map[string]string{"id": fmt.Sprint(w.aRequestID)}, body: `{"username":"carol"}`},
		// Public: anyone may apply to any bureau and track by code; not an
		// isolation breach, so both principals get what the public gets.
		"submit-public-request": {crossTenant: true, public: true, wantB: 201, body: `{"applicant":{"type":"natural_person","name":"王五","phone":"13800000000"},"content":"申请公开养老院收费标准"}`},
		"track-request":         {crossTenant: true, wantB: 200, params: map[string]string{"code": w.aTracking}},
		"list-calendar-days":    {crossTenant: true, wantB: 200},
		"compute-due-date":      {crossTenant: true, wantB: 200, query: "?from=2026-02-13&days=20"},
		"get-report-tables":     {params: map[string]string{"year": "2026"}},
		"create-report-draft":   {params: map[string]string{"year": "2026"}},
		"edit-report-narrative": {params: map[string]string{"year": "2026"}, body: `{"narrative":{"problems":"x"}}`},
		"submit-report":         {params: map[string]string{"year": "2026"}},
		"publish-report":        {params: map[string]string{"year": "2026"}},
		"list-reports":          {},
		"download-report":       {params: map[string]string{"year": "2026"}, query: "?format=json"},
		"set-report-figure":     {params: map[string]string{"year": "2026", "key": "licensing"}, body: `{"value":5,"source":"x"}`},
		"register-inquiry":      {body: `{"channel":"hotline","topic":"低保申请条件","asked_on":"2026-03-02","answered":true,"satisfaction":5}`},
		"list-inquiries":        {},
		"list-appeals":          {},
		"create-appeal":         {body: `{"case_no":"X-1","body":"营口市人民政府","kind":"reconsideration","filed_on":"2026-03-01"}`},
		"decide-appeal":         {params: map[string]string{"id": "1"}, body: `{"outcome":"upheld","decided_on":"2026-04-01"}`},
		"set-calendar-day":      {crossTenant: true, wantB: 403, params: map[string]string{"day": "2026-12-31"}, body: `{"working":false,"reason":"test"}`},

		// The records behind a number of the annual report (drill-down).
		"list-report-cell-records": {params: map[string]string{"year": "2026"}, query: "?table=3&row=granted&column=total"},

		// Catalog (catalog.go): staff operations on A's items; public reads
		// of A's published catalog are open to everyone.
		"list-catalog-categories":        {crossTenant: true, public: true, wantB: 200},
		"add-catalog-category":           {body: `{"code":"functions.sub","name":"子类"}`},
		"rename-catalog-category":        {params: map[string]string{"code": "functions"}, body: `{"name":"机构职能信息"}`},
		"delete-catalog-category":        {params: map[string]string{"code": "annual_report"}},
		"create-catalog-item":            {body: catalogItemBody},
		"list-catalog-items":             {query: "?q=养老"},
		"get-catalog-item":               {params: map[string]string{"id": fmt.Sprint(w.aItemDraft)}},
		"update-catalog-item":            {params: map[string]string{"id": fmt.Sprint(w.aItemDraft)}, body: catalogItemBody},
		"delete-catalog-item":            {params: map[string]string{"id": fmt.Sprint(w.aItemDraft)}},
		"transition-catalog-item":        {params: map[string]string{"id": fmt.Sprint(w.aItemDraft)}, body: `{"action":"submit","comment":"请审查"}`},
		"revise-catalog-item":            {params: map[string]string{"id": fmt.Sprint(w.aItemPublished)}},
		"list-catalog-publication-risks": {},
		"import-catalog-items":           {body: `{"items":[` + strings.Replace(catalogItemBody, "{", `{"external_id":"iso-1",`, 1) + `]}`},
		"export-catalog-items":           {query: "?format=json"},
		"search-public-catalog":          {crossTenant: true, public: true, wantB: 200, query: "?q=养老"},
		"get-public-catalog-item":        {crossTenant: true, public: true, wantB: 200, params: map[string]string{"key": fmt.Sprint(w.aItemPublished)}},
		// Attachments (catalog.go): the upload is refused before its body is read.
		"upload-catalog-attachment":   {params: map[string]string{"id": fmt.Sprint(w.aItemDraft)}, body: attachmentBody},
		"list-catalog-attachments":    {params: map[string]string{"id": fmt.Sprint(w.aItemDraft)}},
		"download-catalog-attachment": {params: map[string]string{"id": fmt.Sprint(w.aItemDraft), "aid": "1"}},
		"delete-catalog-attachment":   {params: map[string]string{"id": fmt.Sprint(w.aItemDraft), "aid": "1"}},

		// Oversight (oversight.go): cross-bureau reads for the city overseer
		// only; a bureau's own people and tokens are refused.
		"list-oversight-metrics":       {crossTenant: true, wantB: 403},
		"get-oversight-dashboard":      {crossTenant: true, wantB: 403, query: "?year=2026&rollup=true"},
		"list-oversight-records":       {crossTenant: true, wantB: 403, query: "?year=2026&metric=received&bureau=civil-affairs"},
		"get-oversight-trends":         {crossTenant: true, wantB: 403, query: "?year=2026"},
		"get-oversight-trends-chart":   {crossTenant: true, wantB: 403, query: "?year=2026&chart=closed"},
		"list-oversight-overdue":       {crossTenant: true, wantB: 403},
		"list-oversight-report-issues": {crossTenant: true, wantB: 403, query: "?year=2026"},
		"get-city-report-tables":       {crossTenant: true, wantB: 403, params: map[string]string{"year": "2026"}},
		"download-city-report":         {crossTenant: true, wantB: 403, params: map[string]string{"year": "2026"}, query: "?format=json"},
		// The city report's workflow (cityreport.go) changes no bureau's data:
		// the report is the oversight office's own document, which the
		// overseer drafts and publishes (public skips the overseer's 403;
		// cityreport_test.go checks the overseer succeeds).
		"create-city-report-draft":   {crossTenant: true, public: true, wantB: 403, params: map[string]string{"year": "2026"}},
		"edit-city-report-narrative": {crossTenant: true, public: true, wantB: 403, params: map[string]string{"year": "2026"}, body: `{"narrative":{"problems":"x"}}`},
		"publish-city-report":        {crossTenant: true, public: true, wantB: 403, params: map[string]string{"year": "2026"}},
		"list-city-report-versions":  {crossTenant: true, wantB: 403, query: "?year=2026"},

		// Notifications (notify.go): /v1/me operations act on the caller's own
		// inbox only, so everyone gets what they give everyone (public skips
		// the overseer's 403: the overseer too acts on its own inbox);
		// alice's entry stays unread (notifySnapshot).
		"list-notifications":           {crossTenant: true, wantB: 200},
		"mark-notification-read":       {crossTenant: true, public: true, wantB: 404, params: map[string]string{"id": fmt.Sprint(w.aNotification)}},
		"mark-all-notifications-read":  {crossTenant: true, public: true, wantB: 200},
		"get-notification-preferences": {crossTenant: true, wantB: 200},
		"set-notification-preferences": {crossTenant: true, public: true, wantB: 200, body: `{"preferences":[{"kind":"*","delivery":"digest"}]}`},
		"get-reminder-settings":        {},
		"set-reminder-settings":        {body: `{"due_days":[10,5,1],"supplement_days":2,"consultation_days":3,"fee_days":3,"overdue_daily":false,"escalate_overdue":true,"recipients":"handler_and_officers","copy_to":["carol"]}`},
		// Webhooks (webhooks.go) of A.
		"list-webhooks":           {},
		"create-webhook":          {body: `{"url":"https://203.0.113.10/hooks/other","events":["request.registered"]}`},
		"update-webhook":          {params: map[string]string{"id": fmt.Sprint(w.aWebhook)}, body: `{"url":"https://203.0.113.11/hooks/moved","active":false}`},
		"delete-webhook":          {params: map[string]string{"id": fmt.Sprint(w.aWebhook)}},
		"list-webhook-deliveries": {params: map[string]string{"id": fmt.Sprint(w.aWebhook)}},
		"redeliver-webhook":       {params: map[string]string{"id": fmt.Sprint(w.aWebhook), "delivery": "1"}},

		// Report exports (exports_test.go): A's generated file.
		"create-report-export":   {params: map[string]string{"year": "2026"}, body: `{"format":"json"}`},
		"list-report-exports":    {params: map[string]string{"year": "2026"}},
		"get-report-export":      {params: map[string]string{"year": "2026", "id": fmt.Sprint(w.aExport)}},
		"download-report-export": {params: map[string]string{"year": "2026", "id": fmt.Sprint(w.aExport)}},
	}
}

type operation struct {
	id, method, path string
}

func operations(t *testing.T, base string) []operation {
	t.Helper()
	_, body := apptest.Get(t, base+"/api/openapi.json")
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	var ops []operation
	for path, methods := range doc.Paths {
		for method, op := range methods {
			ops = append(ops, operation{op.OperationID, strings.ToUpper(method), path})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].id < ops[j].id })
	return ops
}

// snapshot is what bureau A has; an attack must leave it unchanged.
func snapshot(t *testing.T, w *world) string {
	t.Helper()
	ms, err := w.app.Identity.Members(w.systemCtx, w.a)
	if err != nil {
		t.Fatal(err)
	}
	toks, err := w.app.Identity.ListTokens(w.systemCtx, w.a)
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := w.app.Requests.List(w.systemCtx, w.a, request.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range reqs.Items {
		if r.State == request.StateSubmitted {
			continue // public online applications: anyone may submit one
		}
		fmt.Fprintf(&b, "request %s %s %s due %s outcome %q handler %v\n", r.TrackingCode, r.State, r.Channel, r.DueOn, r.Outcome, r.HandlerID)
	}
	for _, m := range ms {
		fmt.Fprintf(&b, "member %s %v\n", m.User.Username, m.Roles)
	}
	for _, tk := range toks {
		fmt.Fprintf(&b, "token %s %s revoked=%v\n", tk.Prefix, tk.Role, tk.RevokedAt != nil)
	}
	fmt.Fprint(&b, catalogSnapshot(t, w)) // catalog (catalog.go)
	fmt.Fprint(&b, notifySnapshot(t, w))  // notifications and webhooks (notify_test.go)
	fmt.Fprint(&b, exportSnapshot(t, w))  // report exports (exports_test.go)
	return b.String()
}

func TestIsolationCoversEveryOperation(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			cs := cases(w)
			ops := operations(t, w.base)
			attackers := []principal{
				tokenPrincipal("bureau B token", w.bToken),
				sessionPrincipal("bureau B session", w.bCookie, w.bCSRF),
			}
			overseer := sessionPrincipal("overseer session", w.oCookie, w.oCSRF)
			before := snapshot(t, w)
			for _, op := range ops {
				c, ok := cs[op.id]
				if !ok {
					t.Errorf("operation %s (%s %s) has no isolation case: add one to cases()", op.id, op.method, op.path)
					continue
				}
				url := w.base + "/api" + strings.ReplaceAll(op.path, "{slug}", w.aSlug) + c.query
				for k, v := range c.params {
					url = strings.ReplaceAll(url, "{"+k+"}", v)
				}
				for _, p := range attackers {
					res, body := apptest.Do(t, op.method, url, c.body, withJSON(p.header))
					want := http.StatusNotFound
					if c.crossTenant {
						want = c.wantB
					}
					if res.StatusCode != want {
						t.Errorf("%s as %s on bureau A: %d, want %d: %s", op.id, p.name, res.StatusCode, want, body)
					}
				}
				if op.method != http.MethodGet && !c.public {
					res, body := apptest.Do(t, op.method, url, c.body, withJSON(overseer.header))
					if res.StatusCode != http.StatusForbidden {
						t.Errorf("%s as overseer: %d, want 403: %s", op.id, res.StatusCode, body)
					}
				}
			}
			if after := snapshot(t, w); after != before {
				t.Errorf("bureau A changed under attack:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			// The overseer reads what it may not change.
			res, _ := apptest.Do(t, http.MethodGet, w.base+"/api/v1/bureaus/"+w.aSlug+"/members", "", overseer.header)
			if res.StatusCode != 200 {
				t.Errorf("overseer reading A's members: %d", res.StatusCode)
			}
		})
	}
}

func withJSON(h http.Header) http.Header {
	out := h.Clone()
	out.Set("Content-Type", "application/json")
	return out
}

func TestTokensWorkUntilRevoked(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			h := tokenPrincipal("A token", w.aToken).header
			res, body := apptest.Do(t, "GET", w.base+"/api/v1/me", "", h)
			if res.StatusCode != 200 || !strings.Contains(body, `"bureau":"civil-affairs"`) || !strings.Contains(body, `"info_officer"`) {
				t.Fatalf("me with token = %d %s", res.StatusCode, body)
			}
			// An info officer token cannot manage members (403 on its own bureau).
			res, body = apptest.Do(t, "POST", w.base+"/api/v1/bureaus/civil-affairs/members", `{"username":"eve","display_name":"E","password":"`+pw+`","roles":["viewer"]}`, withJSON(h))
			if res.StatusCode != 403 {
				t.Fatalf("info officer adding member = %d %s", res.StatusCode, body)
			}
			aliceCtx := actorCtx(t, w.app, "alice", w.a)
			if err := w.app.Identity.RevokeToken(aliceCtx, w.a, w.aTokenID); err != nil {
				t.Fatal(err)
			}
			res, body = apptest.Do(t, "GET", w.base+"/api/v1/me", "", h)
			if res.StatusCode != 401 || !strings.Contains(body, "revoked") {
				t.Fatalf("me with revoked token = %d %s", res.StatusCode, body)
			}
			// Creation and revocation are in A's audit trail, with who did it.
			evs, err := w.app.Audit.List(w.systemCtx, audit.Filter{TenantID: w.a})
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range evs {
				actions = append(actions, e.Action+" by "+e.ActorName)
			}
			joined := strings.Join(actions, "; ")
			if !strings.Contains(joined, "token.revoked by alice") || !strings.Contains(joined, "token.created by alice") {
				t.Fatalf("audit trail of A: %s", joined)
			}
		})
	}
}

func TestRoleChangeTakesEffectOnNextRequest(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			cookie, sess, err := w.app.Identity.Login(context.Background(), "carol", pw, "127.0.0.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			h := sessionPrincipal("carol", cookie, sess.CSRFToken).header
			url := w.base + "/api/v1/bureaus/civil-affairs/members"
			if res, _ := apptest.Do(t, "GET", url, "", h); res.StatusCode != 403 {
				t.Fatalf("viewer reading members = %d, want 403", res.StatusCode)
			}
			aliceCtx := actorCtx(t, w.app, "alice", w.a)
			if err := w.app.Identity.SetRoles(aliceCtx, w.a, "carol", []string{authz.BureauAdmin}); err != nil {
				t.Fatal(err)
			}
			if res, body := apptest.Do(t, "GET", url, "", h); res.StatusCode != 200 {
				t.Fatalf("after promotion = %d %s", res.StatusCode, body)
			}
			if err := w.app.Identity.SetRoles(aliceCtx, w.a, "carol", []string{}); err != nil {
				t.Fatal(err)
			}
			if res, _ := apptest.Do(t, "GET", url, "", h); res.StatusCode != 404 {
				t.Fatalf("after removal = %d, want 404 (no longer a member)", res.StatusCode)
			}
			// No one grants above their own role: a bureau admin cannot make an overseer.
			err = w.app.Identity.SetRoles(aliceCtx, w.a, "alice", []string{authz.CityOverseer})
			if err == nil {
				t.Fatal("bureau admin granted a cross-tenant role")
			}
		})
	}
}

func TestCSRFRequiredForSessionWrites(t *testing.T) {
	t.Parallel()
	w := setup(t, db.SQLite)
	h := http.Header{"Cookie": {"gk_session=" + w.bCookie}, "Content-Type": {"application/json"}}
	res, body := apptest.Do(t, "POST", w.base+"/api/v1/bureaus/welfare-home/tokens", `{"name":"x","role":"viewer"}`, h)
	if res.StatusCode != 403 || !strings.Contains(body, "form has expired") {
		t.Fatalf("session write without CSRF = %d %s", res.StatusCode, body)
	}
	h.Set("X-CSRF-Token", w.bCSRF)
	res, body = apptest.Do(t, "POST", w.base+"/api/v1/bureaus/welfare-home/tokens", `{"name":"x","role":"viewer"}`, h)
	if res.StatusCode != 201 || !strings.Contains(body, `"secret":"gk_`) {
		t.Fatalf("session write with CSRF = %d %s", res.StatusCode, body)
	}
}
