package loadtest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"gongkai/internal/app"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/workday"
)

// ReviewerUser is the account that approves the items TopUpCatalog writes
// (a bureau's reviewer may not be the author unless it allows it, Art. 17
// confidentiality review).
const ReviewerUser = "loadtest-reviewer"

// words make the titles of generated catalog items, about a third of which
// name 养老 (elderly care), the default search text.
var words = []string{"养老", "服务", "机构", "收费", "标准", "殡葬", "婚姻", "登记", "社会", "救助", "低保", "特困", "供养", "儿童", "福利",
	"残疾人", "补贴", "社区", "慈善", "优抚", "安置", "区划", "地名", "年度", "养老", "居家"}

// TopUpCatalog publishes generated items in the bureau until it has at least
// n public catalog items, through the catalog service (create, submit,
// approve, publish: an item's whole workflow, index number included), and
// returns how many it published. Authors are the load test's bureau
// administrator, approvals its reviewer account.
func TopUpCatalog(ctx context.Context, a *app.App, slug string, n int, password string, log io.Writer) (int, error) {
	b, err := a.Tenants.BySlug(ctx, slug)
	if err != nil {
		return 0, fmt.Errorf("bureau %q: %w", slug, err)
	}
	have, err := a.Catalog.PublicSearch(ctx, b.ID, catalog.Query{PerPage: 1})
	if err != nil {
		return 0, err
	}
	if have.Total >= n {
		return 0, nil
	}
	sys := authz.WithActor(ctx, authz.System)
	author, err := ensureMember(sys, a, b.ID, AdminUser, "压力测试管理员", password, authz.BureauAdmin)
	if err != nil {
		return 0, err
	}
	reviewer, err := ensureMember(sys, a, b.ID, ReviewerUser, "压力测试审查员", password, authz.Reviewer)
	if err != nil {
		return 0, err
	}
	as := func(id int64, name string) context.Context {
		return authz.WithActor(ctx, authz.Actor{Subject: authz.UserSubject(id), UserID: id, Name: name, TenantID: b.ID})
	}
	authorCtx, reviewerCtx := as(author.ID, author.DisplayName), as(reviewer.ID, reviewer.DisplayName)
	tree, err := a.Catalog.Categories(ctx, b.ID)
	if err != nil {
		return 0, err
	}
	var leaves []string
	for _, c := range catalog.Leaves(tree) {
		leaves = append(leaves, c.Code)
	}
	if len(leaves) == 0 {
		return 0, fmt.Errorf("bureau %s has no catalog categories", slug)
	}
	rng := rand.New(rand.NewPCG(uint64(b.ID), uint64(have.Total)))
	today := workdayToday(a)
	t0 := time.Now()
	made := 0
	for i := have.Total; i < n; i++ {
		var sb strings.Builder
		sb.WriteString("关于")
		for range 3 + rng.IntN(3) {
			sb.WriteString(words[rng.IntN(len(words))])
		}
		sb.WriteString([]string{"的通知", "的实施办法", "的公告", "工作方案"}[rng.IntN(4)])
		title := sb.String()
		kind := catalog.KindOther
		if rng.IntN(4) == 0 {
			kind = catalog.KindNormative
		}
		in := catalog.ItemInput{Title: title, Summary: title + "。本文件明确了适用范围、办理条件、办理流程和监督方式，自发布之日起施行。",
			Body: "<p>" + title + "</p>", DocNo: fmt.Sprintf("营民发〔%d〕%d号", today.Year, i+1), FormedOn: today.AddDays(-rng.IntN(300)),
			Category: leaves[rng.IntN(len(leaves))], DocKind: kind, Basis: 1 + rng.IntN(15)}
		it, err := a.Catalog.Create(authorCtx, b.ID, in)
		if err != nil {
			return made, fmt.Errorf("create catalog item: %w", err)
		}
		for _, st := range []struct {
			who    context.Context
			action string
		}{{authorCtx, catalog.ActSubmit}, {reviewerCtx, catalog.ActApprove}, {authorCtx, catalog.ActPublish}} {
			if _, err := a.Catalog.Transition(st.who, b.ID, it.ID, catalog.Step{Action: st.action}); err != nil {
				return made, fmt.Errorf("%s catalog item %d: %w", st.action, it.ID, err)
			}
		}
		made++
		if made%500 == 0 {
			fmt.Fprintf(log, "catalog: %d items published (%s)\n", made, time.Since(t0).Round(time.Second))
		}
	}
	return made, nil
}

// workdayToday is today in the city's time zone.
func workdayToday(a *app.App) workday.Date { return workday.FromTime(time.Now(), a.Config.Location) }
