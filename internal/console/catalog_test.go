package console_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/console"
	"gongkai/internal/dbtest"
	"gongkai/internal/workday"
)

// catalogItemPath matches the page of an item a form redirected to.
var catalogItemPath = regexp.MustCompile(`^/console/civil-affairs/catalog/items/(\d+)$`)

// itemForm is a filled-in item form.
func itemForm(csrf, title string, formed workday.Date) url.Values {
	return url.Values{"csrf": {csrf}, "title": {title}, "summary": {"本市公办养老机构床位费、护理费、伙食费收费标准。"},
		"body": {`<p>床位费每月<strong>800元</strong>。</p><script>alert(1)</script>`}, "doc_no": {"营民发〔2026〕3号"},
		"issuer": {"营口市民政局"}, "formed_on": {formed.String()}, "category": {"elderly_care"}, "topics": {"elderly_care"},
		"doc_kind": {catalog.KindNormative}, "basis": {"8"}}
}

// TestCatalogConsoleWorkflow: an information officer writes an item through
// the console's forms (a missing title first, shown next to the field with
// the form refilled), submits it; an illegal action shows the service's
// message; a reviewer approves; the officer publishes; the page shows the
// index number and the item is in the public catalog. On both databases.
func TestCatalogConsoleWorkflow(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := setup(t, dialect, map[string]map[string][]string{
				"clerk":    {"civil-affairs": {authz.InfoOfficer}},
				"reviewer": {"civil-affairs": {authz.Reviewer}},
			})
			ctx := authz.WithActor(context.Background(), authz.System)
			bureau, err := s.app.Tenants.BySlug(ctx, "civil-affairs")
			if err != nil {
				t.Fatal(err)
			}
			today := workday.FromTime(time.Now(), workday.ChinaTime)
			clerk := s.signIn("clerk", goodPassword)

			res, body := s.get(clerk, "/console/civil-affairs/catalog")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>主动公开目录</h1>") || strings.Contains(body, "notice coming") {
				t.Fatalf("catalog list: %d\n%s", res.StatusCode, body)
			}
			_, body = s.get(clerk, "/console/civil-affairs/catalog/new")
			csrf := csrfOf(t, body)

			// A missing title: 422, the error next to the field, the form refilled.
			res, body = s.post(clerk, "/console/civil-affairs/catalog/new", itemForm(csrf, "", today))
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("missing title: %d %s", res.StatusCode, formError(body))
			}
			if got := fieldErrors(body)["title"]; got != "请填写此项。" {
				t.Fatalf("title error %q (all: %v)", got, fieldErrors(body))
			}
			if !strings.Contains(body, `value="营民发〔2026〕3号"`) || !strings.Contains(body, "收费标准。</textarea>") ||
				!strings.Contains(body, `<option value="elderly_care" selected>`) {
				t.Fatal("the form is not refilled after the error")
			}

			res, _ = s.post(clerk, "/console/civil-affairs/catalog/new", itemForm(csrf, "市养老院收费标准", today))
			m := catalogItemPath.FindStringSubmatch(res.Header.Get("Location"))
			if res.StatusCode != http.StatusSeeOther || m == nil {
				t.Fatalf("create: %d to %q", res.StatusCode, res.Header.Get("Location"))
			}
			id, _ := strconv.ParseInt(m[1], 10, 64)
			page := m[0]
			_, body = s.get(clerk, page)
			if got := firstMatch(flashP, body); !strings.Contains(got, "市养老院收费标准") {
				t.Fatalf("flash after create %q", got)
			}
			if !strings.Contains(body, `id="item-state" class="count">草稿<`) || strings.Contains(body, "<script>alert") {
				t.Fatalf("new item page:\n%s", body)
			}
			if !strings.Contains(body, "<strong>800元</strong>") {
				t.Fatal("the sanitised body is not shown")
			}

			// Publishing a draft is not allowed: the service's message, in Chinese.
			res, body = s.post(clerk, page+"/transition", url.Values{"csrf": {csrf}, "action": {"publish"}})
			if res.StatusCode != http.StatusConflict || formError(body) != "无法发布：该条目当前状态为“草稿”，此状态下可以：提交保密审查、编辑、删除草稿。" {
				t.Fatalf("illegal publish: %d %q", res.StatusCode, formError(body))
			}
			res, _ = s.post(clerk, page+"/transition", url.Values{"csrf": {csrf}, "action": {"submit"}, "comment": {"请审查"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("submit: %d", res.StatusCode)
			}
			// The officer has no review buttons; the reviewer does.
			_, body = s.get(clerk, page)
			if strings.Contains(body, `id="act-approve"`) {
				t.Fatal("the information officer is offered the review")
			}
			reviewer := s.signIn("reviewer", goodPassword)
			_, body = s.get(reviewer, page)
			if !strings.Contains(body, `id="act-approve"`) || !strings.Contains(body, `id="act-return"`) {
				t.Fatalf("the reviewer has no review buttons:\n%s", body)
			}
			res, _ = s.post(reviewer, page+"/transition", url.Values{"csrf": {csrfOf(t, body)}, "action": {"approve"}, "comment": {"无涉密内容"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("approve: %d", res.StatusCode)
			}
			res, _ = s.post(clerk, page+"/transition", url.Values{"csrf": {csrf}, "action": {"publish"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("publish: %d", res.StatusCode)
			}

			d, err := s.app.Catalog.Get(ctx, bureau.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("112108000012358135/%d-00001", today.Year)
			if d.Item.State != catalog.Published || d.Item.IndexNo != want || d.Item.ReviewerName != "Reviewer" {
				t.Fatalf("stored item: %s %q reviewed by %q", d.Item.State, d.Item.IndexNo, d.Item.ReviewerName)
			}
			_, body = s.get(clerk, page)
			if got := firstMatch(flashP, body); got != "已发布，索引号 "+want+"。" {
				t.Fatalf("flash after publish %q", got)
			}
			if !strings.Contains(body, `<span id="item-index">`+want+`</span>`) || !strings.Contains(body, `id="item-state" class="count">已发布<`) {
				t.Fatal("the item page lacks the index number or the state")
			}
			public := "/b/civil-affairs/catalog/" + want
			if !strings.Contains(body, `href="`+public+`"`) {
				t.Fatal("no link to the public page")
			}
			for _, step := range []string{"新建草稿", "提交保密审查", "保密审查通过", "无涉密内容", "发布"} {
				if !strings.Contains(body, step) {
					t.Errorf("history lacks %q", step)
				}
			}
			_, body = s.get(clerk, "/console/civil-affairs/catalog?q=养老")
			if !strings.Contains(body, want) || !strings.Contains(body, "市<mark>养老</mark>院收费标准") {
				t.Fatal("the search does not find the item by 养老")
			}

			// The public portal lists it and shows its page.
			res, body = s.get(client(), "/b/civil-affairs/catalog")
			if res.StatusCode != http.StatusOK || !strings.Contains(html.UnescapeString(body), "市养老院收费标准") {
				t.Fatalf("public catalog: %d", res.StatusCode)
			}
			res, body = s.get(client(), public)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, want) || !strings.Contains(body, "市养老院收费标准") {
				t.Fatalf("public item page: %d", res.StatusCode)
			}
		})
	}
}

// TestCatalogLabels: the catalog's Chinese labels are the domain's, and
// every key the pages build at run time exists in both languages.
func TestCatalogLabels(t *testing.T) {
	t.Parallel()
	m, err := console.LoadMessages()
	if err != nil {
		t.Fatal(err)
	}
	same := func(key, label string) {
		t.Helper()
		if got := m["zh-CN"][key]; got != label {
			t.Errorf("%s: %q, the domain says %q", key, got, label)
		}
		if !m.Has("en", key) {
			t.Errorf("en lacks %s", key)
		}
	}
	for _, st := range catalog.States {
		same("catalog.state."+string(st), st.Label())
	}
	for _, k := range catalog.DocKinds {
		same("catalog.kind."+k.Code, k.Label)
	}
	for _, v := range []string{catalog.InForce, catalog.ValidityRepeal, catalog.Amended} {
		same("catalog.validity."+v, catalog.ValidityLabel(v))
	}
	for key, label := range map[string]string{"index_no": "索引号", "issuer": "发布机构", "formed_on": "生成日期", "doc_no": "文号",
		"topics": "主题分类", "validity": "有效性", "summary": "内容概述", "published_on": "发布日期"} {
		same("catalog.field."+key, label)
	}
	var need []string
	for i := 0; i <= 15; i++ {
		need = append(need, "catalog.basis."+strconv.Itoa(i))
	}
	for _, a := range []string{"submit", "approve", "return", "publish", "withdraw", "repeal", "revise", "edit", "delete"} {
		need = append(need, "catalog.do."+a)
	}
	for _, a := range []string{"create", "revise", "submit", "approve", "return", "publish", "withdraw", "repeal"} {
		need = append(need, "catalog.step."+a)
	}
	for _, a := range []string{"submit", "approve", "return", "publish", "withdraw", "repeal", "done"} {
		need = append(need, "flash.catalog_"+a)
	}
	for _, f := range []string{"external_id", "title", "summary", "body", "doc_no", "issuer", "formed_on", "category", "topics", "doc_kind", "basis"} {
		need = append(need, "catalog.field."+f)
	}
	for _, key := range need {
		if !m.Has("zh-CN", key) || !m.Has("en", key) {
			t.Errorf("missing %s", key)
		}
	}
}
