package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/app"
	"gongkai/internal/appeal"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/browsertest"
	"gongkai/internal/dbtest"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// TestAppealsInABrowser: in Chromium, a clerk registers a litigation case
// (a missing court first, refused next to the field), records its result,
// follows the link to the related request, registers an inquiry and sees
// the summary, and generates the report as HTML on the exports page, which
// refreshes itself until the file can be downloaded.
func TestAppealsInABrowser(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			a := apptest.Boot(t, dialect)
			b := &browser{t: t, ctx: browsertest.New(t), base: a.URL()}
			b.appeals(a)
		})
	}
}

func (b *browser) appeals(a *app.App) {
	t := b.t
	ctx := authz.WithActor(context.Background(), authz.System)
	tn, err := a.Tenants.BySlug(ctx, "civil-affairs")
	if err != nil {
		t.Fatal(err)
	}
	rq, _, err := a.Requests.Register(ctx, tn.ID, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate("2026-02-13"),
		Applicant: request.Applicant{Type: "natural_person", Name: "王五", Phone: "13800000000"}, Content: "申请公开养老服务补贴发放情况"})
	if err != nil {
		t.Fatal(err)
	}

	b.open("/console/login")
	b.step("sign in", chromedp.SendKeys(chromedp.CSS("#username"), "admin"), chromedp.SendKeys(chromedp.CSS("#password"), apptest.AdminPassword))
	b.submit("sign in", "#login-submit")

	// Register a case: without the court it is refused next to the field.
	b.submit("open appeals", `nav.areas a[href="/console/civil-affairs/appeals"]`)
	b.want("appeals heading", b.text("h1"), "复议诉讼")
	b.wantIn("empty list", b.text("#appeals"), "暂无复议诉讼案件。")
	b.step("fill case", chromedp.SendKeys(chromedp.CSS("#a-case_no"), "（2026）辽0802行初15号"), chromedp.SetValue(chromedp.CSS("#a-kind"), appeal.SuedDirectly),
		chromedp.SetValue(chromedp.CSS("#a-filed_on"), "2026-04-10"), chromedp.SendKeys(chromedp.CSS("#a-request_id"), rq.TrackingCode))
	if status := b.submit("register without court", "#register-appeal"); status != 422 {
		t.Fatalf("case without court: status %d", status)
	}
	b.want("court error", b.text("#a-body-error"), "请填写复议机关或法院。")
	b.want("case number kept", browsertest.Value(t, b.ctx, "#a-case_no"), "（2026）辽0802行初15号")
	b.want("kind kept", browsertest.Value(t, b.ctx, "#a-kind"), appeal.SuedDirectly)
	b.step("court", chromedp.SendKeys(chromedp.CSS("#a-body"), "营口市站前区人民法院"))
	b.submit("register", "#register-appeal")
	b.wantIn("case page", b.path(), "/console/civil-affairs/appeals/")
	b.wantIn("flash", b.text("#flash"), "（2026）辽0802行初15号")
	b.want("pending", b.text("#appeal-outcome"), "尚未审结")
	b.wantIn("kind shown", b.text("#appeal-meta"), "行政诉讼（未经复议直接起诉）")

	// Record the result: upheld.
	b.step("result", chromedp.SetValue(chromedp.CSS("#d-outcome"), appeal.Upheld), chromedp.SetValue(chromedp.CSS("#d-decided_on"), "2026-07-15"))
	b.submit("record result", "#decide")
	b.want("upheld", b.text("#appeal-outcome"), "结果维持")
	b.wantIn("result date", b.text("#appeal-meta"), "2026年7月15日")
	cs, err := a.Appeals.List(ctx, tn.ID)
	if err != nil || len(cs) != 1 || cs[0].Outcome != appeal.Upheld || cs[0].DecidedOn.String() != "2026-07-15" || cs[0].RequestID == nil || *cs[0].RequestID != rq.ID {
		t.Fatalf("stored cases: %+v (%v)", cs, err)
	}
	b.submit("related request", "#appeal-request")
	b.wantIn("request page", b.text("h1"), rq.TrackingCode)

	// The list, filtered by kind.
	b.open("/console/civil-affairs/appeals")
	b.step("filter", chromedp.SetValue(chromedp.CSS("#f-kind"), appeal.SuedDirectly))
	b.submit("filter", "#appeal-filter button")
	b.wantIn("filtered list", b.text("#appeals"), "结果维持")

	// Register an inquiry; the summary counts it.
	b.submit("open inquiries", `nav.areas a[href="/console/civil-affairs/inquiries"]`)
	b.want("inquiries heading", b.text("h1"), "咨询登记")
	b.want("no inquiries", b.text("#inquiry-total"), "0")
	b.step("fill inquiry", chromedp.SetValue(chromedp.CSS("#i-channel"), "online"), chromedp.SendKeys(chromedp.CSS("#i-topic"), "高龄津贴申领条件"),
		chromedp.SetValue(chromedp.CSS("#i-satisfaction"), "4"))
	b.submit("register inquiry", "#register-inquiry")
	b.want("inquiry flash", b.text("#flash"), "咨询已登记。")
	b.want("total", b.text("#inquiry-total"), "1")
	b.want("answered", b.text("#inquiry-answered"), "1")
	b.want("rate", b.text("#inquiry-rate"), "100%")
	b.wantIn("listed", b.text("#inquiries"), "高龄津贴申领条件")
	items, err := a.Inquiries.List(ctx, tn.ID, workday.Date{}, workday.Date{}, 10)
	if err != nil || len(items) != 1 || items[0].Channel != "online" || !items[0].Answered || items[0].Satisfaction == nil || *items[0].Satisfaction != 4 {
		t.Fatalf("stored inquiries: %+v (%v)", items, err)
	}

	// Generate the report as HTML: the page refreshes itself until the file is ready.
	b.open("/console/civil-affairs/reports/2026/exports")
	b.submit("generate HTML", "#generate-html")
	b.wantIn("queued", b.text("#flash"), "HTML")
	b.step("wait for the file", chromedp.WaitVisible(chromedp.CSS("#exports a.download")))
	b.wantIn("done", b.text("#exports"), "已完成")
	if b.js(`document.querySelector('meta[http-equiv="refresh"]') !== null`) {
		t.Fatal("the page still refreshes after the job is done")
	}
	es, err := a.Reports.Exports(ctx, tn.ID, 2026)
	if err != nil || len(es) != 1 || es[0].State != "done" || es[0].Progress != 100 {
		t.Fatalf("stored exports: %+v (%v)", es, err)
	}
	href := browsertest.Get(t, b.ctx, "download link", chromedp.AttributeValue(chromedp.CSS("#exports a.download"), "href"))
	if !strings.HasSuffix(href.Value, "/file") {
		t.Fatalf("download link %q", href.Value)
	}
}
