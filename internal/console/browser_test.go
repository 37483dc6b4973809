package console_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/apptest"
	"gongkai/internal/browsertest"
	"gongkai/internal/db"
)

// TestConsoleInABrowser walks the console as a bureau admin would: sign in,
// see the home, switch bureau, visit every area, add a member (first with a
// bad password), change a role, create a token, take a request from
// registration to reply with a letter, switch to English, sign out.
func TestConsoleInABrowser(t *testing.T) {
	t.Parallel()
	a := apptest.Boot(t, db.SQLite)
	ctx := browsertest.New(t)
	base := a.URL()
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		browsertest.Step(t, ctx, what, actions...)
	}
	submit := func(what, sel string) { browsertest.Submit(t, ctx, what, sel) }
	text := func(sel string) string { return browsertest.Text(t, ctx, sel) }

	step("open console", chromedp.Navigate(base+"/console/"))
	if h := text("h1"); h != "登录" {
		t.Fatalf("not on the login page: %q", h)
	}
	step("wrong password", chromedp.SendKeys(chromedp.CSS("#username"), "admin"), chromedp.SendKeys(chromedp.CSS("#password"), "wrong-password-1A"))
	submit("sign in", "#login-submit")
	if msg := text("#form-error"); msg != "用户名或密码错误。" {
		t.Fatalf("bad sign-in message %q", msg)
	}
	step("right password", chromedp.SetValue(chromedp.CSS("#password"), apptest.AdminPassword))
	submit("sign in", "#login-submit")
	if h := text("h1"); !strings.Contains(h, "工作台") {
		t.Fatalf("home heading %q", h)
	}

	// Switch to the welfare home and back.
	step("choose bureau", chromedp.SetValue(chromedp.CSS("#bureau"), "welfare-home"))
	submit("switch", "form.switcher button")
	if h := text("h1"); !strings.Contains(h, "营口市养老院") {
		t.Fatalf("after switching: %q", h)
	}
	step("choose bureau", chromedp.SetValue(chromedp.CSS("#bureau"), "civil-affairs"))
	submit("switch", "form.switcher button")

	// Every area answers.
	for _, area := range []string{"catalog", "requests", "appeals", "inquiries", "reports", "oversight", "members", "audit", "settings"} {
		step("visit "+area, chromedp.Navigate(base+"/console/"+area))
		if h := text("h1"); h == "" || strings.Contains(h, "出错了") {
			t.Fatalf("area %s: %q", area, h)
		}
	}

	// Add a member: a weak password is refused next to the field, the typed values stay.
	step("members", chromedp.Navigate(base+"/console/members"))
	step("fill member", chromedp.SendKeys(chromedp.CSS("#m-username"), "zhaolei"), chromedp.SendKeys(chromedp.CSS("#m-display"), "赵磊"),
		chromedp.SendKeys(chromedp.CSS("#m-password"), "short"), chromedp.Click(chromedp.CSS(`input[name=roles][value=info_officer]`)))
	submit("add member", "#add-member")
	if msg := text("#m-password-error"); !strings.Contains(msg, "at least 12") {
		t.Fatalf("password error %q", msg)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#m-display"))); v != "赵磊" {
		t.Fatalf("typed name lost: %q", v)
	}
	step("fix password", chromedp.SetValue(chromedp.CSS("#m-password"), "Correct-Horse-9-Battery"))
	submit("add member", "#add-member")
	if table := text("#members"); !strings.Contains(table, "zhaolei") || !strings.Contains(table, "信息员") {
		t.Fatalf("member table: %q", table)
	}
	// Make the new member a reviewer too.
	step("tick reviewer", chromedp.Click(chromedp.CSS(`form[action="/console/members/zhaolei/roles"] input[value=reviewer]`)))
	submit("change roles", `form[action="/console/members/zhaolei/roles"] button`)
	if table := text("#members"); !strings.Contains(table, "保密审查员") {
		t.Fatalf("after role change: %q", table)
	}
	// An API token, shown once.
	step("token", chromedp.SendKeys(chromedp.CSS("#t-name"), "市政务服务平台"))
	submit("create token", "#create-token")
	if secret := text("#token-secret"); !strings.HasPrefix(secret, "gk_") {
		t.Fatalf("token secret %q", secret)
	}

	// A request from registration to reply, with a letter.
	step("new request", chromedp.Navigate(base+"/console/requests/new"))
	step("fill request", chromedp.SetValue(chromedp.CSS("#arrived_on"), "2026-02-13"), chromedp.SendKeys(chromedp.CSS("#name"), "王五"),
		chromedp.SendKeys(chromedp.CSS("#phone"), "13800000000"))
	submit("register without content", "#register")
	if msg := text("#content-error"); msg == "" {
		t.Fatal("no error next to the missing content")
	}
	step("content", chromedp.SendKeys(chromedp.CSS("#content"), "申请公开2025年养老服务补贴发放情况"))
	submit("register", "#register")
	if due := text("table.meta"); !strings.Contains(due, "2026年3月19日 星期四") {
		t.Fatalf("due date not shown with the weekday: %q", due)
	}
	step("letter", chromedp.SetValue(chromedp.CSS("#sent-on"), "2026-02-14"))
	submit("issue acknowledgement", "#issue-letter")
	step("open letter", chromedp.Click(chromedp.CSS(`a[href*="/letters/"]`)), chromedp.WaitVisible(chromedp.CSS("article.letter")))
	if letter := text("article.letter"); !strings.Contains(letter, "营口市民政局依申〔2026〕1号") || !strings.Contains(letter, "王五") {
		t.Fatalf("letter: %q", letter)
	}
	step("back", chromedp.Click(chromedp.CSS(`p.noprint a`)), chromedp.WaitVisible(chromedp.CSS("#reply")))
	step("reply", chromedp.SetValue(chromedp.CSS("#reply-on"), "2026-03-02"), chromedp.SetValue(chromedp.CSS("#outcome"), "granted"))
	submit("reply", "#reply")
	if h := text("h1"); !strings.Contains(h, "已答复") {
		t.Fatalf("after reply: %q", h)
	}

	// English.
	step("settings", chromedp.Navigate(base+"/console/settings"), chromedp.SetValue(chromedp.CSS("#locale"), "en"))
	submit("save language", "#save-language")
	if h := text("h1"); h != "Settings" {
		t.Fatalf("English heading %q", h)
	}
	step("requests in English", chromedp.Navigate(base+"/console/requests"))
	if h := text("nav.areas"); !strings.Contains(h, "Disclosure requests") {
		t.Fatalf("English navigation %q", h)
	}
	submit("sign out", `form[action="/console/logout"] button`)
	if h := text("h1"); h != "登录" && h != "Sign in" {
		t.Fatalf("after sign-out: %q", h)
	}

	if os.Getenv("GONGKAI_SCREENSHOTS") == "1" {
		screenshots(t, ctx, a.URL())
	}
}

// screenshots writes PNGs of the main pages to docs/screenshots/
// (GONGKAI_SCREENSHOTS=1 go test ./internal/console/ -run TestConsoleInABrowser).
func screenshots(t *testing.T, ctx context.Context, base string) {
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := func(name, url string) {
		browsertest.Step(t, ctx, "open "+name, chromedp.Navigate(url))
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	shot("portal-home", base+"/")
	shot("portal-guide", base+"/b/civil-affairs/")
	shot("portal-apply", base+"/b/civil-affairs/apply")
	shot("console-login", base+"/console/login")
	browsertest.Step(t, ctx, "sign in", chromedp.SendKeys(chromedp.CSS("#username"), "admin"), chromedp.SendKeys(chromedp.CSS("#password"), apptest.AdminPassword))
	browsertest.Submit(t, ctx, "sign in", "#login-submit")
	browsertest.Step(t, ctx, "chinese", chromedp.Navigate(base+"/console/settings"), chromedp.SetValue(chromedp.CSS("#locale"), "zh-CN"))
	browsertest.Submit(t, ctx, "save", "#save-language")
	shot("console-home", base+"/console/")
	shot("console-requests", base+"/console/requests?state=all")
	shot("console-members", base+"/console/members")
	shot("console-audit", base+"/console/audit")
}
