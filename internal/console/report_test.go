package console_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gongkai/internal/app"
	"gongkai/internal/appeal"
	"gongkai/internal/authz"
	"gongkai/internal/dbtest"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

// seedReportYear gives the civil affairs bureau a few 2026 requests (one
// granted, two open at the year's end) and a pending reconsideration case.
// It returns the bureau's id and the tracking code of the granted request.
func seedReportYear(t *testing.T, a *app.App) (int64, string) {
	t.Helper()
	ctx := authz.WithActor(context.Background(), authz.System)
	b, err := a.Tenants.BySlug(ctx, "civil-affairs")
	if err != nil {
		t.Fatal(err)
	}
	var granted string
	for i, typ := range []string{"natural_person", "natural_person", "commercial_enterprise"} {
		rq, _, err := a.Requests.Register(ctx, b.ID, request.NewRequest{Channel: "in_person", ArrivedOn: workday.MustParseDate("2026-03-02"),
			Applicant: request.Applicant{Type: typ, Name: "申请人" + string(rune('甲'+i)), Phone: "13800000000"}, Content: "申请公开2025年养老服务补贴发放情况"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			granted = rq.TrackingCode
			if _, err := a.Requests.Reply(ctx, b.ID, rq.ID, request.Reply{On: workday.MustParseDate("2026-03-20"), Outcome: "granted", Text: "予以公开"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := a.Appeals.Create(ctx, b.ID, appeal.NewCase{CaseNo: "营政复〔2026〕7号", Body: "营口市人民政府", Kind: appeal.Reconsideration, FiledOn: workday.MustParseDate("2026-05-06")}); err != nil {
		t.Fatal(err)
	}
	return b.ID, granted
}

var (
	stateP      = regexp.MustCompile(`id="report-state">([^<]*)<`)
	cellValueP  = regexp.MustCompile(`id="cell-value">(\d+)<`)
	cellListedP = regexp.MustCompile(`id="cell-listed">(\d+)<`)
)

// cellInTable returns the number and link of the first cell (自然人) of a
// Table 3 row on the report page.
func cellInTable(t *testing.T, body, row string) (string, string) {
	t.Helper()
	m := regexp.MustCompile(`<tr id="row-` + row + `">.*?<td(?: class="bad")?><a href="([^"]+)">(\d+)</a>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("row %s not in Table 3", row)
	}
	return m[2], html.UnescapeString(m[1])
}

// TestReportConsole walks the annual report in the console over HTTP on
// both databases: produce, edit the narrative, enter figures (one refused),
// an adjustment that breaks an invariant and blocks submission, the fix,
// submit, publish, the portal, read-only afterwards, a correction, the
// drill-down, the print view and downloads, and a viewer's refusal.
func TestReportConsole(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := setup(t, dialect, map[string]map[string][]string{
				"lina": {"civil-affairs": {authz.InfoOfficer}},
				"vic":  {"civil-affairs": {authz.Viewer}},
			})
			bureau, grantedCode := seedReportYear(t, s.app)
			sys := authz.WithActor(context.Background(), authz.System)
			stateInDB := func() (string, int) {
				t.Helper()
				vs, err := s.app.Reports.Versions(sys, bureau)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range vs {
					if v.Year == 2026 {
						return v.State, v.Version
					}
				}
				return "none", 0
			}
			const base = "/console/civil-affairs/reports"
			c := s.signIn("lina", goodPassword)

			// The index: 2026 not started, due 31 January 2027, produce it.
			res, body := s.get(c, base)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="produce-2026"`) || !strings.Contains(body, "2027年1月31日") {
				t.Fatalf("index: %d", res.StatusCode)
			}
			if !regexp.MustCompile(`(?s)id="year-2026".*?<td class="state">未开始`).MatchString(body) {
				t.Fatal("2026 is not shown as not started")
			}
			csrf := csrfOf(t, body)
			post := func(path string, form url.Values) (*http.Response, string) {
				t.Helper()
				if form == nil {
					form = url.Values{}
				}
				form.Set("csrf", csrf)
				return s.post(c, base+"/2026"+path, form)
			}
			if res, _ := post("/draft", nil); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != base+"/2026" {
				t.Fatalf("produce: %d %q", res.StatusCode, res.Header.Get("Location"))
			}
			_, body = s.get(c, base+"/2026")
			if got := firstMatch(flashP, body); got != "已生成2026年度报告草稿。" {
				t.Fatalf("flash %q", got)
			}
			if got := firstMatch(stateP, body); got != "草稿" {
				t.Fatalf("state %q", got)
			}
			if !strings.Contains(body, "全年新收政府信息公开申请3件") || !strings.Contains(body, `<textarea id="n-overview"`) {
				t.Fatal("the generated narrative is not in the editor")
			}
			for _, label := range []string{"申请人情况", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "第二十条第（八）项", "本年收费金额（单位：万元）", "复议后起诉", "尚未审结"} {
				if !strings.Contains(body, label) {
					t.Errorf("the report page lacks %s", label)
				}
			}
			if st, v := stateInDB(); st != report.StateDraft || v != 1 {
				t.Fatalf("in the database: %s v%d", st, v)
			}

			// The narrative.
			overview := "2026年，本局认真贯彻落实《中华人民共和国政府信息公开条例》。"
			if res, body := post("/narrative", url.Values{"overview": {overview}, "problems": {"一是公开内容还不够全面。"}, "other": {"本年度未收取信息处理费。"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("narrative: %d %q", res.StatusCode, formError(body))
			}
			_, body = s.get(c, base+"/2026")
			if !strings.Contains(body, ">"+overview+"</textarea>") || !strings.Contains(body, ">一是公开内容还不够全面。</textarea>") {
				t.Fatal("the edited narrative is not shown")
			}

			// Figures: one entered, one not applicable, one refused.
			if res, body := post("/figures", url.Values{"key": {"licensing"}, "value": {"12"}, "source": {"行政审批系统"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("figure: %d %v %q", res.StatusCode, fieldErrors(body), formError(body))
			}
			if res, _ := post("/figures", url.Values{"key": {"penalty"}, "na": {"1"}, "source": {"本局无行政处罚权"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("not applicable: %d", res.StatusCode)
			}
			res, body = post("/figures", url.Values{"key": {"enforcement"}, "value": {""}, "source": {""}})
			if errs := fieldErrors(body); res.StatusCode != http.StatusUnprocessableEntity || errs["figure-enforcement-value"] != "请填写数字，或勾选“不适用”。" {
				t.Fatalf("empty figure: %d %v", res.StatusCode, errs)
			}
			res, body = post("/figures", url.Values{"key": {"fee_income"}, "value": {"-1"}, "source": {"财务"}})
			if errs := fieldErrors(body); res.StatusCode != http.StatusUnprocessableEntity || errs["figure-fee_income-value"] != "数值不能为负数。" {
				t.Fatalf("negative figure: %d %v", res.StatusCode, errs)
			}
			_, body = s.get(c, base+"/2026")
			if !strings.Contains(body, `id="t2-licensing">12<`) || !strings.Contains(body, `id="t2-penalty">/<`) {
				t.Fatal("Table 2 does not show the figures")
			}
			if !strings.Contains(body, `value="行政审批系统"`) {
				t.Fatal("the figure's source is not shown")
			}

			// An adjustment that breaks 一 + 二 = （七）总计 + 四 blocks submission.
			if res, body := post("/adjustments", url.Values{"row": {"granted"}, "column": {"natural_person"}, "delta": {"1"}, "reason": {"启用前收到、本年办结的申请"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("adjust: %d %v", res.StatusCode, fieldErrors(body))
			}
			_, body = s.get(c, base+"/2026")
			if !strings.Contains(body, `id="violations"`) || !strings.Contains(body, `id="submit-report" disabled`) || !strings.Contains(body, "一 &#43; 二 = （七）总计 &#43; 四") {
				t.Fatal("the violation is not shown, or submission is not blocked")
			}
			if n, _ := cellInTable(t, body, "granted"); n != "2" || !regexp.MustCompile(`<tr id="row-total">.*?<td class="bad">`).MatchString(body) {
				t.Fatalf("granted 自然人 = %s, or （七）总计 not marked", n)
			}
			res, body = post("/submit", nil)
			if res.StatusCode != http.StatusConflict || !strings.HasPrefix(formError(body), "2026年度报告有") {
				t.Fatalf("submit with a violation: %d %q", res.StatusCode, formError(body))
			}
			if st, _ := stateInDB(); st != report.StateDraft {
				t.Fatalf("submitted despite the violation: %s", st)
			}
			res, body = post("/adjustments", url.Values{"row": {"new"}, "column": {"natural_person"}, "delta": {"0"}, "reason": {""}})
			if errs := fieldErrors(body); res.StatusCode != http.StatusUnprocessableEntity || errs["adjust-delta"] != "调整数不能为0。" {
				t.Fatalf("zero adjustment: %d %v", res.StatusCode, errs)
			}
			// The fix: the request was received this year too.
			if res, _ := post("/adjustments", url.Values{"row": {"new"}, "column": {"natural_person"}, "delta": {"1"}, "reason": {"启用前收到的申请"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("fix: %d", res.StatusCode)
			}
			_, body = s.get(c, base+"/2026")
			if strings.Contains(body, `id="violations"`) || strings.Contains(body, `id="submit-report" disabled`) {
				t.Fatal("still blocked after the fix")
			}

			// Drill-down: the number in the table equals the records listed.
			n, link := cellInTable(t, body, "granted")
			res, cell := s.get(c, link)
			if res.StatusCode != http.StatusOK || firstMatch(cellValueP, cell) != n || firstMatch(cellListedP, cell) != n || !strings.Contains(cell, grantedCode) ||
				!strings.Contains(cell, "启用前收到、本年办结的申请") {
				t.Fatalf("granted 自然人 drill-down: %d value %q listed %q (table %s)", res.StatusCode, firstMatch(cellValueP, cell), firstMatch(cellListedP, cell), n)
			}
			n, link = cellInTable(t, body, "carried_forward")
			_, cell = s.get(c, link)
			if n != "1" || firstMatch(cellValueP, cell) != n || strings.Count(cell, `<tr class="record">`) != 1 {
				t.Fatalf("carried forward drill-down: table %s, page %q", n, firstMatch(cellValueP, cell))
			}
			_, cell = s.get(c, base+"/2026/cells?table=4&row=reconsideration&column=pending")
			if firstMatch(cellValueP, cell) != "1" || !strings.Contains(cell, "营政复〔2026〕7号") {
				t.Fatal("Table 4 drill-down")
			}
			if res, _ := s.get(c, base+"/2026/cells?table=3&row=nope&column=total"); res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("a cell that is not one: %d", res.StatusCode)
			}
			// The same through the API with the session.
			res, js := s.get(c, "/api/v1/bureaus/civil-affairs/reports/2026/cells?table=3&row=total&column=total")
			var recs report.CellRecords
			if err := json.Unmarshal([]byte(js), &recs); res.StatusCode != http.StatusOK || err != nil || recs.Value != 2 || recs.Listed() != 2 {
				t.Fatalf("API drill-down: %d %s", res.StatusCode, js)
			}

			// A viewer reads but cannot act.
			v := s.signIn("vic", goodPassword)
			_, vbody := s.get(v, base+"/2026")
			for _, id := range []string{`id="submit-report"`, `id="save-narrative"`, `id="save-figure-licensing"`, `id="save-adjustment"`} {
				if strings.Contains(vbody, id) {
					t.Errorf("the viewer sees %s", id)
				}
			}
			res, vbody = s.post(v, base+"/2026/submit", url.Values{"csrf": {csrfOf(t, vbody)}})
			if res.StatusCode != http.StatusForbidden || formError(vbody) == "" {
				t.Fatalf("viewer submits: %d %q", res.StatusCode, formError(vbody))
			}

			// Publish before submitting is refused with the service's reason.
			res, body = post("/publish", nil)
			if res.StatusCode != http.StatusConflict || formError(body) != "2026年度报告当前为“草稿”，不是“已报送”，不能进行此操作。" {
				t.Fatalf("publish a draft: %d %q", res.StatusCode, formError(body))
			}
			if res, body := post("/submit", nil); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("submit: %d %q", res.StatusCode, formError(body))
			}
			_, body = s.get(c, base+"/2026")
			if firstMatch(stateP, body) != "已报送" || !strings.Contains(body, `id="publish-report"`) || strings.Contains(body, "<textarea") {
				t.Fatalf("after submitting: %q", firstMatch(stateP, body))
			}
			if res, _ := post("/publish", nil); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("publish: %d", res.StatusCode)
			}
			if st, v := stateInDB(); st != report.StatePublished || v != 1 {
				t.Fatalf("in the database after publishing: %s v%d", st, v)
			}
			_, body = s.get(c, base+"/2026")
			if firstMatch(stateP, body) != "已公开" || !strings.Contains(body, `id="read-only"`) || strings.Contains(body, "<textarea") ||
				strings.Contains(body, `id="save-figure-licensing"`) || strings.Contains(body, `id="save-adjustment"`) || !strings.Contains(body, overview) {
				t.Fatal("the published report is not read-only")
			}
			res, body = post("/narrative", url.Values{"overview": {"改写"}})
			if res.StatusCode != http.StatusConflict || formError(body) != "2026年度报告当前为“已公开”，没有可编辑的草稿。" {
				t.Fatalf("edit a published report: %d %q", res.StatusCode, formError(body))
			}
			if res, _ := post("/figures", url.Values{"key": {"licensing"}, "value": {"99"}, "source": {"x"}}); res.StatusCode != http.StatusConflict {
				t.Fatalf("figure on a published report: %d", res.StatusCode)
			}
			_, body = s.get(c, base)
			if !regexp.MustCompile(`(?s)id="year-2026".*?<td class="state">已公开`).MatchString(body) {
				t.Fatal("the index does not show 2026 as published")
			}

			// The portal shows it.
			_, pub := s.get(client(), "/b/civil-affairs/reports")
			if !strings.Contains(pub, "/b/civil-affairs/reports/2026?v=1") {
				t.Fatal("the portal does not list the report")
			}
			_, pub = s.get(client(), "/b/civil-affairs/reports/2026")
			if !strings.Contains(pub, overview) || !strings.Contains(pub, "<td colspan=\"3\">12</td>") {
				t.Fatal("the portal's report lacks the narrative or the figure")
			}

			// Print view and downloads.
			res, printed := s.get(c, base+"/2026/print")
			for _, label := range []string{"营口市民政局2026年政府信息公开工作年度报告", "申请人情况", "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "第二十条第（一）项", "行政复议", "@page { size: A4"} {
				if !strings.Contains(printed, label) {
					t.Errorf("the print view lacks %s", label)
				}
			}
			if res.StatusCode != http.StatusOK {
				t.Fatalf("print: %d", res.StatusCode)
			}
			res, x := s.get(c, base+"/2026/download?format=xlsx")
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(x, "PK") || !strings.Contains(res.Header.Get("Content-Disposition"), "civil-affairs-2026-annual-report-v1.xlsx") {
				t.Fatalf("xlsx: %d %q", res.StatusCode, res.Header.Get("Content-Disposition"))
			}
			if res, csv := s.get(c, base+"/2026/download?format=csv3"); res.StatusCode != http.StatusOK || !strings.Contains(csv, "（七）总计,2,0,0,0,0,0,2") {
				t.Fatalf("csv3: %d %s", res.StatusCode, csv)
			}
			if res, _ := s.get(c, base+"/2026/download?format=doc"); res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("unknown format: %d", res.StatusCode)
			}

			// A correction is a new version; the published one stays public.
			if res, _ := post("/correct", nil); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("correct: %d", res.StatusCode)
			}
			if st, v := stateInDB(); st != report.StateDraft || v != 2 {
				t.Fatalf("after correcting: %s v%d", st, v)
			}
			_, body = s.get(c, base+"/2026")
			if firstMatch(stateP, body) != "草稿" || !strings.Contains(body, ">"+overview+"</textarea>") || !strings.Contains(body, `href="/console/civil-affairs/reports/2026?v=1"`) {
				t.Fatal("the correction draft")
			}
			_, old := s.get(c, base+"/2026?v=1")
			if firstMatch(stateP, old) != "已公开" || !strings.Contains(old, `id="old-version"`) || strings.Contains(old, "<textarea") {
				t.Fatal("version 1 is not shown read-only")
			}
			if res, _ := post("/correct", nil); res.StatusCode != http.StatusConflict {
				t.Fatalf("correct a draft: %d", res.StatusCode)
			}
			if _, pub := s.get(client(), "/b/civil-affairs/reports/2026"); !strings.Contains(pub, overview) {
				t.Fatal("the published version left the portal during the correction")
			}

			// In English.
			if res, _ := s.post(c, "/console/settings/language", url.Values{"csrf": {csrf}, "locale": {"en"}}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("language: %d", res.StatusCode)
			}
			_, body = s.get(c, base+"/2026")
			if firstMatch(stateP, body) != "Draft" || !strings.Contains(body, "<h1>Annual report 2026</h1>") || !strings.Contains(body, "Save the narrative") {
				t.Fatalf("English report page: %q", firstMatch(stateP, body))
			}
			res, body = post("/adjustments", url.Values{"row": {"new"}, "column": {"natural_person"}, "delta": {"x"}, "reason": {"r"}})
			if errs := fieldErrors(body); res.StatusCode != http.StatusUnprocessableEntity || errs["adjust-delta"] != "Enter a whole number." {
				t.Fatalf("English field error: %d %v", res.StatusCode, errs)
			}

			// The correction published: version 1 stays, marked superseded.
			for _, step := range []string{"/submit", "/publish"} {
				if res, body := post(step, nil); res.StatusCode != http.StatusSeeOther {
					t.Fatalf("correction %s: %d %q", step, res.StatusCode, formError(body))
				}
			}
			vs, err := s.app.Reports.Versions(sys, bureau)
			if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[0].State != report.StatePublished || !vs[1].Superseded || vs[1].State != report.StatePublished {
				t.Fatalf("versions after the correction: %+v %v", vs, err)
			}
			_, pub = s.get(client(), "/b/civil-affairs/reports")
			if !strings.Contains(pub, "/b/civil-affairs/reports/2026?v=2") || !strings.Contains(pub, "/b/civil-affairs/reports/2026?v=1") || !strings.Contains(pub, "已被更正版本替代") {
				t.Fatal("the portal does not list both versions")
			}
			_, body = s.get(c, base+"/2026?v=1")
			if !strings.Contains(body, "superseded by a correction") {
				t.Fatal("version 1 is not marked superseded in the console")
			}
		})
	}
}
