package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/workday"
)

// catalogItemBody is a valid item of bureau A (civil affairs).
const catalogItemBody = `{"title":"市养老院收费标准","formed_on":"2026-02-13","category":"elderly_care","summary":"2026年度收费项目及标准"}`

// setupCatalog gives bureau A a draft and a published item for the
// isolation cases.
func setupCatalog(t *testing.T, w *world, aliceCtx context.Context) {
	t.Helper()
	cat := w.app.Catalog
	in := catalog.ItemInput{Title: "养老服务补贴实施办法（征求意见稿）", FormedOn: workday.MustParseDate("2026-02-13"), Category: "elderly_care"}
	d, err := cat.Create(aliceCtx, w.a, in)
	if err != nil {
		t.Fatal(err)
	}
	w.aItemDraft = d.ID
	in.Title = "养老服务补贴实施办法"
	p, err := cat.Create(aliceCtx, w.a, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []struct {
		ctx    context.Context
		action string
	}{{aliceCtx, catalog.ActSubmit}, {w.systemCtx, catalog.ActApprove}, {aliceCtx, catalog.ActPublish}} {
		if _, err := cat.Transition(st.ctx, w.a, p.ID, catalog.Step{Action: st.action}); err != nil {
			t.Fatalf("%s: %v", st.action, err)
		}
	}
	w.aItemPublished = p.ID
}

// catalogSnapshot is bureau A's catalog: items (export) and categories.
func catalogSnapshot(t *testing.T, w *world) string {
	t.Helper()
	var b bytes.Buffer
	if err := w.app.Catalog.Export(w.systemCtx, w.a, nil, catalog.FormatJSON, &b); err != nil {
		t.Fatal(err)
	}
	tree, err := w.app.Catalog.Categories(w.systemCtx, w.a)
	if err != nil {
		t.Fatal(err)
	}
	cats, _ := json.Marshal(tree)
	return "catalog " + b.String() + "\ncategories " + string(cats) + "\n"
}

func TestCatalogAPI(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			w := setup(t, dialect)
			ctx := w.systemCtx
			if _, err := w.app.Identity.AddMember(ctx, w.a, identity.NewMember{Username: "rita", DisplayName: "rita", Password: pw, Roles: []string{authz.Reviewer}}); err != nil {
				t.Fatal(err)
			}
			cookie, sess, err := w.app.Identity.Login(context.Background(), "rita", pw, "127.0.0.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			officer := withJSON(tokenPrincipal("A info officer token", w.aToken).header)
			reviewer := withJSON(sessionPrincipal("rita", cookie, sess.CSRFToken).header)
			api := w.base + "/api/v1/bureaus/civil-affairs/catalog"

			// 422 naming the missing field.
			res, body := apptest.Do(t, "POST", api+"/items", `{"title":"","formed_on":"2026-02-13","category":"elderly_care"}`, officer)
			if res.StatusCode != 422 || !strings.Contains(body, `"location":"body.title"`) {
				t.Fatalf("missing title: %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "POST", api+"/items", `{"title":"x","category":"elderly_care"}`, officer)
			if res.StatusCode != 422 || !strings.Contains(body, "formed_on") {
				t.Fatalf("missing formed_on: %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "POST", api+"/items", catalogItemBody, officer)
			if res.StatusCode != 201 {
				t.Fatalf("create: %d %s", res.StatusCode, body)
			}
			var it struct {
				ID      int64  `json:"id"`
				State   string `json:"state"`
				IndexNo string `json:"index_no"`
			}
			_ = json.Unmarshal([]byte(body), &it)
			items := fmt.Sprintf("%s/items/%d", api, it.ID)
			// 409 naming the state and the allowed actions.
			res, body = apptest.Do(t, "POST", items+"/transitions", `{"action":"publish"}`, officer)
			if res.StatusCode != 409 || !strings.Contains(body, "the item is draft") || !strings.Contains(body, "submit, edit, delete") {
				t.Fatalf("publish a draft: %d %s", res.StatusCode, body)
			}
			if res, body = apptest.Do(t, "POST", items+"/transitions", `{"action":"submit"}`, officer); res.StatusCode != 200 {
				t.Fatalf("submit: %d %s", res.StatusCode, body)
			}
			// The info officer token cannot review.
			if res, body = apptest.Do(t, "POST", items+"/transitions", `{"action":"approve"}`, officer); res.StatusCode != 403 {
				t.Fatalf("officer approves: %d %s", res.StatusCode, body)
			}
			if res, body = apptest.Do(t, "POST", items+"/transitions", `{"action":"approve"}`, reviewer); res.StatusCode != 200 {
				t.Fatalf("approve: %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "POST", items+"/transitions", `{"action":"publish"}`, officer)
			_ = json.Unmarshal([]byte(body), &it)
			if res.StatusCode != 200 || it.State != "published" || !strings.HasPrefix(it.IndexNo, "112108000012358135/") {
				t.Fatalf("publish: %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "GET", items, "", officer)
			if res.StatusCode != 200 || !strings.Contains(body, `"action":"approve"`) || !strings.Contains(body, `"actor_name":"rita"`) || !strings.Contains(body, `"allowed_actions":["withdraw","repeal","revise"]`) {
				t.Fatalf("detail: %d %s", res.StatusCode, body)
			}

			// Public: by id and by index number; search highlights.
			pub := w.base + "/api/v1/bureaus/civil-affairs/public/catalog/items"
			res, body = apptest.Get(t, pub+"/"+url.PathEscape(it.IndexNo))
			if res.StatusCode != 200 || !strings.Contains(body, `"title":"市养老院收费标准"`) || !strings.Contains(body, `"name":"养老服务"`) {
				t.Fatalf("public by index: %d %s", res.StatusCode, body)
			}
			if res, _ = apptest.Get(t, fmt.Sprintf("%s/%d", pub, w.aItemDraft)); res.StatusCode != 404 {
				t.Fatalf("public draft: %d", res.StatusCode)
			}
			res, body = apptest.Get(t, pub+"?q="+url.QueryEscape("养老"))
			if res.StatusCode != 200 || !strings.Contains(body, "市<mark>养老</mark>院收费标准") || strings.Contains(body, "征求意见稿") || strings.Contains(body, "author_name\":\"") {
				t.Fatalf("public search: %d %s", res.StatusCode, body)
			}

			// Withdrawn: 410 in public.
			admin := withJSON(tokenPrincipal("B", w.bToken).header) // bureau B's admin: not A's
			if res, _ = apptest.Do(t, "POST", items+"/transitions", `{"action":"withdraw","comment":"x"}`, admin); res.StatusCode != 404 {
				t.Fatalf("B withdraws A's item: %d", res.StatusCode)
			}
			aliceCookie, aliceSess, err := w.app.Identity.Login(context.Background(), "alice", pw, "127.0.0.1", "test")
			if err != nil {
				t.Fatal(err)
			}
			alice := withJSON(sessionPrincipal("alice", aliceCookie, aliceSess.CSRFToken).header)
			if res, body = apptest.Do(t, "POST", items+"/transitions", `{"action":"withdraw","comment":"误发"}`, alice); res.StatusCode != 200 {
				t.Fatalf("withdraw: %d %s", res.StatusCode, body)
			}
			if res, body = apptest.Get(t, fmt.Sprintf("%s/%d", pub, it.ID)); res.StatusCode != 410 || !strings.Contains(body, "withdrawn") {
				t.Fatalf("public withdrawn: %d %s", res.StatusCode, body)
			}

			// Import: all or nothing, rows named.
			batch := `{"items":[{"external_id":"OA-1","title":"导入一","formed_on":"2026-02-13","category":"functions"},{"external_id":"OA-2","title":"","formed_on":"2026-02-13","category":"functions"}]}`
			res, body = apptest.Do(t, "POST", api+"/import", batch, officer)
			if res.StatusCode != 422 || !strings.Contains(body, `"location":"body.items[1].title"`) {
				t.Fatalf("bad batch: %d %s", res.StatusCode, body)
			}
			batch = strings.Replace(batch, `"title":""`, `"title":"导入二"`, 1)
			for i, want := range []string{`"created":2`, `"unchanged":2`} {
				res, body = apptest.Do(t, "POST", api+"/import", batch, officer)
				if res.StatusCode != 200 || !strings.Contains(body, want) || !strings.Contains(body, `"applied":true`) {
					t.Fatalf("import %d: %d %s", i, res.StatusCode, body)
				}
			}
			res, body = apptest.Do(t, "GET", api+"/export?format=csv&state=draft", "", officer)
			if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(body, "OA-2,draft") {
				t.Fatalf("export: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			res, body = apptest.Do(t, "GET", api+"/items?state=draft&per_page=2", "", officer)
			if res.StatusCode != 200 || !strings.Contains(body, `"total":3`) || !strings.Contains(body, `"next_page":2`) {
				t.Fatalf("list drafts: %d %s", res.StatusCode, body)
			}
			res, body = apptest.Do(t, "GET", api+"/publication-risks?today=2026-03-20", "", officer)
			if res.StatusCode != 200 || !strings.Contains(body, `"overdue":true`) {
				t.Fatalf("risks: %d %s", res.StatusCode, body)
			}

			// Categories: public tree; admin edits.
			res, body = apptest.Get(t, api+"/categories")
			if res.StatusCode != 200 || !strings.Contains(body, `"code":"policy.rules","name":"规章"`) || !strings.Contains(body, `"topics":[`) {
				t.Fatalf("categories: %d %s", res.StatusCode, body)
			}
			if res, body = apptest.Do(t, "POST", api+"/categories", `{"code":"elderly_care.subsidies","name":"养老补贴"}`, alice); res.StatusCode != 201 {
				t.Fatalf("add category: %d %s", res.StatusCode, body)
			}
			if res, body = apptest.Do(t, "DELETE", api+"/categories/elderly_care", "", alice); res.StatusCode != 409 {
				t.Fatalf("delete non-empty category: %d %s", res.StatusCode, body)
			}
		})
	}
}
