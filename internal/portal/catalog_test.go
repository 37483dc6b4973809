package portal_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/workday"
)

const catalogPassword = "Correct-Horse-9-Battery"

func TestPublicCatalogPages(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect)
			base := a.URL()
			sys := authz.WithActor(context.Background(), authz.System)
			ca, err := a.Tenants.BySlug(sys, "civil-affairs")
			if err != nil {
				t.Fatal(err)
			}
			m, err := a.Identity.AddMember(sys, ca.ID, identity.NewMember{Username: "olivia", DisplayName: "olivia", Password: catalogPassword, Roles: []string{authz.InfoOfficer}})
			if err != nil {
				t.Fatal(err)
			}
			officer := authz.WithActor(context.Background(), authz.Actor{Subject: m.User.Subject(), UserID: m.User.ID, Name: "olivia", TenantID: ca.ID})
			publish := func(in catalog.ItemInput) *catalog.Item {
				t.Helper()
				return publishItem(t, a, officer, sys, ca.ID, in)
			}
			fees := publish(catalog.ItemInput{Title: "市养老院收费标准", Summary: "2026年度收费项目及标准", Body: `<p>床位费<script>alert(1)</script></p>`,
				DocNo: "营价发〔2026〕12号", FormedOn: workday.MustParseDate("2026-02-13"), Category: "elderly_care", Topics: []string{"elderly_care"}, DocKind: catalog.KindNormative})
			other := publish(catalog.ItemInput{Title: "婚姻登记办事指南", FormedOn: workday.MustParseDate("2026-02-13"), Category: "marriage"})
			draft, err := a.Catalog.Create(officer, ca.ID, catalog.ItemInput{Title: "养老机构评定（草稿）", FormedOn: workday.MustParseDate("2026-02-13"), Category: "elderly_care"})
			if err != nil {
				t.Fatal(err)
			}

			res, body := apptest.Get(t, base+"/b/civil-affairs/")
			if res.StatusCode != 200 || !strings.Contains(body, `href="/b/civil-affairs/catalog"`) {
				t.Fatalf("guide lacks the catalog link: %d", res.StatusCode)
			}
			res, body = apptest.Get(t, base+"/b/civil-affairs/catalog")
			if res.StatusCode != 200 || !strings.Contains(body, "营口市民政局政府信息公开目录") || !strings.Contains(body, "婚姻登记办事指南") ||
				!strings.Contains(body, "行政规范性文件") || !strings.Contains(body, ">规章<") || strings.Contains(body, "草稿") {
				t.Fatalf("catalog: %d\n%s", res.StatusCode, body)
			}
			res, body = apptest.Get(t, base+"/b/civil-affairs/catalog?q="+url.QueryEscape("养老"))
			if res.StatusCode != 200 || !strings.Contains(body, "市<mark>养老</mark>院收费标准") || strings.Contains(body, "婚姻登记办事指南") || !strings.Contains(body, "共 1 条") {
				t.Fatalf("search: %d\n%s", res.StatusCode, body)
			}
			res, body = apptest.Get(t, base+"/b/civil-affairs/catalog?category=marriage")
			if res.StatusCode != 200 || strings.Contains(body, "收费标准") || !strings.Contains(body, "婚姻登记办事指南") {
				t.Fatalf("category: %d\n%s", res.StatusCode, body)
			}
			res, body = apptest.Get(t, base+"/b/civil-affairs/catalog?year=2025")
			if res.StatusCode != 200 || !strings.Contains(body, "共 0 条") {
				t.Fatalf("year filter: %d\n%s", res.StatusCode, body)
			}

			// The item page, by index number: the metadata table, then the
			// sanitised body.
			res, body = apptest.Get(t, base+"/b/civil-affairs/catalog/"+fees.IndexNo)
			if res.StatusCode != 200 {
				t.Fatalf("item: %d\n%s", res.StatusCode, body)
			}
			for _, want := range []string{"索引号", fees.IndexNo, "发布机构", "营口市民政局", "生成日期", "2026-02-13", "文号", "营价发〔2026〕12号", "主题分类", "养老服务", "有效性", "现行有效", "<p>床位费</p>"} {
				if !strings.Contains(body, want) {
					t.Fatalf("item page lacks %q:\n%s", want, body)
				}
			}
			if strings.Contains(body, "<script>alert") {
				t.Fatal("script in item page")
			}
			if res, _ = apptest.Get(t, fmt.Sprintf("%s/b/civil-affairs/catalog/%d", base, other.ID)); res.StatusCode != 200 {
				t.Fatalf("item by id: %d", res.StatusCode)
			}
			// Drafts are not there; another bureau does not show A's items.
			if res, _ = apptest.Get(t, fmt.Sprintf("%s/b/civil-affairs/catalog/%d", base, draft.ID)); res.StatusCode != 404 {
				t.Fatalf("draft page: %d", res.StatusCode)
			}
			if res, _ = apptest.Get(t, base+"/b/welfare-home/catalog/"+fees.IndexNo); res.StatusCode != 404 {
				t.Fatalf("A's item under B: %d", res.StatusCode)
			}

			// The feed is Atom with the published items.
			res, body = apptest.Get(t, base+"/b/civil-affairs/catalog/feed.atom")
			var feed struct {
				XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
				Entries []struct {
					Title string `xml:"title"`
					Link  struct {
						Href string `xml:"href,attr"`
					} `xml:"link"`
				} `xml:"entry"`
			}
			if err := xml.Unmarshal([]byte(body), &feed); err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/atom+xml") || len(feed.Entries) != 2 {
				t.Fatalf("feed: %d %v\n%s", res.StatusCode, err, body)
			}
			if !strings.HasSuffix(feed.Entries[0].Link.Href, "/b/civil-affairs/catalog/"+other.IndexNo) && !strings.HasSuffix(feed.Entries[1].Link.Href, "/b/civil-affairs/catalog/"+other.IndexNo) {
				t.Fatalf("feed links: %+v", feed.Entries)
			}
			res, body = apptest.Get(t, base+"/b/civil-affairs/catalog/feed.atom?category=marriage")
			if res.StatusCode != 200 || strings.Contains(body, "收费标准") {
				t.Fatalf("category feed: %d\n%s", res.StatusCode, body)
			}

			// Withdrawn: 410 with a short notice, off the list.
			admin, err := a.Identity.AddMember(sys, ca.ID, identity.NewMember{Username: "adam", DisplayName: "adam", Password: catalogPassword, Roles: []string{authz.BureauAdmin}})
			if err != nil {
				t.Fatal(err)
			}
			adminCtx := authz.WithActor(context.Background(), authz.Actor{Subject: admin.User.Subject(), UserID: admin.User.ID, Name: "adam", TenantID: ca.ID})
			if _, err := a.Catalog.Transition(adminCtx, ca.ID, fees.ID, catalog.Step{Action: catalog.ActWithdraw, Comment: "误发"}); err != nil {
				t.Fatal(err)
			}
			res, body = apptest.Get(t, base+"/b/civil-affairs/catalog/"+fees.IndexNo)
			if res.StatusCode != 410 || !strings.Contains(body, "已撤回") || strings.Contains(body, "床位费") {
				t.Fatalf("withdrawn: %d\n%s", res.StatusCode, body)
			}
			if _, body = apptest.Get(t, base+"/b/civil-affairs/catalog?q="+url.QueryEscape("养老")); !strings.Contains(body, "共 0 条") {
				t.Fatalf("withdrawn item still listed:\n%s", body)
			}
		})
	}
}

// publishItem creates the item as officer and takes it through review
// (approved by sys) to publication.
func publishItem(t *testing.T, a *app.App, officer, sys context.Context, tenantID int64, in catalog.ItemInput) *catalog.Item {
	t.Helper()
	it, err := a.Catalog.Create(officer, tenantID, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		ctx    context.Context
		action string
	}{{officer, catalog.ActSubmit}, {sys, catalog.ActApprove}, {officer, catalog.ActPublish}} {
		if it, err = a.Catalog.Transition(st.ctx, tenantID, it.ID, catalog.Step{Action: st.action}); err != nil {
			t.Fatal(err)
		}
	}
	return it
}
