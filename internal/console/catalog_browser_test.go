package console_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/browsertest"
	"gongkai/internal/catalog"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/workday"
)

// TestCatalogInABrowser takes a catalog item through its life in Chromium:
// an information officer writes and submits it; a reviewer returns it with
// a comment; the officer edits and resubmits; the reviewer clears it; the
// officer publishes it, revises it (the revision, once cleared and
// published, shows as revised on the public page), finds it by searching
// 养老, and repeals it. Each step is checked on the page and in the
// database.
func TestCatalogInABrowser(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect)
			ctx := authz.WithActor(context.Background(), authz.System)
			bureau, err := a.Tenants.BySlug(ctx, "civil-affairs")
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range []identity.NewMember{
				{Username: "liqiang", DisplayName: "李强", Roles: []string{authz.InfoOfficer}},
				{Username: "zhangmin", DisplayName: "张敏", Roles: []string{authz.Reviewer}},
			} {
				m.Password = goodPassword
				if _, err := a.Identity.AddMember(ctx, bureau.ID, m); err != nil {
					t.Fatal(err)
				}
			}
			b := &browser{t: t, ctx: browsertest.New(t), base: a.URL()}
			stored := func(id int64) catalog.Item {
				t.Helper()
				d, err := a.Catalog.Get(ctx, bureau.ID, id)
				if err != nil {
					t.Fatal(err)
				}
				return d.Item
			}
			b.catalogWalk(stored)
		})
	}
}

// signInAs signs out whoever is signed in and signs in as username.
func (b *browser) signInAs(username string) {
	b.t.Helper()
	b.open("/console/login")
	if b.js(`document.getElementById("logout") !== null`) {
		b.submit("sign out", "#logout")
	}
	b.step("sign in as "+username, chromedp.SendKeys(chromedp.CSS("#username"), username), chromedp.SendKeys(chromedp.CSS("#password"), goodPassword))
	b.submit("sign in", "#login-submit")
	b.wantIn("signed in", b.path(), "/console/civil-affairs/")
}

var itemPagePath = regexp.MustCompile(`^/console/civil-affairs/catalog/items/(\d+)$`)

// itemOnPage returns the id of the item whose page is open.
func (b *browser) itemOnPage() int64 {
	b.t.Helper()
	m := itemPagePath.FindStringSubmatch(b.path())
	if m == nil {
		b.t.Fatalf("not an item page: %s", b.path())
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func (b *browser) catalogWalk(stored func(int64) catalog.Item) {
	t := b.t
	today := workday.FromTime(time.Now(), workday.ChinaTime)

	// The officer writes the item: a missing title first.
	b.signInAs("liqiang")
	b.submit("catalog area", `nav.areas a[href="/console/civil-affairs/catalog"]`)
	b.want("catalog heading", b.text("h1"), "主动公开目录")
	b.submit("new item", "#catalog-new")
	b.step("fill item", chromedp.SendKeys(chromedp.CSS("#summary"), "本市公办养老机构床位费、护理费收费标准。"),
		chromedp.SetValue(chromedp.CSS("#category"), "elderly_care"), chromedp.SetValue(chromedp.CSS("#formed_on"), today.String()),
		chromedp.SetValue(chromedp.CSS("#doc_kind"), catalog.KindNormative), chromedp.SetValue(chromedp.CSS("#basis"), "8"),
		chromedp.SendKeys(chromedp.CSS("#doc_no"), "营民发〔2026〕3号"), chromedp.SendKeys(chromedp.CSS("#body"), "<p>床位费每月800元。</p>"))
	if status := b.submit("save without title", "#save-item"); status != 422 {
		t.Fatalf("missing title: status %d", status)
	}
	b.want("title error", b.text("#title-error"), "请填写此项。")
	b.want("summary kept", browsertest.Value(t, b.ctx, "#summary"), "本市公办养老机构床位费、护理费收费标准。")
	b.want("category kept", browsertest.Value(t, b.ctx, "#category"), "elderly_care")
	b.step("title", chromedp.SendKeys(chromedp.CSS("#title"), "市养老院收费标准"))
	b.submit("save", "#save-item")
	id := b.itemOnPage()
	b.want("draft", b.text("#item-state"), "草稿")
	b.wantIn("flash", b.text("#flash"), "市养老院收费标准")
	b.wantIn("due date explained", b.text("#due-line"), "20个工作日")
	if it := stored(id); it.State != catalog.Draft || it.DocKind != catalog.KindNormative || it.Basis != 8 || it.AuthorName != "李强" {
		t.Fatalf("stored draft: %+v", it)
	}
	b.submit("submit for review", "#act-submit")
	b.want("submitted", b.text("#item-state"), "待保密审查")
	if b.js(`document.getElementById("act-approve") !== null`) {
		t.Fatal("the author is offered the review")
	}

	// The reviewer returns it with a comment.
	b.signInAs("zhangmin")
	b.open("/console/civil-affairs/catalog/items/" + strconv.FormatInt(id, 10))
	if status := b.submit("return without comment", "#act-return"); status != 422 {
		t.Fatalf("return without comment: status %d", status)
	}
	b.want("comment required", b.text("#comment-error"), "请填写意见：说明需要修改的内容或撤回的理由。")
	b.step("comment", chromedp.SendKeys(chromedp.CSS("#comment"), "请在概述中写明收费依据"))
	b.submit("return", "#act-return")
	b.want("returned", b.text("#item-state"), "草稿")
	b.wantIn("history has the comment", b.text("#history"), "请在概述中写明收费依据")
	b.wantIn("history has the reviewer", b.text("#history"), "张敏")
	if it := stored(id); it.State != catalog.Draft {
		t.Fatalf("after return: %s", it.State)
	}

	// The officer edits and resubmits; the reviewer clears it.
	b.signInAs("liqiang")
	b.open("/console/civil-affairs/catalog/items/" + strconv.FormatInt(id, 10))
	b.submit("edit", "#edit-item")
	b.step("summary", chromedp.SetValue(chromedp.CSS("#summary"), "本市公办养老机构床位费、护理费收费标准，依据营发改〔2026〕5号。"))
	b.submit("save", "#save-item")
	b.wantIn("edited", b.text("#item-meta"), "营发改〔2026〕5号")
	b.submit("resubmit", "#act-submit")
	b.want("resubmitted", b.text("#item-state"), "待保密审查")
	b.signInAs("zhangmin")
	b.open("/console/civil-affairs/catalog/items/" + strconv.FormatInt(id, 10))
	b.submit("approve", "#act-approve")
	b.want("approved", b.text("#item-state"), "审查通过")
	if it := stored(id); it.State != catalog.Approved || it.ReviewerName != "张敏" || it.ReviewedAt == nil {
		t.Fatalf("after approval: %s reviewed by %q", it.State, it.ReviewerName)
	}

	// The officer publishes: the index number appears.
	b.signInAs("liqiang")
	b.open("/console/civil-affairs/catalog/items/" + strconv.FormatInt(id, 10))
	b.submit("publish", "#act-publish")
	b.want("published", b.text("#item-state"), "已发布")
	index := stored(id).IndexNo
	if want := "112108000012358135/" + strconv.Itoa(today.Year) + "-00001"; index != want {
		t.Fatalf("index number %q, want %q", index, want)
	}
	b.want("index on the page", b.text("#item-index"), index)
	b.wantIn("flash with index", b.text("#flash"), index)

	// Revise: a revision draft, reviewed and published, replaces the content.
	b.submit("revise", "#act-revise")
	b.wantIn("revision form", b.text("#revision-note"), "修订稿")
	b.step("revised summary", chromedp.SetValue(chromedp.CSS("#summary"), "2027年起床位费每月850元，依据营发改〔2026〕5号。"))
	b.submit("save revision", "#save-item")
	rev := b.itemOnPage()
	if rev == id {
		t.Fatal("the revision is the item itself")
	}
	if it := stored(rev); it.RevisesID != id || it.State != catalog.Draft {
		t.Fatalf("revision draft: revises %d, %s", it.RevisesID, it.State)
	}
	b.submit("submit revision", "#act-submit")
	b.signInAs("zhangmin")
	b.open("/console/civil-affairs/catalog/items/" + strconv.FormatInt(rev, 10))
	b.submit("approve revision", "#act-approve")
	b.signInAs("liqiang")
	b.open("/console/civil-affairs/catalog/items/" + strconv.FormatInt(rev, 10))
	b.submit("publish revision", "#act-publish")
	if got := b.itemOnPage(); got != id {
		t.Fatalf("after publishing the revision the page is item %d, want %d", got, id)
	}
	b.wantIn("revised note", b.text("#revised-note"), "第 2 版")
	b.want("index kept", b.text("#item-index"), index)
	if it := stored(id); it.Revision != 2 || !strings.Contains(it.Summary, "850元") || it.RevisedOn.IsZero() {
		t.Fatalf("after the revision: revision %d, summary %q", it.Revision, it.Summary)
	}
	b.wantIn("revisions listed", b.text("#revisions"), "2")
	b.submit("public page", "#public-link")
	b.wantIn("public page revised", b.text("p.revised"), "修订")
	b.wantIn("public page content", b.text("main"), "850元")

	// Search 养老 finds it, highlighted.
	b.open("/console/civil-affairs/catalog")
	b.step("search", chromedp.SendKeys(chromedp.CSS("#c-q"), "养老"))
	b.submit("search", "#catalog-search")
	b.wantIn("search result", b.text("#catalog-items"), "市养老院收费标准")
	b.want("highlight", b.text("#catalog-items tbody tr mark"), "养老")
	b.wantIn("result index", b.text("#catalog-items"), index)
	b.step("search nothing", chromedp.SetValue(chromedp.CSS("#c-q"), "殡葬"))
	b.submit("search", "#catalog-search")
	b.wantIn("no result", b.text("#catalog-items"), "没有符合条件的条目")

	// Repeal.
	b.open("/console/civil-affairs/catalog/items/" + strconv.FormatInt(id, 10))
	b.step("open repeal", chromedp.Click(chromedp.CSS("#repeal summary")))
	b.step("repeal comment", chromedp.SendKeys(chromedp.CSS("#r-comment"), "政策到期"))
	b.submit("repeal", "#act-repeal")
	b.want("repealed", b.text("#item-state"), "已废止")
	b.want("validity", b.text("#item-validity"), "已废止")
	if it := stored(id); it.State != catalog.Repealed || it.Validity != catalog.ValidityRepeal {
		t.Fatalf("after repeal: %s %s", it.State, it.Validity)
	}
	b.wantIn("history", b.text("#history"), "政策到期")
}
