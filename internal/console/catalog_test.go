package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime/multipart"
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
				"both":     {"civil-affairs": {authz.InfoOfficer, authz.Reviewer}},
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
			if _, body = s.get(reviewer, "/console/civil-affairs/"); !strings.Contains(body, `href="`+page+`">市养老院收费标准</a>`) {
				t.Fatal("the reviewer's home does not link to the item awaiting review")
			}
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

			// A second item names the first as related; an unknown item is refused.
			form := itemForm(csrf, "关于调整市养老院收费标准的说明", today)
			form.Set("related", "999999")
			res, body = s.post(clerk, "/console/civil-affairs/catalog/new", form)
			if res.StatusCode != http.StatusUnprocessableEntity || fieldErrors(body)["related"] != "相关信息必须是本单位目录中的其他条目。" {
				t.Fatalf("unknown related item: %d %v", res.StatusCode, fieldErrors(body))
			}
			if !strings.Contains(body, fmt.Sprintf(`<option value="%d">市养老院收费标准 (%s)</option>`, id, want)) {
				t.Fatal("the published item is not offered as related")
			}
			m = catalogItemPath.FindStringSubmatch(firstMatch(regexp.MustCompile(`action="([^"]+)/edit"`), body))
			if m == nil {
				t.Fatal("the stored draft's form does not come back")
			}
			second := m[0]
			form.Set("related", strconv.FormatInt(id, 10))
			if res, _ = s.post(clerk, second+"/edit", form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("related item: %d", res.StatusCode)
			}
			_, body = s.get(clerk, second)
			if !strings.Contains(body, fmt.Sprintf(`<td id="item-related"><a href="%s">市养老院收费标准</a></td>`, page)) {
				t.Fatal("the related item is not shown")
			}
			secondID, _ := strconv.ParseInt(m[1], 10, 64)
			if rel, err := s.app.Catalog.RelatedItems(ctx, bureau.ID, secondID); err != nil || len(rel) != 1 || rel[0].ID != id {
				t.Fatalf("stored related items %v %v", rel, err)
			}

			// Someone who is both officer and reviewer cannot review their own item.
			both := s.signIn("both", goodPassword)
			_, body = s.get(both, "/console/civil-affairs/catalog/new")
			bcsrf := csrfOf(t, body)
			res, _ = s.post(both, "/console/civil-affairs/catalog/new", itemForm(bcsrf, "殡仪馆服务收费标准", today))
			own := res.Header.Get("Location")
			s.post(both, own+"/transition", url.Values{"csrf": {bcsrf}, "action": {"submit"}})
			res, body = s.post(both, own+"/transition", url.Values{"csrf": {bcsrf}, "action": {"approve"}})
			if res.StatusCode != http.StatusForbidden || formError(body) != "保密审查（《条例》第十七条）须由起草人、提交人以外的人员进行。" {
				t.Fatalf("own review: %d %q", res.StatusCode, formError(body))
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

// postFile posts a multipart form with one file.
func (s *site) postFile(c *http.Client, path string, fields url.Values, field, name, content string) (*http.Response, string) {
	s.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile(field, name)
	_, _ = io.WriteString(fw, content)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, s.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return s.do(c, req)
}

// TestCatalogCategoriesImportExport: the bureau admin edits the category
// tree (add, a duplicate and a bad code refused, rename, delete an empty
// one, a non-empty one refused); an import file with a bad row is refused
// as a whole with the row named; a good one creates drafts; the export
// links give them back as CSV and JSON. An information officer may not
// edit the tree.
func TestCatalogCategoriesImportExport(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := setup(t, dialect, map[string]map[string][]string{
				"boss":  {"civil-affairs": {authz.BureauAdmin}},
				"clerk": {"civil-affairs": {authz.InfoOfficer}},
			})
			ctx := authz.WithActor(context.Background(), authz.System)
			bureau, err := s.app.Tenants.BySlug(ctx, "civil-affairs")
			if err != nil {
				t.Fatal(err)
			}
			boss := s.signIn("boss", goodPassword)
			const cats = "/console/civil-affairs/catalog/categories"
			_, body := s.get(boss, cats)
			csrf := csrfOf(t, body)
			res, _ := s.post(boss, cats, url.Values{"csrf": {csrf}, "parent": {"elderly_care"}, "code": {"fees"}, "name": {"收费标准"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("add category: %d", res.StatusCode)
			}
			_, body = s.get(boss, cats)
			if !strings.Contains(body, `id="cat-elderly_care.fees"`) || !strings.Contains(firstMatch(flashP, body), "收费标准") {
				t.Fatal("the new category is not listed")
			}
			res, body = s.post(boss, cats, url.Values{"csrf": {csrf}, "parent": {"elderly_care"}, "code": {"fees"}, "name": {"又一个"}})
			if res.StatusCode != http.StatusConflict || formError(body) != "分类代码 elderly_care.fees 已存在。" {
				t.Fatalf("duplicate category: %d %q", res.StatusCode, formError(body))
			}
			res, body = s.post(boss, cats, url.Values{"csrf": {csrf}, "code": {"Fees!"}, "name": {"收费"}})
			if res.StatusCode != http.StatusUnprocessableEntity || fieldErrors(body)["cat-code"] == "" || !strings.Contains(body, `value="Fees!"`) {
				t.Fatalf("bad code: %d %v", res.StatusCode, fieldErrors(body))
			}
			res, _ = s.post(boss, cats+"/elderly_care.fees/rename", url.Values{"csrf": {csrf}, "name": {"养老机构收费标准"}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("rename: %d", res.StatusCode)
			}
			_, body = s.get(boss, cats)
			if !strings.Contains(body, "养老机构收费标准") {
				t.Fatal("the new name is not shown")
			}
			s.post(boss, cats, url.Values{"csrf": {csrf}, "code": {"tmp"}, "name": {"临时"}})
			res, body = s.get(boss, cats+"/tmp/delete")
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "临时") {
				t.Fatalf("delete confirmation: %d", res.StatusCode)
			}
			if res, _ = s.post(boss, cats+"/tmp/delete", url.Values{"csrf": {csrf}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("delete: %d", res.StatusCode)
			}
			if tree, _ := s.app.Catalog.Categories(ctx, bureau.ID); strings.Contains(fmt.Sprint(tree), "tmp") {
				t.Fatal("the deleted category is still stored")
			}

			// Import: a bad row refuses the whole batch, naming the row.
			clerk := s.signIn("clerk", goodPassword)
			_, body = s.get(clerk, "/console/civil-affairs/catalog/import")
			ccsrf := csrfOf(t, body)
			bad := `{"items": [
				{"external_id": "oa-1", "title": "市养老院收费标准", "formed_on": "2026-03-02", "category": "elderly_care.fees"},
				{"external_id": "oa-2", "title": "", "formed_on": "2026-03-02", "category": "elderly_care.fees"}]}`
			res, body = s.postFile(clerk, "/console/civil-affairs/catalog/import", url.Values{"csrf": {ccsrf}}, "file", "batch.json", bad)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(formError(body), "有 1 行有误，整批未导入") {
				t.Fatalf("bad import: %d %q", res.StatusCode, formError(body))
			}
			if !strings.Contains(body, "<td>2</td><td>oa-2</td>") || !strings.Contains(body, "信息名称: 请填写此项。") {
				t.Fatalf("the rejected row is not reported:\n%s", body)
			}
			if res, _ := s.app.Catalog.List(ctx, bureau.ID, catalog.Query{}); res.Total != 0 {
				t.Fatalf("a refused batch stored %d items", res.Total)
			}
			good := strings.Replace(bad, `"title": "", "formed_on": "2026-03-02"`, `"title": "养老服务补贴发放办法", "formed_on": "2026-02-27"`, 1)
			res, body = s.postFile(clerk, "/console/civil-affairs/catalog/import", url.Values{"csrf": {ccsrf}}, "file", "batch.json", good)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "已导入：新建 2 条，更新 0 条，未变化 0 条。") {
				t.Fatalf("good import: %d %q", res.StatusCode, formError(body))
			}
			stored, err := s.app.Catalog.List(ctx, bureau.ID, catalog.Query{Category: "elderly_care"})
			if err != nil || stored.Total != 2 || stored.Hits[0].State != catalog.Draft {
				t.Fatalf("imported items: %+v %v", stored, err)
			}
			res, body = s.postFile(clerk, "/console/civil-affairs/catalog/import", url.Values{"csrf": {ccsrf}}, "file", "x.json", "not json")
			if res.StatusCode != http.StatusUnprocessableEntity || fieldErrors(body)["file"] == "" {
				t.Fatalf("not JSON: %d", res.StatusCode)
			}

			// Soonest due first, both overdue (Art. 26: 20 working days
			// from the date formed).
			_, body = s.get(clerk, "/console/civil-affairs/catalog?sort=due&state=draft")
			first, second := strings.Index(body, "养老服务补贴发放办法"), strings.Index(body, "市养老院收费标准")
			if first < 0 || second < first || strings.Count(body, "<strong>已超期</strong>") != 2 || strings.Count(body, `class="overdue"`) != 2 {
				t.Fatalf("sorted by due date: %d %d, overdue marks %d", first, second, strings.Count(body, "<strong>已超期</strong>"))
			}
			if !strings.Contains(body, "2026年3月26日 星期四") { // 2026-02-27 + 20 working days, Saturday 28 Feb a make-up working day
				t.Errorf("due date of the item formed on 2026-02-27 not shown")
			}
			res, body = s.get(clerk, "/console/civil-affairs/catalog?sort=bogus")
			if res.StatusCode != http.StatusUnprocessableEntity || formError(body) == "" {
				t.Fatalf("unknown order: %d", res.StatusCode)
			}

			// A category with items cannot be deleted.
			res, body = s.post(boss, cats+"/elderly_care.fees/delete", url.Values{"csrf": {csrf}})
			if res.StatusCode != http.StatusConflict || formError(body) != "分类 elderly_care.fees 下有 2 个条目，只能删除空分类。" {
				t.Fatalf("delete a category with items: %d %q", res.StatusCode, formError(body))
			}

			// Export.
			res, body = s.get(clerk, "/console/civil-affairs/catalog/export.csv")
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
				!strings.HasPrefix(body, "id,external_id,state") || !strings.Contains(body, "养老服务补贴发放办法") {
				t.Fatalf("CSV export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			res, body = s.get(clerk, "/console/civil-affairs/catalog/export.json")
			var items []catalog.ExportItem
			if err := json.Unmarshal([]byte(body), &items); err != nil || res.StatusCode != http.StatusOK || len(items) != 2 || items[0].ExternalID != "oa-1" {
				t.Fatalf("JSON export: %d %v %d", res.StatusCode, err, len(items))
			}

			// The bureau admin reviews an imported item and, once published,
			// withdraws it (a comment is required); its public page is gone.
			oa1 := fmt.Sprintf("/console/civil-affairs/catalog/items/%d", items[0].ID)
			for _, step := range []struct {
				c      *http.Client
				csrf   string
				action string
			}{{clerk, ccsrf, "submit"}, {boss, csrf, "approve"}, {clerk, ccsrf, "publish"}} {
				if res, body := s.post(step.c, oa1+"/transition", url.Values{"csrf": {step.csrf}, "action": {step.action}}); res.StatusCode != http.StatusSeeOther {
					t.Fatalf("%s: %d %q", step.action, res.StatusCode, formError(body))
				}
			}
			_, body = s.get(clerk, oa1)
			if strings.Contains(body, `id="act-withdraw"`) {
				t.Fatal("the information officer is offered to withdraw")
			}
			_, body = s.get(boss, oa1)
			if !strings.Contains(body, `id="act-withdraw"`) {
				t.Fatal("the bureau admin is not offered to withdraw")
			}
			res, body = s.post(boss, oa1+"/transition", url.Values{"csrf": {csrf}, "action": {"withdraw"}})
			if res.StatusCode != http.StatusUnprocessableEntity || fieldErrors(body)["comment"] != "请填写意见：说明需要修改的内容或撤回的理由。" {
				t.Fatalf("withdraw without comment: %d %v", res.StatusCode, fieldErrors(body))
			}
			if res, _ = s.post(boss, oa1+"/transition", url.Values{"csrf": {csrf}, "action": {"withdraw"}, "comment": {"收费标准已调整"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("withdraw: %d", res.StatusCode)
			}
			withdrawn, err := s.app.Catalog.Get(ctx, bureau.ID, items[0].ID)
			if err != nil || withdrawn.Item.State != catalog.Withdrawn {
				t.Fatalf("after withdrawal: %v %v", withdrawn, err)
			}
			if res, _ = s.get(client(), "/b/civil-affairs/catalog/"+withdrawn.Item.IndexNo); res.StatusCode != http.StatusGone {
				t.Fatalf("withdrawn public page: %d", res.StatusCode)
			}

			// The information officer may not edit the tree.
			_, body = s.get(clerk, cats)
			if strings.Contains(body, `id="add-category"`) {
				t.Fatal("the information officer is offered the category form")
			}
			if res, _ := s.post(clerk, cats, url.Values{"csrf": {ccsrf}, "code": {"x"}, "name": {"x"}}); res.StatusCode != http.StatusForbidden {
				t.Fatalf("officer adds a category: %d", res.StatusCode)
			}
		})
	}
}
