package catalog

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// testNow is Monday 2 March 2026, 10:00 in Beijing: a working day.
var testNow = time.Date(2026, 3, 2, 10, 0, 0, 0, workday.ChinaTime)

const testPassword = "Correct-Horse-9-Battery"

// fixture is a migrated database with the demo city provisioned, the
// catalog service, and people of two bureaus: A (civil affairs, four-eyes
// review) and B (welfare home, reviewer_may_be_author).
type fixture struct {
	d        *db.DB
	svc      *Service
	a, b     tenant.Tenant
	sys      context.Context
	officer  context.Context // A: info_officer
	officer2 context.Context // A: info_officer
	reviewer context.Context // A: reviewer
	admin    context.Context // A: bureau_admin
	viewer   context.Context // A: viewer
	bAdmin   context.Context // B: bureau_admin
}

func newFixture(t testing.TB, dialect db.Dialect) *fixture {
	t.Helper()
	d := dbtest.Open(t, dialect)
	return fixtureOn(t, d)
}

func fixtureOn(t testing.TB, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	sys := authz.WithActor(ctx, authz.System)
	now := func() time.Time { return testNow }
	ts := tenant.NewService(d, now)
	specs, err := tenant.LoadFiles("")
	if err != nil {
		t.Fatal(err)
	}
	for i := range specs {
		if specs[i].Slug == "welfare-home" {
			specs[i].ReviewerMayBeAuthor = true
		}
	}
	if _, err := ts.Apply(sys, specs); err != nil {
		t.Fatal(err)
	}
	az, err := authz.New(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	ids := identity.NewService(d, az, now, identity.Policy{})
	svc, err := NewService(d, az, ts, NationalCalendar{}, now)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{d: d, svc: svc, sys: sys}
	if f.a, err = ts.BySlug(ctx, "civil-affairs"); err != nil {
		t.Fatal(err)
	}
	if f.b, err = ts.BySlug(ctx, "welfare-home"); err != nil {
		t.Fatal(err)
	}
	person := func(tn tenant.Tenant, username, role string) context.Context {
		m, err := ids.AddMember(sys, tn.ID, identity.NewMember{Username: username, DisplayName: username, Password: testPassword, Roles: []string{role}})
		if err != nil {
			t.Fatalf("add %s: %v", username, err)
		}
		return authz.WithActor(ctx, authz.Actor{Subject: m.User.Subject(), UserID: m.User.ID, Name: username, TenantID: tn.ID})
	}
	f.officer = person(f.a, "olivia", authz.InfoOfficer)
	f.officer2 = person(f.a, "oscar", authz.InfoOfficer)
	f.reviewer = person(f.a, "rita", authz.Reviewer)
	f.admin = person(f.a, "adam", authz.BureauAdmin)
	f.viewer = person(f.a, "vera", authz.Viewer)
	f.bAdmin = person(f.b, "bella", authz.BureauAdmin)
	for _, tn := range []tenant.Tenant{f.a, f.b} {
		if _, err := svc.SeedCategories(sys, tn.ID); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// input returns a valid item of bureau A.
func input(title string) ItemInput {
	return ItemInput{Title: title, Summary: title + "的内容概述", Body: "<p>" + title + "</p>", DocNo: "营民发〔2026〕1号",
		FormedOn: workday.MustParseDate("2026-02-20"), Category: "elderly_care", Topics: []string{"elderly_care"}, DocKind: KindNormative, Basis: 1}
}

// mustPublish takes a new item of bureau A from draft to published:
// written by the officer, reviewed by the reviewer.
func (f *fixture) mustPublish(t testing.TB, in ItemInput) *Item {
	t.Helper()
	it := f.mustApprove(t, in)
	it, err := f.svc.Transition(f.officer, f.a.ID, it.ID, Step{Action: ActPublish})
	if err != nil {
		t.Fatalf("publish %q: %v", in.Title, err)
	}
	return it
}

// mustApprove takes a new item of bureau A to approved.
func (f *fixture) mustApprove(t testing.TB, in ItemInput) *Item {
	t.Helper()
	it, err := f.svc.Create(f.officer, f.a.ID, in)
	if err != nil {
		t.Fatalf("create %q: %v", in.Title, err)
	}
	if _, err := f.svc.Transition(f.officer, f.a.ID, it.ID, Step{Action: ActSubmit}); err != nil {
		t.Fatalf("submit: %v", err)
	}
	it, err = f.svc.Transition(f.reviewer, f.a.ID, it.ID, Step{Action: ActApprove})
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	return it
}

// vocabulary makes titles and summaries of generated items.
var vocabulary = []string{"关于", "印发", "养老", "服务", "机构", "收费", "标准", "殡葬", "婚姻", "登记", "社会", "救助", "低保", "特困",
	"供养", "儿童", "福利", "残疾人", "补贴", "实施", "办法", "通知", "公告", "社区", "慈善", "优抚", "安置", "区划", "地名", "年度"}

// bulkPublished publishes n items of the bureau with BulkPublish (for
// benchmarks): titles made of the vocabulary, published through 2025, so
// their index numbers are 2025-00001 … n in order of publication.
func bulkPublished(t testing.TB, f *fixture, tn tenant.Tenant, n int) {
	t.Helper()
	ctx := authz.WithActor(context.Background(), authz.System)
	tree, err := f.svc.Categories(ctx, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	var cats []string
	for _, c := range Leaves(tree) {
		cats = append(cats, c.Code)
	}
	items := make([]BulkItem, n)
	for i := range items {
		w := func(k int) string { return vocabulary[(i*7+k*13+i/3)%len(vocabulary)] }
		title := fmt.Sprintf("%s%s%s%s的%s（第%d号）", w(0), w(1), w(2), w(3), w(4), i+1)
		pub := workday.Date{Year: 2025, Month: time.Month(1 + i*12/n), Day: 1 + i%28}
		items[i] = BulkItem{PublishedOn: pub, ItemInput: ItemInput{Title: title,
			Summary: title + "。" + w(5) + w(6) + w(7) + "工作的具体安排和要求，请各单位认真贯彻执行。", Body: "<p>" + title + "</p>",
			DocNo: fmt.Sprintf("营民发〔2025〕%d号", i+1), FormedOn: pub.AddDays(-3), Category: cats[i%len(cats)]}}
	}
	if _, err := f.svc.BulkPublish(ctx, tn.ID, items); err != nil {
		t.Fatal(err)
	}
}

// checkPublicCounts checks that the public counts the triggers keep with
// the index number counters equal the bureau's public items counted one by
// one, by year of publication and in all, and that the public list's total
// (which reads them) agrees, for every year and with no year.
func (f *fixture) checkPublicCounts(t testing.TB, tenantID int64) {
	t.Helper()
	ctx := context.Background()
	var counted []yearCount
	var kept publicCounts
	err := f.d.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		var err error
		if kept, err = publicCountsTx(ctx, tx, tenantID); err != nil {
			return err
		}
		year := "CAST(strftime('%Y', published_on) AS INTEGER)"
		if f.d.Dialect == db.Postgres {
			year = "CAST(extract(year FROM published_on) AS integer)"
		}
		return tx.NewSelect().Model((*Item)(nil)).ColumnExpr(year+" AS year, count(*) AS public_items").
			Where("tenant_id = ? AND state IN ('published', 'repealed')", tenantID).
			GroupExpr("1").OrderExpr("1 DESC").Scan(ctx, &counted)
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal([]yearCount(kept), counted) {
		t.Fatalf("public counts kept %+v, counted %+v", kept, counted)
	}
	total := 0
	for _, y := range append(counted, yearCount{}) {
		total += y.Items
		res, err := f.svc.PublicSearch(ctx, tenantID, Query{Year: y.Year})
		want := y.Items
		if y.Year == 0 {
			want = total
		}
		if err != nil || res.Total != want {
			t.Fatalf("public list of year %d: total %v (%v), want %d", y.Year, res, err, want)
		}
	}
}
