package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/browsertest"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/report"
)

// TestReportInABrowser: an information officer produces the 2026 annual
// report in Chromium, rewrites the narrative, enters Table 2 figures (one
// not applicable), follows a number to the records behind it, sees an
// adjustment break an invariant and block submission, fixes it, submits
// and publishes; the public portal then shows the report, and the print
// view has the official table headers.
func TestReportInABrowser(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect)
			bureau, grantedCode := seedReportYear(t, a)
			sys := authz.WithActor(context.Background(), authz.System)
			if _, err := a.Identity.AddMember(sys, bureau, identity.NewMember{Username: "lina", DisplayName: "李娜", Password: goodPassword, Roles: []string{authz.InfoOfficer}}); err != nil {
				t.Fatal(err)
			}
			b := &browser{t: t, ctx: browsertest.New(t), base: a.URL()}

			b.open("/console/login")
			b.step("sign in", chromedp.SendKeys(chromedp.CSS("#username"), "lina"), chromedp.SendKeys(chromedp.CSS("#password"), goodPassword))
			b.submit("sign in", "#login-submit")
			b.submit("open the reports", `nav.areas a[href="/console/civil-affairs/reports"]`)
			b.want("reports heading", b.text("h1"), "年度报告")
			b.want("2026 not started", b.text("#year-2026 .state"), "未开始")
			b.wantIn("2026 due", b.text("#year-2026"), "2027年1月31日")

			// Produce.
			b.submit("produce", "#produce-2026")
			b.want("report page", b.path(), "/console/civil-affairs/reports/2026")
			b.want("produced", b.text("#flash"), "已生成2026年度报告草稿。")
			b.want("state", b.text("#report-state"), "草稿")
			b.wantIn("generated narrative", browsertest.Value(t, b.ctx, "#n-overview"), "全年新收政府信息公开申请3件")

			// Rewrite the narrative.
			overview := "2026年，营口市民政局坚持以公开为常态、不公开为例外，全年新收政府信息公开申请3件。"
			b.step("narrative", chromedp.SetValue(chromedp.CSS("#n-overview"), overview),
				chromedp.SetValue(chromedp.CSS("#n-problems"), "一是主动公开的及时性有待提高。下一步将加强培训。"))
			b.submit("save narrative", "#save-narrative")
			b.want("narrative saved", b.text("#flash"), "已保存2026年度报告的文字部分。")
			b.want("narrative kept", browsertest.Value(t, b.ctx, "#n-overview"), overview)

			// Table 2 figures: licensing entered, penalty not applicable.
			b.step("licensing", chromedp.SetValue(chromedp.CSS("#figure-licensing-value"), "12"), chromedp.SetValue(chromedp.CSS("#figure-licensing-source"), "行政审批系统"))
			b.submit("save licensing", "#save-figure-licensing")
			b.want("licensing in Table 2", b.text("#t2-licensing"), "12")
			b.step("penalty", chromedp.Click(chromedp.CSS("#figure-penalty-na")), chromedp.SetValue(chromedp.CSS("#figure-penalty-source"), "本局无行政处罚权"))
			b.submit("save penalty", "#save-figure-penalty")
			b.want("penalty not applicable", b.text("#t2-penalty"), "/")

			// A number of Table 3 leads to the records behind it.
			n := b.text("#row-granted a")
			b.submit("drill down", "#row-granted a")
			b.want("cell value", b.text("#cell-value"), n)
			b.want("records listed", b.text("#cell-listed"), n)
			b.wantIn("the granted request", b.text("#cell-requests"), grantedCode)
			b.submit("back", `a[href="/console/civil-affairs/reports/2026"]:not([aria-current])`)

			// An adjustment that breaks 一 + 二 = （七）总计 + 四 blocks submission.
			b.step("adjust", chromedp.SetValue(chromedp.CSS("#adjust-row"), "granted"), chromedp.SetValue(chromedp.CSS("#adjust-column"), "natural_person"),
				chromedp.SetValue(chromedp.CSS("#adjust-delta"), "1"), chromedp.SetValue(chromedp.CSS("#adjust-reason"), "启用前收到、本年办结的申请"))
			b.submit("save adjustment", "#save-adjustment")
			b.wantIn("violation", b.text("#violations"), "一 + 二 = （七）总计 + 四")
			b.wantIn("violation rows", b.text("#violations"), "四、结转下年度继续办理")
			if !b.js(`document.getElementById("submit-report").disabled`) {
				t.Fatal("submission is not blocked")
			}
			b.wantIn("blocked", b.text("#submit-blocked"), "修正后才能报送")
			// The fix: the request was received this year too.
			b.step("fix", chromedp.SetValue(chromedp.CSS("#adjust-row"), "new"), chromedp.SetValue(chromedp.CSS("#adjust-column"), "natural_person"),
				chromedp.SetValue(chromedp.CSS("#adjust-delta"), "1"), chromedp.SetValue(chromedp.CSS("#adjust-reason"), "启用前收到的申请"))
			b.submit("save fix", "#save-adjustment")
			if b.js(`document.getElementById("violations") !== null || document.getElementById("submit-report").disabled`) {
				t.Fatal("still blocked after the fix")
			}
			b.wantIn("adjustments listed", b.text("#adjustment-list"), "启用前收到的申请")

			// Submit and publish.
			b.submit("submit", "#submit-report")
			b.want("submitted", b.text("#report-state"), "已报送")
			b.want("submitted flash", b.text("#flash"), "2026年度报告已报送政务公开办。")
			b.submit("publish", "#publish-report")
			b.want("published", b.text("#report-state"), "已公开")
			if b.js(`document.querySelector("textarea, #save-figure-licensing, #save-adjustment, #submit-report") !== null`) {
				t.Fatal("the published report can still be edited")
			}
			b.wantIn("published narrative", b.text("#text-overview"), overview)
			vs, err := a.Reports.Versions(sys, bureau)
			if err != nil || len(vs) != 1 || vs[0].State != report.StatePublished || vs[0].Narrative[report.SectionOverview] != overview {
				t.Fatalf("in the database: %+v %v", vs, err)
			}

			// The public portal.
			b.open("/b/civil-affairs/reports")
			b.submit("open the published report", `a[href="/b/civil-affairs/reports/2026?v=1"]`)
			b.want("portal title", b.text("h1"), "营口市民政局2026年政府信息公开工作年度报告")
			b.wantIn("portal narrative", b.text("body"), overview)
			b.wantIn("portal Table 2", b.text("body"), "行政许可")

			// The print view has the official headers.
			b.open("/console/civil-affairs/reports/2026/print")
			headers := strings.Join(browsertest.Eval[[]string](t, b.ctx, `[...document.querySelectorAll("th")].map(th => th.textContent)`), "|")
			for _, h := range []string{"第二十条第（一）项", "本年制发件数", "本年收费金额（单位：万元）", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
				"申请人情况", "法人或其他组织", "商业企业", "行政复议", "未经复议直接起诉", "复议后起诉", "结果维持", "尚未审结"} {
				b.wantIn("print header", headers, h)
			}
			b.wantIn("print results", b.text("body"), "三、本年度办理结果")
			if !b.js(`[...document.styleSheets].some(s => [...s.cssRules].some(r => r.cssText.includes("@page")))`) {
				t.Fatal("the print view has no page styles")
			}
		})
	}
}
