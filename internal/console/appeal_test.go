package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"gongkai/internal/appeal"
	"gongkai/internal/authz"
	"gongkai/internal/dbtest"
	"gongkai/internal/request"
	"gongkai/internal/workday"
)

var appealLocation = regexp.MustCompile(`^/console/civil-affairs/appeals/(\d+)$`)

// TestAppealAndInquiryPages: on both databases, a clerk registers a case
// (field errors next to the fields first), finds it with the filters,
// records a correction that re-opens the related request, and registers
// inquiries whose summary the page shows; a viewer sees no forms and is
// refused.
func TestAppealAndInquiryPages(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := setup(t, dialect, map[string]map[string][]string{"lihua": {"civil-affairs": {"info_officer"}}, "zhou": {"civil-affairs": {"viewer"}}})
			ctx := authz.WithActor(context.Background(), authz.System)
			tn, _ := s.app.Tenants.BySlug(ctx, "civil-affairs")
			day := workday.MustParseDate
			rq, _, err := s.app.Requests.Register(ctx, tn.ID, request.NewRequest{Channel: "in_person", ArrivedOn: day("2026-02-13"),
				Applicant: request.Applicant{Type: "natural_person", Name: "张三", Phone: "13800000000"}, Content: "申请公开低保资金发放情况"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.app.Requests.Reply(ctx, tn.ID, rq.ID, request.Reply{On: day("2026-03-02"), Outcome: "unavailable_not_held", Text: "经检索，本机关未制作或获取该信息"}); err != nil {
				t.Fatal(err)
			}
			c := s.signIn("lihua", goodPassword)
			const list = "/console/civil-affairs/appeals"
			res, body := s.get(c, list)
			if res.StatusCode != 200 || !strings.Contains(body, `id="appeal-form"`) || !strings.Contains(body, "行政诉讼（复议后起诉）") {
				t.Fatalf("appeals page: %d", res.StatusCode)
			}
			csrf := csrfOf(t, body)

			// Missing case number and body, an unknown request: errors next to the fields, values kept.
			form := url.Values{"csrf": {csrf}, "case_no": {""}, "body": {""}, "kind": {appeal.Reconsideration}, "filed_on": {"2026-04-01"}, "request_id": {"GK-NOSUCH-00000"}}
			res, body = s.post(c, list, form)
			if res.StatusCode != 422 {
				t.Fatalf("bad case: %d", res.StatusCode)
			}
			errs := fieldErrors(body)
			if errs["a-request_id"] != "本单位没有这个查询码或编号的申请。" {
				t.Fatalf("request error: %v", errs)
			}
			if !strings.Contains(body, `value="GK-NOSUCH-00000"`) {
				t.Fatal("the typed request reference is lost")
			}
			form.Set("request_id", strings.ToLower(rq.TrackingCode))
			res, body = s.post(c, list, form)
			if errs := fieldErrors(body); res.StatusCode != 422 || errs["a-case_no"] != "此项为必填项。" || errs["a-body"] != "请填写复议机关或法院。" {
				t.Fatalf("missing fields: %d %v", res.StatusCode, errs)
			}
			if formError(body) != "请修改下方标出的内容后重新提交。" {
				t.Fatal("no message above the form")
			}
			form.Set("case_no", "营政复〔2026〕12号")
			form.Set("body", "营口市人民政府")
			res, _ = s.post(c, list, form)
			m := appealLocation.FindStringSubmatch(res.Header.Get("Location"))
			if res.StatusCode != 303 || m == nil {
				t.Fatalf("register: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			casePage := m[0]
			_, body = s.get(c, casePage)
			for _, want := range []string{"案件 营政复〔2026〕12号 已登记。", "尚未审结", "行政复议", "营口市人民政府", "2026年4月1日", rq.TrackingCode, fmt.Sprintf(`href="/console/civil-affairs/requests/%d"`, rq.ID), `id="decide-form"`} {
				if !strings.Contains(body, want) {
					t.Fatalf("case page lacks %q", want)
				}
			}
			// The same case number again is refused next to the field.
			res, body = s.post(c, list, form)
			if res.StatusCode != 422 || fieldErrors(body)["a-case_no"] != "案号 营政复〔2026〕12号 已经登记过。" {
				t.Fatalf("duplicate: %d %v", res.StatusCode, fieldErrors(body))
			}

			// Filters.
			for q, want := range map[string]bool{"?year=2026&kind=reconsideration&outcome=pending": true, "?kind=litigation_direct": false, "?year=2025": false, "?outcome=upheld": false} {
				_, body := s.get(c, list+q)
				if got := strings.Contains(body, "营政复〔2026〕12号"); got != want {
					t.Errorf("filter %s: listed %v, want %v", q, got, want)
				}
			}

			// A result before the filing date is refused; a correction re-opens the request.
			_, body = s.get(c, casePage)
			res, body = s.post(c, casePage+"/decision", url.Values{"csrf": {csrfOf(t, body)}, "outcome": {appeal.Corrected}, "decided_on": {"2026-03-01"}, "note": {"责令重新答复"}})
			if res.StatusCode != 422 || fieldErrors(body)["d-decided_on"] != "结果日期不能早于提起日期 2026-04-01。" {
				t.Fatalf("early result: %d %v", res.StatusCode, fieldErrors(body))
			}
			if !strings.Contains(body, "责令重新答复") {
				t.Fatal("the typed note is lost")
			}
			res, _ = s.post(c, casePage+"/decision", url.Values{"csrf": {csrf}, "outcome": {appeal.Corrected}, "decided_on": {"2026-05-20"}, "note": {"责令重新答复"}})
			if res.StatusCode != 303 {
				t.Fatalf("decide: %d", res.StatusCode)
			}
			_, body = s.get(c, casePage)
			if !strings.Contains(body, `<span id="appeal-outcome">结果纠正</span>`) || !strings.Contains(body, "2026年5月20日") || strings.Contains(body, `id="decide-form"`) {
				t.Fatal("the case page does not show the result")
			}
			dt, err := s.app.Requests.Get(ctx, tn.ID, rq.ID)
			if err != nil || dt.Request.State != "open" {
				t.Fatalf("the corrected request is %s (%v), want open", dt.Request.State, err)
			}

			// Inquiries: a missing topic is refused next to the field; two registered.
			const inq = "/console/civil-affairs/inquiries?from=2026-01-01&to=2026-12-31"
			_, body = s.get(c, inq)
			if !strings.Contains(body, `<dd id="inquiry-total">0</dd>`) || !strings.Contains(body, `<dd id="inquiry-rate">未评价</dd>`) {
				t.Fatal("empty summary")
			}
			bad := url.Values{"csrf": {csrf}, "channel": {"hotline"}, "topic": {" "}, "asked_on": {"2026-06-01"}, "answered": {"1"}, "satisfaction": {"5"}}
			res, body = s.post(c, "/console/civil-affairs/inquiries", bad)
			if res.StatusCode != 422 || fieldErrors(body)["i-topic"] != "请填写咨询事项，不超过200字。" {
				t.Fatalf("missing topic: %d %v", res.StatusCode, fieldErrors(body))
			}
			for _, f := range []url.Values{
				{"csrf": {csrf}, "channel": {"hotline"}, "topic": {"低保申请条件"}, "asked_on": {"2026-06-01"}, "answered": {"1"}, "satisfaction": {"5"}},
				{"csrf": {csrf}, "channel": {"letter"}, "topic": {"殡葬补贴标准"}, "asked_on": {"2026-06-02"}, "satisfaction": {"2"}},
			} {
				if res, _ := s.post(c, "/console/civil-affairs/inquiries", f); res.StatusCode != 303 {
					t.Fatalf("register inquiry: %d", res.StatusCode)
				}
			}
			_, body = s.get(c, inq)
			for _, want := range []string{`<dd id="inquiry-total">2</dd>`, `<dd id="inquiry-answered">1</dd>`, `<dd id="inquiry-rate">50%</dd>`, "低保申请条件", "殡葬补贴标准", "很满意", "不满意", "信函"} {
				if !strings.Contains(body, want) {
					t.Fatalf("inquiries page lacks %q", want)
				}
			}
			_, body = s.get(c, "/console/civil-affairs/inquiries?from=2026-07-01&to=2026-12-31")
			if !strings.Contains(body, `<dd id="inquiry-total">0</dd>`) {
				t.Fatal("the period does not filter")
			}

			// A viewer reads but has no forms, and posting is refused.
			v := s.signIn("zhou", goodPassword)
			_, body = s.get(v, list)
			if !strings.Contains(body, "营政复〔2026〕12号") || strings.Contains(body, `id="appeal-form"`) {
				t.Fatal("the viewer's appeals page")
			}
			form.Set("csrf", csrfOf(t, body))
			form.Set("case_no", "X-2")
			if res, _ := s.post(v, list, form); res.StatusCode != http.StatusForbidden {
				t.Fatalf("viewer registering: %d", res.StatusCode)
			}
			if cs, _ := s.app.Appeals.List(ctx, tn.ID); len(cs) != 1 {
				t.Fatalf("%d cases", len(cs))
			}
		})
	}
}

// TestReportExportsPage: the exports page queues a file, refreshes itself
// while the job runs, and offers the finished file for download.
func TestReportExportsPage(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := setup(t, dialect, map[string]map[string][]string{"lihua": {"civil-affairs": {"info_officer"}}, "bob": {"welfare-home": {"bureau_admin"}}})
			c := s.signIn("lihua", goodPassword)
			const page = "/console/civil-affairs/reports/2026/exports"
			res, body := s.get(c, page)
			if res.StatusCode != 200 || !strings.Contains(body, `id="generate-xlsx"`) || strings.Contains(body, `http-equiv="refresh"`) {
				t.Fatalf("exports page: %d", res.StatusCode)
			}
			res, _ = s.post(c, page, url.Values{"csrf": {csrfOf(t, body)}, "format": {"xlsx"}})
			if res.StatusCode != 303 || res.Header.Get("Location") != page {
				t.Fatalf("generate: %d %s", res.StatusCode, res.Header.Get("Location"))
			}
			link := regexp.MustCompile(`href="(/console/civil-affairs/reports/2026/exports/\d+/file)"`)
			deadline := time.Now().Add(30 * time.Second)
			var file string
			for file == "" {
				_, body = s.get(c, page)
				if m := link.FindStringSubmatch(body); m != nil {
					file = m[1]
					if strings.Contains(body, `http-equiv="refresh"`) || !strings.Contains(body, "已完成") || !strings.Contains(body, `value="100"`) {
						t.Fatal("the finished page still refreshes or lacks its state")
					}
					break
				}
				if !strings.Contains(body, `<meta http-equiv="refresh" content="2">`) {
					t.Fatal("the page does not refresh itself while the job runs")
				}
				if time.Now().After(deadline) {
					t.Fatal("the export did not finish")
				}
				time.Sleep(50 * time.Millisecond)
			}
			res, data := s.get(c, file)
			if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="2026-annual-report-`) || !strings.HasPrefix(data, "PK") {
				t.Fatalf("download: %d %v", res.StatusCode, res.Header)
			}
			// Another bureau's admin gets 404 for both.
			b := s.signIn("bob", goodPassword)
			for _, p := range []string{page, file} {
				if res, _ := s.get(b, p); res.StatusCode != 404 {
					t.Fatalf("bob opening %s: %d", p, res.StatusCode)
				}
			}
			if res, _ := s.get(c, "/console/civil-affairs/reports/1900/exports"); res.StatusCode != 404 {
				t.Fatalf("year 1900: %d", res.StatusCode)
			}
		})
	}
}
