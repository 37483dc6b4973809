package console_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/browsertest"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
)

// TestCityReportInABrowser: the overseer drafts the 2026 city report in
// Chromium, writes section 五, publishes it and follows the link to the
// public portal, where the published text is.
func TestCityReportInABrowser(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect)
			sys := authz.WithActor(context.Background(), authz.System)
			if _, err := a.Identity.AddMember(sys, 0, identity.NewMember{Username: "olga", DisplayName: "Olga", Password: goodPassword, Roles: []string{authz.CityOverseer}}); err != nil {
				t.Fatal(err)
			}
			b := &browser{t: t, ctx: browsertest.New(t), base: a.URL()}
			b.open("/console/login")
			b.step("sign in", chromedp.SendKeys(chromedp.CSS("#username"), "olga"), chromedp.SendKeys(chromedp.CSS("#password"), goodPassword))
			b.submit("sign in", "#login-submit")

			if status := b.submit("open the city report", `nav.areas a[href$="/city-report"]`); status != 200 {
				t.Fatalf("city report page: %d", status)
			}
			b.want("heading", b.text("h1"), "全市年度报告")
			b.open("/console/civil-affairs/city-report?year=2026")
			b.want("state before", b.text("#city-state"), "尚未起草")
			b.submit("create the draft", "#create-draft")
			b.want("drafted", b.text("#flash"), "已生成第1版报告草稿。")
			b.want("state", b.text("#city-state"), "草稿 · 第1版")
			b.wantIn("checks", b.text("#no-violations"), "符合勾稽关系")

			b.step("write section 5", chromedp.SetValue(chromedp.CSS("#narrative-problems"), "全市依申请公开答复质量仍需提高。"))
			b.submit("save", "#save-narrative")
			b.want("saved", b.text("#flash"), "报告正文已保存。")
			b.wantIn("preview", b.text("#document"), "全市依申请公开答复质量仍需提高。")

			b.submit("publish", "#publish")
			b.want("published", b.text("#flash"), "第1版报告已在门户网站公开。")
			b.want("state after", b.text("#city-state"), "已公开 · 第1版")
			pub, err := a.Oversight.CityPublished(context.Background(), 2026)
			if err != nil || len(pub) != 1 || pub[0].Narrative["problems"] != "全市依申请公开答复质量仍需提高。" || pub[0].PublishedBy != "Olga" {
				t.Fatalf("stored: %v %+v", err, pub)
			}

			if status := b.submit("to the portal", "#portal-link"); status != 200 {
				t.Fatalf("portal: %d", status)
			}
			b.want("portal address", b.path(), "/city/reports/2026")
			b.wantIn("portal title", b.text("h1"), "营口市政务公开办公室2026年政府信息公开工作年度报告")
			b.wantIn("portal text", b.text("body"), "全市依申请公开答复质量仍需提高。")
		})
	}
}
