// Package seed fills a database with data: the demo city's year and a half
// of activity for a newcomer's console, and large synthetic data sets for
// load tests and benchmarks.
package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"gongkai/internal/app"
	"gongkai/internal/appeal"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/fault"
	"gongkai/internal/inquiry"
	"gongkai/internal/report"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/workday"
)

// demoKeyPrefix marks demo requests (their idempotency keys), so a second
// run finds them and adds nothing.
const demoKeyPrefix = "demo-"

// Result counts what a seeding run created.
type Result struct {
	Requests, Appeals, Inquiries, Reports, CatalogItems int
}

// subjects are realistic things people ask a civil affairs bureau for.
var subjects = []string{
	"2025年城乡居民最低生活保障资金发放情况", "市养老院收费标准及收费依据", "殡葬服务收费项目和标准", "2025年度养老服务补贴发放名单",
	"特困人员供养标准调整文件", "社会组织年检结果", "婚姻登记档案查询办理流程", "军休干部待遇落实政策文件",
	"流浪乞讨人员救助管理站2025年救助人数", "临时救助资金使用情况", "福利彩票公益金使用情况", "区划地名管理相关文件",
	"居家养老服务中心建设规划", "残疾人两项补贴发放标准", "慈善组织认定名单", "公墓建设审批文件",
}

var names = []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴霞", "徐刚", "孙丽"}

// Demo fills the demo city with about a year and a half of activity: requests
// through every path and outcome, appeals of each kind, inquiries of every
// channel, catalog items in every category through the whole workflow
// (demoCatalog), and annual reports (last year published, this year in
// draft). It is idempotent, and it refuses a bureau with requests or catalog
// items that are not demo data unless force. clock, when not nil, must be
// the clock a was built with (app.Options.Now): the demo sets it to each
// catalog item's day; with nil every item is published today.
func Demo(ctx context.Context, a *app.App, today workday.Date, clock *Clock, force bool) (Result, error) {
	var res Result
	ctx = authz.WithActor(ctx, authz.Actor{Subject: "system", Name: "演示数据"})
	ts, err := a.Tenants.List(ctx)
	if err != nil {
		return res, err
	}
	for _, t := range ts {
		if t.Spec.IsOversight() {
			continue
		}
		page, err := a.Requests.List(ctx, t.ID, request.Filter{Limit: 500})
		if err != nil {
			return res, err
		}
		demo := 0
		for _, r := range page.Items {
			if r.IdempotencyKey != nil && strings.HasPrefix(*r.IdempotencyKey, demoKeyPrefix) {
				demo++
			}
		}
		if demo > 0 {
			continue // already seeded
		}
		if len(page.Items) > 0 && !force {
			return res, fault.New(fault.Conflict, "bureau %s already has %d requests that are not demo data; seeding demo data into a real database needs --force", t.Slug, len(page.Items))
		}
		items, err := a.Catalog.List(ctx, t.ID, catalog.Query{PerPage: 1})
		if err != nil {
			return res, err
		}
		if items.Total > 0 && !force {
			return res, fault.New(fault.Conflict, "bureau %s already has %d catalog items; seeding demo data into a real database needs --force", t.Slug, items.Total)
		}
		rng := rand.New(rand.NewPCG(uint64(t.ID), 2026))
		n := 24
		if t.Kind == "civil_affairs" {
			n = 60
		}
		created, err := demoRequests(ctx, a, t.ID, n, today, rng)
		if err != nil {
			return res, fmt.Errorf("bureau %s: %w", t.Slug, err)
		}
		res.Requests += created
		if t.Kind == "civil_affairs" {
			k, err := demoAppeals(ctx, a, t.ID)
			if err != nil {
				return res, err
			}
			res.Appeals += k
		}
		for i := 0; i < 40; i++ { // every channel, most answered
			day := today.AddDays(-rng.IntN(540))
			in := inquiry.Inquiry{Channel: inquiry.Channels[i%len(inquiry.Channels)], Topic: subjects[rng.IntN(len(subjects))], AskedOn: day, Answered: i%8 != 7}
			if in.Answered {
				sat := 3 + rng.IntN(3)
				in.Satisfaction = &sat
			}
			if _, err := a.Inquiries.Register(ctx, t.ID, in); err != nil {
				return res, err
			}
			res.Inquiries++
		}
		k, err := demoCatalog(ctx, a, t, today, clock, rng)
		if err != nil {
			return res, fmt.Errorf("bureau %s catalog: %w", t.Slug, err)
		}
		res.CatalogItems += k
		if err := demoReports(ctx, a, t.ID, today.Year); err != nil {
			return res, fmt.Errorf("bureau %s reports: %w", t.Slug, err)
		}
		res.Reports += 2
	}
	return res, nil
}

// demoRequests registers n requests spread over the last 18 months and takes
// each along one path to one outcome.
func demoRequests(ctx context.Context, a *app.App, tenantID int64, n int, today workday.Date, rng *rand.Rand) (int, error) {
	cal, err := a.Requests.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	types := []string{"natural_person", "natural_person", "natural_person", "natural_person", "commercial_enterprise", "research_institution", "public_welfare_organization", "legal_service_institution", "other_organization"}
	channels := []string{"in_person", "registered_post", "email", "online", "fax"}
	outcomes := request.ReplyOutcomeCodes()
	for i := 0; i < n; i++ {
		arrived := today.AddDays(-rng.IntN(540) - 1)
		if ok, _ := cal.IsWorkingDay(arrived); !ok {
			arrived, _ = cal.NextWorkingDay(arrived)
		}
		if arrived.After(today) {
			arrived = today
		}
		ch := channels[rng.IntN(len(channels))]
		in := request.NewRequest{Channel: ch, ArrivedOn: arrived, IdempotencyKey: fmt.Sprintf("%s%d", demoKeyPrefix, i),
			Applicant: request.Applicant{Type: types[rng.IntN(len(types))], Name: names[rng.IntN(len(names))], IDDocType: "居民身份证",
				IDNumber: fmt.Sprintf("2108%02d19%02d0101%04d", rng.IntN(99), 60+rng.IntN(40), rng.IntN(10000)), Phone: fmt.Sprintf("138%08d", rng.IntN(1e8))},
			Content: "申请公开" + subjects[rng.IntN(len(subjects))], Purpose: "了解政策", Delivery: "邮寄"}
		if ok, _ := request.ChannelByCode(ch); ok.NeedsConfirmation {
			in.ConfirmedOn = arrived
		}
		r, _, err := a.Requests.Register(ctx, tenantID, in)
		if err != nil {
			return i, err
		}
		step := func(kind deadline.EventKind, on workday.Date, days int, reason string) error {
			if on.After(today) {
				return nil
			}
			_, err := a.Requests.Act(ctx, tenantID, r.ID, request.Action{Kind: kind, On: on, Days: days, Reason: reason})
			return err
		}
		add := func(d workday.Date, k int) workday.Date { out, _ := cal.AddWorkingDays(d, k); return out }
		recv := r.ReceivedOn
		replyOn := add(recv, 5+rng.IntN(14))
		switch path := rng.IntN(10); {
		case recv.After(today.AddDays(-20)):
			continue // recent: still open
		case path == 0: // supplement requested and received: the clock restarts
			if err := step(deadline.SupplementRequested, add(recv, 3), 0, "请说明所需信息的具体年度"); err != nil {
				return i, err
			}
			if err := step(deadline.SupplementReceived, add(recv, 6), 0, ""); err != nil {
				return i, err
			}
			replyOn = add(recv, 20)
		case path == 1: // supplement never came: row （六）1
			if err := step(deadline.SupplementRequested, add(recv, 2), 0, "申请内容不明确"); err != nil {
				return i, err
			}
			if err := step(deadline.SupplementLapsed, add(recv, 30), 0, "逾期未补正"); err != nil {
				return i, err
			}
			continue
		case path == 2: // third-party consultation pauses the clock
			if err := step(deadline.ConsultationStarted, add(recv, 4), 0, "涉及第三方商业秘密，征求第三方意见"); err != nil {
				return i, err
			}
			if err := step(deadline.ConsultationEnded, add(recv, 12), 0, ""); err != nil {
				return i, err
			}
			replyOn = add(recv, 22)
		case path == 3: // extension (Art. 33)
			if err := step(deadline.Extended, add(recv, 15), 10+rng.IntN(10), "需要调取档案，无法在规定期限内答复"); err != nil {
				return i, err
			}
			replyOn = add(recv, 25)
		}
		if replyOn.After(today) {
			continue
		}
		if _, err := a.Requests.Reply(ctx, tenantID, r.ID, request.Reply{On: replyOn, Outcome: outcomes[rng.IntN(len(outcomes))],
			Basis: "《中华人民共和国政府信息公开条例》相关条款", Withheld: "涉及个人隐私的部分", Text: "经审查，现答复如下。"}); err != nil {
			return i, err
		}
	}
	return n, nil
}

func demoAppeals(ctx context.Context, a *app.App, tenantID int64) (int, error) {
	cases := []struct {
		no, kind, filed, outcome, decided string
	}{
		{"营政复〔2025〕18号", appeal.Reconsideration, "2025-05-12", appeal.Upheld, "2025-07-01"},
		{"营政复〔2026〕7号", appeal.Reconsideration, "2026-03-03", appeal.Other, "2026-05-20"},
		{"（2026）辽0802行初15号", appeal.SuedDirectly, "2026-04-08", "", ""},
		{"（2026）辽08行终3号", appeal.SuedAfter, "2026-06-15", appeal.Upheld, "2026-09-30"},
	}
	for _, c := range cases {
		created, err := a.Appeals.Create(ctx, tenantID, appeal.NewCase{CaseNo: c.no, Body: "营口市人民政府", Kind: c.kind, FiledOn: workday.MustParseDate(c.filed)})
		if err != nil {
			return 0, err
		}
		if c.outcome != "" {
			if _, err := a.Appeals.Decide(ctx, tenantID, created.ID, c.outcome, workday.MustParseDate(c.decided), ""); err != nil {
				return 0, err
			}
		}
	}
	return len(cases), nil
}

func demoReports(ctx context.Context, a *app.App, tenantID int64, year int) error {
	v := func(x float64) *float64 { return &x }
	for _, f := range []struct {
		key string
		val *float64
	}{{report.FigureLicensing, v(126)}, {report.FigurePenalty, v(3)}, {report.FigureEnforcement, v(0)}, {report.FigureFeeIncome, nil}} {
		if err := a.Reports.SetFigure(ctx, tenantID, year-1, f.key, f.val, "业务系统统计"); err != nil {
			return err
		}
	}
	if _, err := a.Reports.Draft(ctx, tenantID, year-1); err != nil {
		return err
	}
	if _, err := a.Reports.Submit(ctx, tenantID, year-1); err != nil {
		return err
	}
	if _, err := a.Reports.Publish(ctx, tenantID, year-1); err != nil {
		return err
	}
	_, err := a.Reports.Draft(ctx, tenantID, year)
	return err
}
