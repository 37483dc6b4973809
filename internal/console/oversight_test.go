package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/console"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/oversight"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// oversightClock is "now" in the oversight tests: Wednesday 15 July 2026,
// 10:00 in the city.
var oversightClock = time.Date(2026, time.July, 15, 10, 0, 0, 0, workday.ChinaTime)

// overseenCity is a booted application with hand-counted records in three
// bureaus, an overseer (olga) and a bureau administrator (bob).
type overseenCity struct {
	*site
	ids      map[string]int64  // bureau slug -> tenant id
	requests map[string]int64  // request name -> id
	codes    map[string]string // request name -> tracking code
	item     int64             // the catalog item published late
}

// newOverseenCity records, all in 2026:
//
// civil-affairs: a1 received 03-02, granted 03-09 (on time); a2 received
// 03-02, refused 03-31 (due 03-30: late); a3 received 06-01, open, due
// 06-30 (overdue today).
//
// welfare-home (unit of civil-affairs): w1 received 03-02, partially
// granted 03-09 (on time); a catalog item formed 06-01 and published today
// (after its Art. 26 deadline: late).
//
// funeral-home (unit of civil-affairs): f1 received 03-02, granted 03-04;
// f2 received 07-01, open, not yet due.
//
// So received 3, 1, 2; closed 2, 1, 1; open 1, 0, 1; overdue 1, 0, 0;
// replied on time 50.0 %, 100.0 %, 100.0 %; city totals received 6, closed
// 4, open 2, overdue 1.
//
// now is the application's clock: oversightClock for the figures that
// depend on today, nil for the real time.
func newOverseenCity(t *testing.T, dialect db.Dialect, now func() time.Time) *overseenCity {
	t.Helper()
	a := apptest.Boot(t, dialect, func(_ *config.Config, o *app.Options) { o.Now = now })
	c := &overseenCity{site: &site{t: t, app: a, base: a.URL()}, ids: map[string]int64{}, requests: map[string]int64{}, codes: map[string]string{}}
	ctx := authz.WithActor(context.Background(), authz.System)
	ts, err := a.Tenants.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range ts {
		c.ids[tn.Slug] = tn.ID
	}
	register := func(slug, name, received string) {
		r, _, err := a.Requests.Register(ctx, c.ids[slug], request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate(received),
			Applicant: request.Applicant{Type: "natural_person", Name: "申请人" + name, Phone: "13800000000"}, Content: "申请公开" + name})
		if err != nil {
			t.Fatalf("register %s: %v", name, err)
		}
		c.requests[name], c.codes[name] = r.ID, r.TrackingCode
	}
	reply := func(slug, name, outcome, on string) {
		if _, err := a.Requests.Reply(ctx, c.ids[slug], c.requests[name], request.Reply{On: workday.MustParseDate(on), Outcome: outcome,
			Basis: "条例相关条款", Withheld: "第三方个人信息", Text: "答复"}); err != nil {
			t.Fatalf("reply %s: %v", name, err)
		}
	}
	register("civil-affairs", "a1", "2026-03-02")
	reply("civil-affairs", "a1", "granted", "2026-03-09")
	register("civil-affairs", "a2", "2026-03-02")
	reply("civil-affairs", "a2", "refused_third_party", "2026-03-31")
	register("civil-affairs", "a3", "2026-06-01")
	register("welfare-home", "w1", "2026-03-02")
	reply("welfare-home", "w1", "partially_granted", "2026-03-09")
	register("funeral-home", "f1", "2026-03-02")
	reply("funeral-home", "f1", "granted", "2026-03-04")
	register("funeral-home", "f2", "2026-07-01")

	// The catalog item, written by an officer and reviewed by a reviewer.
	person := func(username, role string) context.Context {
		m, err := a.Identity.AddMember(ctx, c.ids["welfare-home"], identity.NewMember{Username: username, DisplayName: username, Password: goodPassword, Roles: []string{role}})
		if err != nil {
			t.Fatal(err)
		}
		return authz.WithActor(context.Background(), authz.Actor{Subject: m.User.Subject(), UserID: m.User.ID, Name: username, TenantID: c.ids["welfare-home"]})
	}
	officer, reviewer := person("wendy", authz.InfoOfficer), person("rita", authz.Reviewer)
	wh, err := a.Tenants.BySlug(ctx, "welfare-home")
	if err != nil {
		t.Fatal(err)
	}
	it, err := a.Catalog.Create(officer, wh.ID, catalog.ItemInput{Title: "养老院收费标准", Summary: "收费标准", Body: "<p>收费标准</p>",
		FormedOn: workday.MustParseDate("2026-06-01"), Category: a.Catalog.Template(wh).Categories[0].Code})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		who    context.Context
		action string
	}{{officer, catalog.ActSubmit}, {reviewer, catalog.ActApprove}, {officer, catalog.ActPublish}} {
		if _, err := a.Catalog.Transition(st.who, wh.ID, it.ID, catalog.Step{Action: st.action}); err != nil {
			t.Fatalf("%s: %v", st.action, err)
		}
	}
	c.item = it.ID

	if _, err := a.Identity.AddMember(ctx, 0, identity.NewMember{Username: "olga", DisplayName: "Olga", Password: goodPassword, Roles: []string{authz.CityOverseer}}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Identity.AddMember(ctx, c.ids["civil-affairs"], identity.NewMember{Username: "bob", DisplayName: "Bob", Password: goodPassword, Roles: []string{authz.BureauAdmin}}); err != nil {
		t.Fatal(err)
	}
	return c
}

// signInFixed signs in like site.signIn, keeping the session cookie
// whatever its expiry: the application's clock is fixed in the past, so
// the cookie's expiry is too.
func (c *overseenCity) signInFixed(username string) *http.Client {
	c.t.Helper()
	cl := client()
	res, body := c.post(cl, "/console/login", url.Values{"username": {username}, "password": {goodPassword}})
	if res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("sign in as %s: %d %s", username, res.StatusCode, formError(body))
	}
	u, _ := url.Parse(c.base)
	var keep []*http.Cookie
	for _, ck := range res.Cookies() {
		keep = append(keep, &http.Cookie{Name: ck.Name, Value: ck.Value, Path: "/"})
	}
	cl.Jar.SetCookies(u, keep)
	return cl
}

var (
	dashRowP   = regexp.MustCompile(`(?s)<tr id="row-([a-z-]+)"[^>]*>(.*?)</tr>`)
	dashCellP  = regexp.MustCompile(`<td data-metric="([a-z_.]+)"><a href="([^"]+)">([^<]*)</a></td>`)
	recordRowP = regexp.MustCompile(`(?s)<tr data-id="(\d+)">(.*?)</tr>`)
	hrefP      = regexp.MustCompile(`<a href="([^"]+)"`)
)

// dashCell is a figure of the dashboard page: its text and link.
type dashCell struct{ Text, URL string }

// dashboardOf parses the dashboard table: row id (bureau slug or totals)
// -> metric -> cell, and the row ids in order.
func dashboardOf(t *testing.T, body string) (map[string]map[string]dashCell, []string) {
	t.Helper()
	out := map[string]map[string]dashCell{}
	var order []string
	for _, m := range dashRowP.FindAllStringSubmatch(body, -1) {
		cells := map[string]dashCell{}
		for _, c := range dashCellP.FindAllStringSubmatch(m[2], -1) {
			cells[c[1]] = dashCell{Text: html.UnescapeString(c[3]), URL: html.UnescapeString(c[2])}
		}
		out[m[1]] = cells
		order = append(order, m[1])
	}
	if len(out) == 0 {
		t.Fatalf("no dashboard rows in the page: %.2000s", body)
	}
	return out, order
}

// recordIDs lists the record ids of a records page and the links of its
// rows.
func recordIDs(body string) (ids []int64, links []string) {
	for _, m := range recordRowP.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, id)
		if l := hrefP.FindStringSubmatch(m[2]); l != nil {
			links = append(links, html.UnescapeString(l[1]))
		}
	}
	return ids, links
}

// TestOversightPages: the overseer's dashboard shows the hand-counted
// figures and sorts by a column, a figure's link lists exactly the records
// counted (each linking to its read-only page), the roll-up, trends, action
// lists and dictionary pages show their content, and a bureau's own
// administrator is refused every page.
func TestOversightPages(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			c := newOverseenCity(t, dialect, func() time.Time { return oversightClock })
			olga := c.signInFixed("olga")
			get := func(path string) string {
				t.Helper()
				res, body := c.get(olga, path)
				if res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %d %s %s", path, res.StatusCode, res.Header.Get("Location"), firstMatch(errorMsgP, body))
				}
				return body
			}

			body := get("/console/civil-affairs/oversight?year=2026")
			dash, order := dashboardOf(t, body)
			want := map[string]map[string]string{
				"civil-affairs": {"received": "3", "closed": "2", "open": "1", "overdue": "1", "replied": "2", "replied_on_time": "1", "replied_late": "1",
					"on_time_percent": "50.0%", "reply_days_median": "5", "catalog_published": "0", "catalog_late": "0", "outcome.granted": "1", "outcome.refused": "1"},
				"welfare-home": {"received": "1", "closed": "1", "open": "0", "overdue": "0", "on_time_percent": "100.0%", "catalog_published": "1", "catalog_late": "1",
					"outcome.partially_granted": "1"},
				"funeral-home": {"received": "2", "closed": "1", "open": "1", "overdue": "0", "on_time_percent": "100.0%", "reply_days_median": "2"},
				"totals": {"received": "6", "closed": "4", "open": "2", "overdue": "1", "replied": "4", "replied_on_time": "3", "on_time_percent": "75.0%",
					"catalog_published": "1", "catalog_late": "1", "outcome.granted": "2"},
				"rescue-station": {"received": "0", "on_time_percent": "—"},
			}
			for row, figs := range want {
				for metric, text := range figs {
					if got := dash[row][metric].Text; got != text {
						t.Errorf("%s %s: %q, want %q", row, metric, got, text)
					}
				}
			}
			if slices.Contains(order, "oversight") {
				t.Error("the oversight office has a row")
			}
			if !strings.Contains(body, "未到期") || !strings.Contains(body, "期限 2027年1月31日") {
				t.Error("the 2026 reports are not shown as not due by 31 January 2027")
			}

			// Sorting by received, largest first: the heading links there,
			// and from there back to smallest first.
			if !strings.Contains(body, `href="/console/civil-affairs/oversight?sort=-received&amp;year=2026"`) {
				t.Error("the received heading does not sort by it")
			}
			sorted := get("/console/civil-affairs/oversight?sort=-received&year=2026")
			_, order = dashboardOf(t, sorted)
			if got := strings.Join(order, " "); got != "civil-affairs funeral-home welfare-home rescue-station veteran-center totals" {
				t.Errorf("sorted by received, descending: %s", got)
			}
			if !strings.Contains(sorted, `aria-sort="descending" data-metric="received"`) || !strings.Contains(sorted, `href="/console/civil-affairs/oversight?sort=received&amp;year=2026"`) {
				t.Error("the sorted heading is not marked or does not reverse")
			}
			_, order = dashboardOf(t, get("/console/civil-affairs/oversight?sort=received&year=2026"))
			if got := strings.Join(order[:3], " "); got != "rescue-station veteran-center welfare-home" {
				t.Errorf("sorted by received, ascending: %s", got)
			}
			if res, body := c.get(olga, "/console/civil-affairs/oversight?sort=nonsense"); res.StatusCode != http.StatusUnprocessableEntity || fieldErrors(body)["sort"] == "" {
				t.Errorf("bad sort key: %d %v", res.StatusCode, fieldErrors(body))
			}
			// A reversed period is shown next to the field, the dates kept.
			if res, body := c.get(olga, "/console/civil-affairs/oversight?year=2026&from=2026-04-01&to=2026-03-01"); res.StatusCode != http.StatusUnprocessableEntity ||
				fieldErrors(body)["to"] == "" || !strings.Contains(body, `value="2026-04-01"`) || strings.Contains(body, `id="dashboard"`) {
				t.Errorf("reversed period: %d %v", res.StatusCode, fieldErrors(body))
			}

			// Drill-down: the received figure of civil-affairs lists a1–a3,
			// each linking to the request's page, which the overseer can read.
			recs := get(dash["civil-affairs"]["received"].URL)
			ids, links := recordIDs(recs)
			if wantIDs := []int64{c.requests["a1"], c.requests["a2"], c.requests["a3"]}; !slices.Equal(ids, wantIDs) {
				t.Fatalf("received records %v, want %v", ids, wantIDs)
			}
			if links[2] != "/console/civil-affairs/requests/"+strconv.FormatInt(c.requests["a3"], 10) {
				t.Errorf("record link %q", links[2])
			}
			if !strings.Contains(firstMatch(regexp.MustCompile(`id="records-summary">([^<]*)<`), recs), "共 3 条") {
				t.Error("the records page does not give the total")
			}
			if page := get(links[2]); !strings.Contains(page, c.codes["a3"]) {
				t.Error("the request page does not show the request")
			}
			ids, _ = recordIDs(get(dash["civil-affairs"]["overdue"].URL))
			if !slices.Equal(ids, []int64{c.requests["a3"]}) {
				t.Errorf("overdue records %v", ids)
			}
			ids, _ = recordIDs(get(dash["totals"]["replied_late"].URL))
			if !slices.Equal(ids, []int64{c.requests["a2"]}) {
				t.Errorf("city's late replies %v", ids)
			}
			late := get(dash["welfare-home"]["catalog_late"].URL)
			if ids, _ = recordIDs(late); !slices.Equal(ids, []int64{c.item}) || !strings.Contains(late, "养老院收费标准") {
				t.Errorf("late catalog items %v", ids)
			}

			// Rolled up: civil-affairs sums its units, which are listed under it.
			up, order := dashboardOf(t, get("/console/civil-affairs/oversight?year=2026&rollup=1"))
			if up["civil-affairs"]["received"].Text != "6" || up["welfare-home"]["received"].Text != "1" || order[0] != "civil-affairs" {
				t.Errorf("rolled up: civil-affairs %q, welfare-home %q, order %v", up["civil-affairs"]["received"].Text, up["welfare-home"]["received"].Text, order)
			}
			if ids, _ = recordIDs(get(up["civil-affairs"]["received"].URL)); len(ids) != 6 {
				t.Errorf("rolled-up records: %v", ids)
			}
			// A period: March only leaves out a3 and f2.
			march, _ := dashboardOf(t, get("/console/civil-affairs/oversight?year=2026&from=2026-03-01&to=2026-03-31"))
			if march["totals"]["received"].Text != "4" {
				t.Errorf("March received %q", march["totals"]["received"].Text)
			}

			// Trends: the charts inline, with the figures in a table.
			trends := get("/console/civil-affairs/oversight/trends?year=2026&of=funeral-home")
			if !strings.Contains(trends, `<figure class="chart" id="chart-received"><svg`) || !strings.Contains(trends, "营口市殡仪馆新收政府信息公开申请") {
				t.Errorf("trends chart missing: %.3000s", trends)
			}
			// Action lists: a3 is overdue.
			actions := get("/console/civil-affairs/oversight/actions?year=2025")
			if !strings.Contains(actions, c.codes["a3"]) || strings.Contains(actions, c.codes["f2"]) {
				t.Error("the overdue list is wrong")
			}
			if !strings.Contains(actions, `id="missing-list"`) || !strings.Contains(actions, "营口市民政局") {
				t.Error("bureaus without their 2025 report are not listed")
			}
			// The dictionary gives each definition.
			dict := get("/console/civil-affairs/oversight/metrics")
			m, _ := oversight.MetricByKey("catalog_late")
			if !strings.Contains(dict, `id="metric-catalog_late"`) || !strings.Contains(html.UnescapeString(dict), m.DefinitionZH) {
				t.Error("the dictionary lacks catalog_late")
			}

			// In English.
			if res, _ := c.post(olga, "/console/settings/language", url.Values{"csrf": {csrfOf(t, get("/console/settings"))}, "locale": {"en"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("English: %d", res.StatusCode)
			}
			en := get("/console/civil-affairs/oversight?year=2026")
			for _, w := range []string{"<h1>Oversight</h1>", ">City totals<", ">Received<", ">Published after 20 working days<", "Not due yet"} {
				if !strings.Contains(en, w) {
					t.Errorf("the English dashboard lacks %q", w)
				}
			}
			if dict := get("/console/civil-affairs/oversight/metrics"); !strings.Contains(html.UnescapeString(dict), m.Definition) {
				t.Error("the English dictionary lacks the English definition")
			}

			// A bureau's administrator sees none of it.
			bob := c.signInFixed("bob")
			for _, path := range []string{"/console/civil-affairs/oversight", "/console/civil-affairs/oversight/records?metric=received",
				"/console/civil-affairs/oversight/trends", "/console/civil-affairs/oversight/actions", "/console/civil-affairs/oversight/metrics"} {
				if res, body := c.get(bob, path); res.StatusCode != http.StatusForbidden || strings.Contains(body, c.codes["a1"]) {
					t.Errorf("%s as a bureau admin: %d", path, res.StatusCode)
				}
			}
			if _, body := c.get(bob, "/console/civil-affairs/"); strings.Contains(body, "/oversight\"") {
				t.Error("a bureau admin sees the oversight area in the navigation")
			}
		})
	}
}

// TestOversightCatalogKeys: the message keys the oversight pages build at
// run time exist in both languages.
func TestOversightCatalogKeys(t *testing.T) {
	t.Parallel()
	m, err := console.LoadMessages()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, k := range oversight.SortKeys {
		if k != "bureau" {
			keys = append(keys, "oversight.metric."+k)
		}
	}
	for _, k := range oversight.RecordKeys() {
		keys = append(keys, "oversight.metric."+k)
	}
	for _, k := range []string{"dashboard", "trends", "actions", "metrics"} {
		keys = append(keys, "oversight.tab."+k)
	}
	for _, s := range []string{oversight.ReportNotStarted, "draft", "submitted", "published"} {
		keys = append(keys, "oversight.report."+s)
	}
	for _, s := range []string{oversight.OnTime, oversight.Late, oversight.Overdue, oversight.NotDue} {
		keys = append(keys, "oversight.timeliness."+s)
	}
	for _, s := range []string{"reconsideration", "litigation_direct", "litigation_after_reconsideration"} {
		keys = append(keys, "oversight.appeal_kind."+s)
	}
	for _, s := range []string{"upheld", "corrected", "other", "pending"} {
		keys = append(keys, "oversight.appeal_outcome."+s)
	}
	for _, mt := range oversight.Metrics {
		keys = append(keys, "oversight.unit."+mt.Unit)
	}
	for _, k := range keys {
		for _, l := range console.Locales {
			if !m.Has(l, k) {
				t.Errorf("%s lacks %s", l, k)
			}
		}
	}
}
