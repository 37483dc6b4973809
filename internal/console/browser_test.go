package console_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/browsertest"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// browser is a Chromium tab on a booted application.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func (b *browser) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	browsertest.Step(b.t, b.ctx, what, actions...)
}

func (b *browser) open(path string) int {
	b.t.Helper()
	return browsertest.Open(b.t, b.ctx, b.base+path)
}

func (b *browser) submit(what, sel string) int {
	b.t.Helper()
	return browsertest.Submit(b.t, b.ctx, what, sel)
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return browsertest.Text(b.t, b.ctx, sel)
}

func (b *browser) path() string {
	b.t.Helper()
	return strings.TrimPrefix(browsertest.Location(b.t, b.ctx), b.base)
}

func (b *browser) js(expr string) bool {
	b.t.Helper()
	return browsertest.Eval[bool](b.t, b.ctx, expr)
}

func (b *browser) want(what, got, want string) {
	b.t.Helper()
	if got != want {
		b.t.Fatalf("%s: got %q, want %q", what, got, want)
	}
}

func (b *browser) wantIn(what, got, want string) {
	b.t.Helper()
	if !strings.Contains(got, want) {
		b.t.Fatalf("%s: %q does not contain %q", what, got, want)
	}
}

// TestConsoleInABrowser walks the console in Chromium as the platform admin:
// sign in (a wrong password first), the home, switch bureau, every area,
// add a member (a bad password first), change the member's roles, an API
// token shown once and revoked, removing the member, a request with a
// letter, the audit log, keyboard and narrow screens, English, sign out.
func TestConsoleInABrowser(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect)
			b := &browser{t: t, ctx: browsertest.New(t), base: a.URL()}
			b.walk()
		})
	}
}

func (b *browser) walk() {
	t := b.t
	// Sign in: a wrong password is refused next to the form, the name stays.
	b.open("/console/")
	b.wantIn("redirect to sign-in", b.path(), "/console/login")
	b.want("sign-in heading", b.text("h1"), "登录")
	b.step("wrong password", chromedp.SendKeys(chromedp.CSS("#username"), "admin"), chromedp.SendKeys(chromedp.CSS("#password"), "wrong-password-1A"))
	if status := b.submit("sign in", "#login-submit"); status != 401 {
		t.Fatalf("wrong password: status %d", status)
	}
	b.want("bad sign-in message", b.text("#form-error"), "用户名或密码错误。")
	b.want("user name kept", browsertest.Value(t, b.ctx, "#username"), "admin")
	b.step("right password", chromedp.SetValue(chromedp.CSS("#password"), apptest.AdminPassword))
	b.submit("sign in", "#login-submit")
	b.want("home", b.path(), "/console/civil-affairs/")
	b.want("home heading", b.text("h1"), "工作台")
	b.want("home bureau", b.text("#home-bureau"), "营口市民政局")
	b.want("home roles", b.text("#home-roles"), "平台管理员")
	b.wantIn("empty state says what to do", b.text("#main"), "没有超期的申请。")
	if !b.js(`document.documentElement.lang === "zh-CN"`) {
		t.Fatal("html lang is not zh-CN")
	}

	// Keyboard: the first Tab reaches the skip link, Enter moves to the content.
	b.step("tab", chromedp.KeyEvent(kb.Tab))
	if !b.js(`document.activeElement.classList.contains("skip")`) {
		t.Fatal("the first Tab does not reach the skip link")
	}
	b.step("enter", chromedp.KeyEvent(kb.Enter))
	if !b.js(`document.activeElement.id === "main"`) {
		t.Fatal("the skip link does not move focus to the content")
	}

	// Switch bureau, and back keeping the area.
	b.step("choose bureau", chromedp.SetValue(chromedp.CSS("#bureau"), "welfare-home"))
	b.submit("switch", "form.switcher button")
	b.want("after switching", b.path(), "/console/welfare-home/")
	b.want("switched bureau", b.text("#home-bureau"), "营口市养老院")
	b.open("/console/welfare-home/members")
	b.step("choose bureau", chromedp.SetValue(chromedp.CSS("#bureau"), "civil-affairs"))
	b.submit("switch back", "form.switcher button")
	b.want("switch keeps the area", b.path(), "/console/civil-affairs/members")

	// Every area, through the navigation.
	labels := browsertest.Eval[[]string](t, b.ctx, `[...document.querySelectorAll("nav.areas a")].map(a => a.textContent)`)
	wantLabels := []string{"工作台", "主动公开目录", "依申请公开", "复议诉讼", "咨询登记", "年度报告", "统计监督", "全市年度报告", "用户与角色", "审计日志", "Webhook 推送", "提醒设置", "设置"}
	if !slices.Equal(labels, wantLabels) {
		t.Fatalf("navigation %q, want %q", labels, wantLabels)
	}
	hrefs := browsertest.Eval[[]string](t, b.ctx, `[...document.querySelectorAll("nav.areas a")].map(a => a.getAttribute("href"))`)
	for i, href := range hrefs {
		if status := b.submit("open "+labels[i], `nav.areas a[href="`+href+`"]`); status != 200 {
			t.Fatalf("area %s: status %d", labels[i], status)
		}
		b.want("current area "+labels[i], b.text(`nav.areas a[aria-current="page"]`), labels[i])
		b.want("heading of "+labels[i], b.text("h1"), labels[i])
	}

	// Narrow screens (a tablet, 200% zoom of a 1280-pixel window): nothing
	// scrolls sideways but wide tables inside their own box.
	for _, width := range []int64{768, 640} {
		browsertest.Viewport(t, b.ctx, width, 900)
		for _, path := range []string{"/console/civil-affairs/", "/console/civil-affairs/members", "/console/civil-affairs/audit", "/console/settings"} {
			b.open(path)
			if !b.js(`document.documentElement.scrollWidth <= window.innerWidth`) {
				t.Fatalf("%s scrolls sideways at %dpx", path, width)
			}
		}
	}
	browsertest.Viewport(t, b.ctx, 1280, 900)

	// Add a member: a weak password is refused next to the field, the typed values stay.
	b.open("/console/civil-affairs/members")
	b.step("fill member", chromedp.SendKeys(chromedp.CSS("#m-username"), "zhaolei"), chromedp.SendKeys(chromedp.CSS("#m-display"), "赵磊"),
		chromedp.SendKeys(chromedp.CSS("#m-password"), "short"), chromedp.Click(chromedp.CSS(`form[action$="/members"] input[value=info_officer]`)))
	if status := b.submit("add member", "#add-member"); status != 422 {
		t.Fatalf("weak password: status %d", status)
	}
	b.want("password error", b.text("#m-password-error"), "密码至少需要12个字符（当前5个）。")
	b.want("typed name kept", browsertest.Value(t, b.ctx, "#m-display"), "赵磊")
	if !b.js(`document.querySelector('form[action$="/members"] input[value=info_officer]').checked`) {
		t.Fatal("ticked role lost")
	}
	if !b.js(`document.getElementById("m-password").getAttribute("aria-invalid") === "true"`) {
		t.Fatal("the field is not marked invalid")
	}
	b.step("fix password", chromedp.SetValue(chromedp.CSS("#m-password"), goodPassword))
	b.submit("add member", "#add-member")
	b.want("after adding", b.path(), "/console/civil-affairs/members")
	b.wantIn("flash", b.text("#flash"), "zhaolei")
	b.want("new member's roles", b.text("#member-zhaolei .roles"), "信息员")

	// Make the new member a reviewer too.
	b.step("open role editor", chromedp.Click(chromedp.CSS("#member-zhaolei summary")))
	b.step("tick reviewer", chromedp.Click(chromedp.CSS(`#member-zhaolei input[value=reviewer]`)))
	b.submit("change roles", "#member-zhaolei details button")
	b.want("after role change", b.text("#member-zhaolei .roles"), "信息员、保密审查员")

	// An API token: the secret once, with its warning; then revoked after a confirmation.
	b.step("token", chromedp.SendKeys(chromedp.CSS("#t-name"), "市政务服务平台"))
	b.submit("create token", "#create-token")
	secret := b.text("#token-secret")
	if !strings.HasPrefix(secret, "gk_") {
		t.Fatalf("token secret %q", secret)
	}
	b.wantIn("warning", b.text(".secret"), "只显示这一次")
	if !b.js(`!document.querySelector("button.copy").hidden`) {
		t.Fatal("the copy button (console.js) is not shown")
	}
	b.wantIn("token listed", b.text("#token-list"), "市政务服务平台")
	b.open("/console/civil-affairs/members")
	if b.js(`document.getElementById("token-secret") !== null`) || strings.Contains(b.text("body"), secret) {
		t.Fatal("the secret is shown again")
	}
	b.submit("revoke", "#token-list a.danger-link")
	b.wantIn("revoke confirmation", b.text("#confirm-message"), "市政务服务平台")
	b.submit("confirm revoke", "#confirm")
	b.wantIn("revoked", b.text("#flash"), "已吊销令牌")
	b.wantIn("token state", b.text("#token-list tbody tr"), "已吊销")

	// Remove the member, after a confirmation page.
	b.submit("remove", "#member-zhaolei a.danger-link")
	b.want("confirmation heading", b.text("h1"), "移出本单位")
	b.wantIn("confirmation", b.text("#confirm-message"), "赵磊（zhaolei）")
	b.submit("confirm removal", "#confirm")
	b.wantIn("removed", b.text("#flash"), "zhaolei")
	if b.js(`document.getElementById("member-zhaolei") !== null`) {
		t.Fatal("the removed member is still listed")
	}

	// A request from registration to reply, with a letter.
	b.open("/console/civil-affairs/requests/new")
	b.step("fill request", chromedp.SetValue(chromedp.CSS("#arrived_on"), "2026-02-13"), chromedp.SendKeys(chromedp.CSS("#name"), "王五"),
		chromedp.SendKeys(chromedp.CSS("#phone"), "13800000000"))
	b.submit("register without content", "#register")
	if msg := b.text("#content-error"); msg == "" {
		t.Fatal("no error next to the missing content")
	}
	b.step("content", chromedp.SendKeys(chromedp.CSS("#content"), "申请公开2025年养老服务补贴发放情况"))
	b.submit("register", "#register")
	b.wantIn("due date with weekday", b.text("table.meta"), "2026年3月19日 星期四")
	b.step("letter", chromedp.SetValue(chromedp.CSS("#sent-on"), "2026-02-14"))
	b.submit("issue acknowledgement", "#issue-letter")
	b.submit("open letter", `a[href*="/letters/"]`)
	letter := b.text("article.letter")
	b.wantIn("letter number", letter, "营口市民政局依申〔2026〕1号")
	b.wantIn("letter applicant", letter, "王五")
	b.submit("back", `p.noprint a`)
	b.step("reply", chromedp.SetValue(chromedp.CSS("#reply-on"), "2026-03-02"), chromedp.SetValue(chromedp.CSS("#outcome"), "granted"))
	b.submit("reply", "#reply")
	b.wantIn("after reply", b.text("h1"), "已答复")
	// The reply letter, with the next document number and the outcome.
	b.step("reply letter", chromedp.SetValue(chromedp.CSS("#letter-kind"), "reply"), chromedp.SetValue(chromedp.CSS("#sent-on"), "2026-03-02"))
	b.submit("issue reply letter", "#issue-letter")
	b.submit("open reply letter", `a[href$="/letters/2"]`)
	reply := b.text("article.letter")
	b.wantIn("reply letter number", reply, "营口市民政局依申〔2026〕2号")
	b.wantIn("reply letter outcome", reply, "（一）予以公开")
	b.submit("back", `p.noprint a`)

	// The audit log has what happened, with a CSV export.
	b.open("/console/civil-affairs/audit")
	audit := b.text("#audit")
	for _, want := range []string{"添加成员", "修改角色", "创建 API 令牌", "吊销 API 令牌", "登记申请"} {
		b.wantIn("audit log", audit, want)
	}
	b.step("filter", chromedp.SendKeys(chromedp.CSS("#a-action"), "token.created"))
	b.submit("filter", "#audit-filter")
	if n := browsertest.Eval[int](t, b.ctx, `document.querySelectorAll("#audit tbody tr").length`); n != 1 {
		t.Fatalf("filtered audit log has %d rows", n)
	}
	b.wantIn("CSV link", browsertest.Get(t, b.ctx, "csv href", chromedp.AttributeValue(chromedp.CSS("#audit-csv"), "href")).Value, "/audit.csv?action=token.created")

	// English.
	b.open("/console/settings")
	b.step("English", chromedp.SetValue(chromedp.CSS("#locale"), "en"))
	b.submit("save language", "#save-language")
	b.want("English heading", b.text("h1"), "Settings")
	b.want("English flash", b.text("#flash"), "Language saved.")
	if !b.js(`document.documentElement.lang === "en"`) {
		t.Fatal("html lang is not en")
	}
	b.open("/console/civil-affairs/")
	b.wantIn("English navigation", b.text("nav.areas"), "Disclosure requests")
	b.want("English roles", b.text("#home-roles"), "Platform admin")
	b.wantIn("English bureau name", b.text("#home-bureau"), "Yingkou Civil Affairs Bureau")
	b.open("/console/civil-affairs/requests?state=all")
	b.wantIn("English dates", b.text("#worklist"), "Thu 19 Mar 2026")

	// Sign out.
	b.submit("sign out", "#logout")
	b.wantIn("after sign-out", b.path(), "/console/login")
	if status := b.open("/console/civil-affairs/"); status != 200 || !strings.HasPrefix(b.path(), "/console/login") {
		t.Fatalf("signed out, the console still opens: %d %s", status, b.path())
	}
}

// TestScreenshots writes PNGs of the main pages to docs/screenshots/, for
// the README:
//
//	GONGKAI_SCREENSHOTS=1 go test ./internal/console/ -run TestScreenshots
//
// It needs Chromium and a CJK font (apt-get install -y chromium fonts-noto-cjk).
func TestScreenshots(t *testing.T) {
	if os.Getenv("GONGKAI_SCREENSHOTS") != "1" {
		t.Skip("GONGKAI_SCREENSHOTS=1 writes the screenshots")
	}
	a := apptest.Boot(t, db.SQLite)
	seedForScreenshots(t, a)
	b := &browser{t: t, ctx: browsertest.New(t), base: a.URL()}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	shot := func(name, path string) {
		t.Helper()
		if status := b.open(path); status != 200 {
			t.Fatalf("%s: status %d", path, status)
		}
		browsertest.Screenshot(t, b.ctx, filepath.Join(dir, name+".png"))
	}
	shot("portal-home", "/")
	shot("portal-guide", "/b/civil-affairs/")
	shot("portal-apply", "/b/civil-affairs/apply")
	shot("console-login", "/console/login")
	b.step("sign in", chromedp.SendKeys(chromedp.CSS("#username"), "wangfang"), chromedp.SendKeys(chromedp.CSS("#password"), goodPassword))
	b.submit("sign in", "#login-submit")
	shot("console-home", "/console/civil-affairs/")
	shot("console-requests", "/console/civil-affairs/requests?state=all")
	shot("console-members", "/console/civil-affairs/members")
	shot("console-audit", "/console/civil-affairs/audit")
	shot("console-settings", "/console/settings")
}

// seedForScreenshots gives the civil affairs bureau a few people, a token
// and requests (one overdue, one due soon), so the pages show what they
// look like in use.
func seedForScreenshots(t *testing.T, a *app.App) {
	t.Helper()
	ctx := authz.WithActor(context.Background(), authz.System)
	bureau, err := a.Tenants.BySlug(ctx, "civil-affairs")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []identity.NewMember{
		{Username: "wangfang", DisplayName: "王芳", Email: "wangfang@mzj.yingkou.example", Roles: []string{authz.BureauAdmin}},
		{Username: "liqiang", DisplayName: "李强", Email: "liqiang@mzj.yingkou.example", Roles: []string{authz.InfoOfficer}},
		{Username: "zhangmin", DisplayName: "张敏", Email: "zhangmin@mzj.yingkou.example", Roles: []string{authz.Reviewer}},
		{Username: "chenjing", DisplayName: "陈静", Roles: []string{authz.InfoOfficer, authz.Reviewer}},
		{Username: "zhoujie", DisplayName: "周杰", Roles: []string{authz.Viewer}},
	} {
		m.Password = goodPassword
		if _, err := a.Identity.AddMember(ctx, bureau.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	admin, err := a.Identity.UserByUsername(ctx, "wangfang")
	if err != nil {
		t.Fatal(err)
	}
	actx := authz.WithActor(context.Background(), authz.Actor{Subject: admin.Subject(), UserID: admin.ID, Name: admin.DisplayName, TenantID: bureau.ID, IP: "10.20.1.15"})
	if _, _, err := a.Identity.CreateToken(actx, bureau.ID, "市政务服务网", authz.Viewer, nil); err != nil {
		t.Fatal(err)
	}
	today := workday.FromTime(time.Now(), workday.ChinaTime)
	for _, r := range []struct {
		name, content string
		daysAgo       int
	}{
		{"刘洋", "申请公开2025年度城乡低保资金发放明细", 23},
		{"营口市某律师事务所", "申请公开养老机构设立许可的审查标准", 17},
		{"孙丽", "申请公开本市殡葬服务收费标准及依据", 4},
	} {
		arrived := today.AddDays(-r.daysAgo * 7 / 5) // about daysAgo working days
		applicantType := "natural_person"
		if strings.Contains(r.name, "事务所") {
			applicantType = "legal_service_institution"
		}
		if _, _, err := a.Requests.Register(actx, bureau.ID, request.NewRequest{Channel: "in_person", ArrivedOn: arrived, Content: r.content,
			Applicant: request.Applicant{Type: applicantType, Name: r.name, Phone: "0417-2800000"}}); err != nil {
			t.Fatal(err)
		}
	}
}
