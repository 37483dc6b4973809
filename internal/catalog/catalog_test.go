package catalog

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"

	"gongkai/internal/audit"
	"gongkai/internal/authz"
	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

func wantCode(t *testing.T, err error, code fault.Code, contains ...string) {
	t.Helper()
	if fault.CodeOf(err) != code {
		t.Fatalf("error = %v, want %s", err, code)
	}
	for _, c := range contains {
		if !strings.Contains(fault.MessageOf(err), c) {
			t.Fatalf("error %q does not mention %q", fault.MessageOf(err), c)
		}
	}
}

func auditActions(t *testing.T, f *fixture, tenantID int64) string {
	t.Helper()
	as := audit.NewService(f.d, f.svc.authz, f.svc.now)
	evs, err := as.List(f.sys, audit.Filter{TenantID: tenantID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Action+"/"+e.ObjectID+" by "+e.ActorName)
	}
	return strings.Join(out, "; ")
}

func TestWorkflow(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		svc, a := f.svc, f.a.ID

		// Missing required fields: 422 naming each.
		_, err := svc.Create(f.officer, a, ItemInput{Summary: "x"})
		wantCode(t, err, fault.Invalid, "title")
		var names []string
		for _, fe := range fault.FieldsOf(err) {
			names = append(names, fe.Field)
		}
		if !slices.Contains(names, "formed_on") || !slices.Contains(names, "category") {
			t.Fatalf("field errors = %v", names)
		}
		in := input("营口市养老服务补贴实施办法")
		in.Category = "nope"
		_, err = svc.Create(f.officer, a, in)
		wantCode(t, err, fault.Invalid, "category")
		// A viewer may not write.
		_, err = svc.Create(f.viewer, a, input("x"))
		wantCode(t, err, fault.Forbidden)

		in = input("营口市养老服务补贴实施办法")
		in.Body = `<p onclick="alert(1)">正文<script>alert(1)</script><a href="javascript:alert(1)">链接</a></p>`
		it, err := svc.Create(f.officer, a, in)
		if err != nil {
			t.Fatal(err)
		}
		if it.State != Draft || strings.Contains(it.Body, "script") || strings.Contains(it.Body, "onclick") || strings.Contains(it.Body, "javascript") {
			t.Fatalf("created = %s %q", it.State, it.Body)
		}
		// Illegal transitions: 409 naming the state and what is allowed.
		_, err = svc.Transition(f.officer, a, it.ID, Step{Action: ActPublish})
		wantCode(t, err, fault.Conflict, "draft", "submit")
		_, err = svc.Transition(f.reviewer, a, it.ID, Step{Action: ActApprove})
		wantCode(t, err, fault.Conflict, "draft", "allowed from draft: submit, edit, delete")

		if _, err := svc.Transition(f.officer, a, it.ID, Step{Action: ActSubmit}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.Update(f.officer, a, it.ID, input("改"))
		wantCode(t, err, fault.Conflict, "submitted", "approve, return")
		// An information officer cannot review; the author cannot review
		// their own item even as bureau admin of a four-eyes bureau.
		_, err = svc.Transition(f.officer, a, it.ID, Step{Action: ActApprove})
		wantCode(t, err, fault.Forbidden)
		// Return needs a comment.
		_, err = svc.Transition(f.reviewer, a, it.ID, Step{Action: ActReturn})
		wantCode(t, err, fault.Invalid, "comment")
		if _, err := svc.Transition(f.reviewer, a, it.ID, Step{Action: ActReturn, Comment: "请补充文号"}); err != nil {
			t.Fatal(err)
		}
		upd := input("营口市养老服务补贴实施办法")
		upd.DocNo = "营民发〔2026〕7号"
		if it, err = svc.Update(f.officer, a, it.ID, upd); err != nil || it.DocNo != "营民发〔2026〕7号" {
			t.Fatalf("update: %v", err)
		}
		if _, err := svc.Transition(f.officer, a, it.ID, Step{Action: ActSubmit}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Transition(f.reviewer, a, it.ID, Step{Action: ActApprove}); err != nil {
			t.Fatal(err)
		}
		it, err = svc.Transition(f.officer, a, it.ID, Step{Action: ActPublish})
		if err != nil {
			t.Fatal(err)
		}
		if it.State != Published || it.IndexNo != "112108000012358135/2026-00001" || it.PublishedOn != workday.MustParseDate("2026-03-02") || it.Revision != 1 {
			t.Fatalf("published = %s %q %s rev %d", it.State, it.IndexNo, it.PublishedOn, it.Revision)
		}
		_, err = svc.Transition(f.officer, a, it.ID, Step{Action: ActSubmit})
		wantCode(t, err, fault.Conflict, "published", "withdraw, repeal, revise")
		_, err = svc.Update(f.officer, a, it.ID, upd)
		wantCode(t, err, fault.Conflict, "published", "revise")
		wantCode(t, svc.Delete(f.officer, a, it.ID), fault.Conflict, "published")

		// Every step is recorded with who and the comment.
		det, err := svc.Get(f.viewer, a, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		var steps []string
		for _, tr := range det.Transitions {
			steps = append(steps, tr.Action+":"+tr.FromState+">"+tr.ToState+":"+tr.ActorName+":"+tr.Comment)
		}
		want := []string{"create:>draft:olivia:", "submit:draft>submitted:olivia:", "return:submitted>draft:rita:请补充文号",
			"submit:draft>submitted:olivia:", "approve:submitted>approved:rita:", "publish:approved>published:olivia:"}
		if !slices.Equal(steps, want) {
			t.Fatalf("transitions:\n%v\nwant\n%v", steps, want)
		}
		if det.CategoryName != "养老服务" || len(det.Revisions) != 1 || det.Revisions[0].ReviewerName != "rita" || !slices.Equal(det.Allowed, []string{"withdraw", "repeal", "revise"}) {
			t.Fatalf("detail: %q %d %v", det.CategoryName, len(det.Revisions), det.Allowed)
		}
		if due := workday.MustParseDate("2026-03-20"); det.DueOn != due {
			t.Fatalf("due = %s, want %s (2026-02-20 + 20 working days)", det.DueOn, due)
		}
		trail := auditActions(t, f, a)
		id := fmt.Sprint(it.ID)
		for _, w := range []string{"catalog.item_created/" + id + " by olivia", "catalog.item_submitted", "catalog.item_returned/" + id + " by rita", "catalog.item_approved/" + id + " by rita", "catalog.item_published/" + id + " by olivia"} {
			if !strings.Contains(trail, w) {
				t.Fatalf("audit trail lacks %q: %s", w, trail)
			}
		}

		// Revision: a draft copy goes through review, then replaces the
		// content; the item keeps its index number and its history.
		rev, err := svc.Revise(f.officer2, a, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rev.RevisesID != it.ID || rev.State != Draft || rev.IndexNo != "" {
			t.Fatalf("revision draft = %+v", rev)
		}
		_, err = svc.Revise(f.officer, a, it.ID)
		wantCode(t, err, fault.Conflict, "revision in progress")
		changed := upd
		changed.Title = "营口市养老服务补贴实施办法（2026年修订）"
		changed.FormedOn = workday.MustParseDate("2026-02-27")
		if _, err := svc.Update(f.officer2, a, rev.ID, changed); err != nil {
			t.Fatal(err)
		}
		// Public still sees revision 1 while the revision is under review.
		pv, err := svc.PublicItem(context.Background(), a, it.IndexNo)
		if err != nil || pv.Item.Title != "营口市养老服务补贴实施办法" {
			t.Fatalf("public during revision: %v %q", err, pv.Item.Title)
		}
		if _, err := svc.Transition(f.officer2, a, rev.ID, Step{Action: ActSubmit}); err != nil {
			t.Fatal(err)
		}
		// The original author may review the revision: oscar wrote it.
		if _, err := svc.Transition(f.reviewer, a, rev.ID, Step{Action: ActApprove}); err != nil {
			t.Fatal(err)
		}
		pub, err := svc.Transition(f.officer2, a, rev.ID, Step{Action: ActPublish})
		if err != nil {
			t.Fatal(err)
		}
		if pub.ID != it.ID || pub.IndexNo != it.IndexNo || pub.Revision != 2 || pub.Title != changed.Title || pub.RevisedOn != workday.MustParseDate("2026-03-02") {
			t.Fatalf("after revision = id %d %q rev %d %q", pub.ID, pub.IndexNo, pub.Revision, pub.Title)
		}
		if _, err := svc.Get(f.viewer, a, rev.ID); !fault.Is(err, fault.NotFound) {
			t.Fatalf("revision draft still there: %v", err)
		}
		det, err = svc.Get(f.viewer, a, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(det.Revisions) != 2 || det.Revisions[0].Title != "营口市养老服务补贴实施办法" || det.Revisions[1].Title != changed.Title || len(det.Transitions) != 10 {
			t.Fatalf("revisions %d transitions %d", len(det.Revisions), len(det.Transitions))
		}

		// Withdrawal: bureau admin only, with a reason; then 410 publicly.
		_, err = svc.Transition(f.officer, a, it.ID, Step{Action: ActWithdraw, Comment: "误发"})
		wantCode(t, err, fault.Forbidden)
		_, err = svc.Transition(f.admin, a, it.ID, Step{Action: ActWithdraw})
		wantCode(t, err, fault.Invalid, "comment")
		if _, err := svc.Transition(f.admin, a, it.ID, Step{Action: ActWithdraw, Comment: "误发"}); err != nil {
			t.Fatal(err)
		}
		pv, err = svc.PublicItem(context.Background(), a, it.IndexNo)
		if err != nil || !pv.Gone || pv.Item.Body != "" {
			t.Fatalf("withdrawn: %v %+v", err, pv)
		}
		_, err = svc.Transition(f.admin, a, it.ID, Step{Action: ActRepeal})
		wantCode(t, err, fault.Conflict, "withdrawn", "none")
		f.checkPublicCounts(t, a)

		// Another bureau's item is not found, for any of them.
		_, err = svc.Get(f.bAdmin, a, it.ID)
		wantCode(t, err, fault.NotFound)
		_, err = svc.Get(f.bAdmin, f.b.ID, it.ID)
		wantCode(t, err, fault.NotFound)
		_, err = svc.Transition(f.bAdmin, f.b.ID, it.ID, Step{Action: ActRepeal})
		wantCode(t, err, fault.NotFound)
	})
}

func TestReviewerMayBeAuthor(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		// A (four-eyes): the admin cannot review an item they wrote.
		it, err := f.svc.Create(f.admin, f.a.ID, input("自审"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Transition(f.admin, f.a.ID, it.ID, Step{Action: ActSubmit}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Transition(f.admin, f.a.ID, it.ID, Step{Action: ActApprove})
		wantCode(t, err, fault.Forbidden, "保密审查")
		// Nor one they submitted for someone else.
		it2, err := f.svc.Create(f.officer, f.a.ID, input("代交"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Transition(f.admin, f.a.ID, it2.ID, Step{Action: ActSubmit}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Transition(f.admin, f.a.ID, it2.ID, Step{Action: ActApprove})
		wantCode(t, err, fault.Forbidden)
		// B allows reviewer_may_be_author.
		in := input("入住须知")
		in.Category, in.Topics = "admission", nil
		it, err = f.svc.Create(f.bAdmin, f.b.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, act := range []string{ActSubmit, ActApprove, ActPublish} {
			if it, err = f.svc.Transition(f.bAdmin, f.b.ID, it.ID, Step{Action: act}); err != nil {
				t.Fatalf("%s: %v", act, err)
			}
		}
		if it.IndexNo != "12210800462581938T/2026-00001" {
			t.Fatalf("index in B = %q", it.IndexNo)
		}
	})
}

func TestConcurrentIndexAllocation(t *testing.T) {
	t.Parallel()
	const n = 50
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		ids := make([]int64, n)
		for i := range n {
			ids[i] = f.mustApprove(t, input(fmt.Sprintf("并发发布测试%02d", i))).ID
		}
		// One publication that fails after allocating must give its number
		// back: a rollback leaves no gap.
		err := f.d.InTx(context.Background(), db.Tenant(f.a.ID), func(ctx context.Context, tx bun.Tx) error {
			if _, err := f.svc.nextIndexSeq(ctx, tx, f.a.ID, 2026); err != nil {
				return err
			}
			return fault.New(fault.Internal, "boom")
		})
		wantCode(t, err, fault.Internal)

		var wg sync.WaitGroup
		got := make([]string, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				it, err := f.svc.Transition(f.officer, f.a.ID, ids[i], Step{Action: ActPublish})
				if err != nil {
					errs[i] = err
					return
				}
				got[i] = it.IndexNo
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("publisher %d: %v", i, err)
			}
		}
		slices.Sort(got)
		for i, idx := range got {
			if want := fmt.Sprintf("112108000012358135/2026-%05d", i+1); idx != want {
				t.Fatalf("index numbers sorted[%d] = %q, want %q (all: %v)", i, idx, want, got)
			}
		}
		// The stored sequence numbers agree, and the counter is at 51.
		var seqs []int
		var next int
		err = f.d.InTx(context.Background(), db.Tenant(f.a.ID), func(ctx context.Context, tx bun.Tx) error {
			if err := tx.NewSelect().Model((*Item)(nil)).Column("index_seq").Where("tenant_id = ? AND index_year = 2026", f.a.ID).Order("index_seq").Scan(ctx, &seqs); err != nil {
				return err
			}
			return tx.NewSelect().Model((*indexCounter)(nil)).Column("next_seq").Where("tenant_id = ? AND year = 2026", f.a.ID).Scan(ctx, &next)
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(seqs) != n || seqs[0] != 1 || seqs[n-1] != n || next != n+1 {
			t.Fatalf("seqs %v next %d", seqs, next)
		}
		// Another bureau has its own sequence.
		in := input("入住须知")
		in.Category, in.Topics = "admission", nil
		it, err := f.svc.Create(f.bAdmin, f.b.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, act := range []string{ActSubmit, ActApprove, ActPublish} {
			if it, err = f.svc.Transition(f.bAdmin, f.b.ID, it.ID, Step{Action: act}); err != nil {
				t.Fatal(err)
			}
		}
		if !strings.HasSuffix(it.IndexNo, "/2026-00001") {
			t.Fatalf("B's first index = %q", it.IndexNo)
		}
	})
}

func TestChineseSearch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		ctx := context.Background()
		fees := input("市养老院收费标准")
		fees.Summary = "2026年度收费项目及标准"
		fees.DocNo = "营价发〔2026〕12号"
		f.mustPublish(t, fees)
		other := input("殡葬服务收费项目公示")
		other.Summary = "含骨灰寄存、遗体接运；不含养老机构收费"
		other.Category, other.Topics = "funeral", []string{"funeral"}
		f.mustPublish(t, other)
		f.mustPublish(t, input("婚姻登记办事指南"))
		draft := input("养老机构等级评定（草稿）")
		if _, err := f.svc.Create(f.officer, f.a.ID, draft); err != nil {
			t.Fatal(err)
		}

		res, err := f.svc.PublicSearch(ctx, f.a.ID, Query{Q: "养老"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 2 || len(res.Hits) != 2 {
			t.Fatalf("养老: %d hits", res.Total)
		}
		// Title matches rank first; highlighting is escaped and marked.
		if res.Hits[0].Title != "市养老院收费标准" || string(res.Hits[0].TitleHTML) != "市<mark>养老</mark>院收费标准" {
			t.Fatalf("first hit %q %q", res.Hits[0].Title, res.Hits[0].TitleHTML)
		}
		if !strings.Contains(string(res.Hits[1].SummaryHTML), "不含<mark>养老</mark>机构收费") || res.Hits[1].CategoryName != "殡葬管理" {
			t.Fatalf("second hit %q %q", res.Hits[1].SummaryHTML, res.Hits[1].CategoryName)
		}
		// Staff see the draft too.
		staff, err := f.svc.List(f.viewer, f.a.ID, Query{Q: "养老"})
		if err != nil || staff.Total != 3 {
			t.Fatalf("staff search: %v %d", err, staff.Total)
		}
		// Several terms must all match; the full-width space separates.
		for q, want := range map[string]int{"收费　养老": 2, "收费 标准": 1, "营价发": 1, "〔2026〕12号": 1, "2026-00001": 1,
			"%": 0, "_": 0, "养老 婚姻": 0, "婚姻": 1} {
			res, err := f.svc.PublicSearch(ctx, f.a.ID, Query{Q: q})
			if err != nil || res.Total != want {
				t.Fatalf("%q: %v %d hits, want %d", q, err, res.Total, want)
			}
		}
		// Filters and pagination.
		res, err = f.svc.PublicSearch(ctx, f.a.ID, Query{Category: "funeral"})
		if err != nil || res.Total != 1 || res.Hits[0].Title != "殡葬服务收费项目公示" {
			t.Fatalf("category: %v %+v", err, res)
		}
		res, err = f.svc.PublicSearch(ctx, f.a.ID, Query{Year: 2025})
		if err != nil || res.Total != 0 {
			t.Fatalf("year 2025: %v %d", err, res.Total)
		}
		res, err = f.svc.PublicSearch(ctx, f.a.ID, Query{Year: 2026, DocKind: KindNormative, PerPage: 2, Page: 2})
		if err != nil || res.Total != 3 || len(res.Hits) != 1 || res.Pages() != 2 || res.NextPage() != 0 {
			t.Fatalf("page 2: %v %d %d", err, res.Total, len(res.Hits))
		}
		_, err = f.svc.PublicSearch(ctx, f.a.ID, Query{PerPage: 1000})
		wantCode(t, err, fault.Invalid, "per_page")
		// Another bureau's catalog does not show A's items.
		res, err = f.svc.PublicSearch(ctx, f.b.ID, Query{Q: "养老"})
		if err != nil || res.Total != 0 {
			t.Fatalf("B: %v %d", err, res.Total)
		}
	})
}

func TestHighlight(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ text, q, want string }{
		{"市养老院收费标准", "养老", "市<mark>养老</mark>院收费标准"},
		{"<b>养老</b> & Co", "养老 co", "&lt;b&gt;<mark>养老</mark>&lt;/b&gt; &amp; <mark>Co</mark>"},
		{"养老养老院", "养老 老院", "<mark>养老养老院</mark>"},
		{"无匹配", "养老", "无匹配"},
	} {
		if got := string(Highlight(c.text, Terms(c.q))); got != c.want {
			t.Errorf("Highlight(%q, %q) = %q, want %q", c.text, c.q, got, c.want)
		}
	}
	long := strings.Repeat("甲", 200) + "养老" + strings.Repeat("乙", 200)
	ex := Excerpt(long, []string{"养老"}, 40)
	if !strings.HasPrefix(ex, "…") || !strings.HasSuffix(ex, "…") || !strings.Contains(ex, "养老") {
		t.Fatalf("excerpt %q", ex)
	}
}

func TestPublicVisibility(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		ctx := context.Background()
		draft, err := f.svc.Create(f.officer, f.a.ID, input("草稿不可见"))
		if err != nil {
			t.Fatal(err)
		}
		approved := f.mustApprove(t, input("审查通过但未发布"))
		pub := f.mustPublish(t, input("已发布可见"))
		for _, key := range []string{fmt.Sprint(draft.ID), fmt.Sprint(approved.ID), "no-such-index"} {
			if _, err := f.svc.PublicItem(ctx, f.a.ID, key); !fault.Is(err, fault.NotFound) {
				t.Fatalf("public %s: %v", key, err)
			}
		}
		res, err := f.svc.PublicSearch(ctx, f.a.ID, Query{})
		if err != nil || res.Total != 1 || res.Hits[0].ID != pub.ID {
			t.Fatalf("public list: %v %+v", err, res)
		}
		for _, key := range []string{pub.IndexNo, fmt.Sprint(pub.ID)} {
			v, err := f.svc.PublicItem(ctx, f.a.ID, key)
			if err != nil || v.Gone || v.Item.ID != pub.ID || v.CategoryName != "养老服务" || !slices.Equal(v.TopicNames, []string{"养老服务"}) {
				t.Fatalf("public %s: %v %+v", key, err, v)
			}
		}
		// Not in another bureau.
		if _, err := f.svc.PublicItem(ctx, f.b.ID, pub.IndexNo); !fault.Is(err, fault.NotFound) {
			t.Fatalf("A's item in B: %v", err)
		}
		// Repealed and amended: still listed, with the superseding item.
		newer := f.mustPublish(t, input("新办法"))
		if _, err := f.svc.Transition(f.officer, f.a.ID, pub.ID, Step{Action: ActRepeal, Validity: Amended}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("amended without superseding item: %v", err)
		}
		if _, err := f.svc.Transition(f.officer, f.a.ID, pub.ID, Step{Action: ActRepeal, Validity: Amended, SupersededBy: draft.ID}); !fault.Is(err, fault.Invalid) {
			t.Fatalf("superseded by a draft: %v", err)
		}
		if _, err := f.svc.Transition(f.officer, f.a.ID, pub.ID, Step{Action: ActRepeal, Validity: Amended, SupersededBy: newer.ID, Comment: "被新办法替代"}); err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.PublicItem(ctx, f.a.ID, pub.IndexNo)
		if err != nil || v.Item.State != Repealed || v.Item.Validity != Amended || v.SupersededBy == nil || v.SupersededBy.IndexNo != newer.IndexNo {
			t.Fatalf("repealed: %v %+v", err, v)
		}
		if res, _ := f.svc.PublicSearch(ctx, f.a.ID, Query{}); res.Total != 2 {
			t.Fatalf("public list after repeal: %d", res.Total)
		}
		if _, err := f.svc.Transition(f.admin, f.a.ID, pub.ID, Step{Action: ActWithdraw, Comment: "撤回"}); err != nil {
			t.Fatal(err)
		}
		if v, err := f.svc.PublicItem(ctx, f.a.ID, pub.IndexNo); err != nil || !v.Gone {
			t.Fatalf("withdrawn: %v %+v", err, v)
		}
		if res, _ := f.svc.PublicSearch(ctx, f.a.ID, Query{}); res.Total != 1 {
			t.Fatalf("public list after withdrawal: %d", res.Total)
		}
		if ys, err := f.svc.PublicYears(ctx, f.a.ID); err != nil || !slices.Equal(ys, []int{2026}) {
			t.Fatalf("years %v %v", ys, err)
		}
		f.checkPublicCounts(t, f.a.ID)
		f.checkPublicCounts(t, f.b.ID)
	})
}

func TestPublicationRisks(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		// today 2026-03-02: formed 2026-01-26 is due 2026-03-02 (Spring
		// Festival rest days in between) ... computed with the calendar, so
		// the test states only the ordering and the window.
		cal, _ := workday.Default()
		today := workday.MustParseDate("2026-03-02")
		mk := func(title string, formedDaysAgo int) int64 {
			in := input(title)
			// formed n working days before today
			d := today
			for i := 0; i < formedDaysAgo; {
				d = d.AddDays(-1)
				if ok, _ := cal.IsWorkingDay(d); ok {
					i++
				}
			}
			in.FormedOn = d
			it, err := f.svc.Create(f.officer, f.a.ID, in)
			if err != nil {
				t.Fatal(err)
			}
			return it.ID
		}
		overdue := mk("已超期", 25) // 5 working days past
		dueToday := mk("今日到期", 20)
		near := mk("五日内到期", 15) // 5 left
		mk("尚早", 14)            // 6 left: not listed
		pub := f.mustPublish(t, input("已发布不计"))
		_ = pub
		risks, err := f.svc.PublicationRisks(f.viewer, f.a.ID, today)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range risks {
			got = append(got, fmt.Sprintf("%d:%d:%v", r.Item.ID, r.DaysLeft, r.Overdue))
		}
		want := []string{fmt.Sprintf("%d:-5:true", overdue), fmt.Sprintf("%d:0:false", dueToday), fmt.Sprintf("%d:5:false", near)}
		if !slices.Equal(got, want) {
			t.Fatalf("risks = %v, want %v", got, want)
		}
		if _, err := f.svc.PublicationRisks(f.bAdmin, f.a.ID, today); !fault.Is(err, fault.NotFound) {
			t.Fatalf("B reading A's risks: %v", err)
		}
	})
}

func TestCategories(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		ctx := context.Background()
		if n, err := f.svc.SeedCategories(f.sys, f.a.ID); err != nil || n != 0 {
			t.Fatalf("second seed: %d %v", n, err)
		}
		tree, err := f.svc.Categories(ctx, f.a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tree[0].Code != "functions" || tree[1].Code != "policy" || len(tree[1].Children) != 3 || tree[1].Children[0].Name != "规章" {
			t.Fatalf("tree = %+v", tree[:2])
		}
		wtree, _ := f.svc.Categories(ctx, f.b.ID)
		if len(wtree) != 5 || wtree[0].Name != "收费标准" {
			t.Fatalf("welfare home tree = %+v", wtree)
		}
		_, err = f.svc.AddCategory(f.officer, f.a.ID, "elderly_care.subsidies", "养老补贴")
		wantCode(t, err, fault.Forbidden)
		_, err = f.svc.AddCategory(f.bAdmin, f.a.ID, "elderly_care.subsidies", "养老补贴")
		wantCode(t, err, fault.NotFound)
		_, err = f.svc.AddCategory(f.admin, f.a.ID, "nope.child", "子类")
		wantCode(t, err, fault.Invalid, "parent")
		_, err = f.svc.AddCategory(f.admin, f.a.ID, "Bad Code", "子类")
		wantCode(t, err, fault.Invalid, "code")
		_, err = f.svc.AddCategory(f.admin, f.a.ID, "functions", "重复")
		wantCode(t, err, fault.Conflict)
		if _, err := f.svc.AddCategory(f.admin, f.a.ID, "elderly_care.subsidies", "养老补贴"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RenameCategory(f.admin, f.a.ID, "elderly_care.subsidies", "养老服务补贴"); err != nil {
			t.Fatal(err)
		}
		in := input("高龄津贴发放")
		in.Category = "elderly_care.subsidies"
		it, err := f.svc.Create(f.officer, f.a.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.svc.DeleteCategory(f.admin, f.a.ID, "elderly_care"), fault.Conflict, "sub-categories")
		wantCode(t, f.svc.DeleteCategory(f.admin, f.a.ID, "elderly_care.subsidies"), fault.Conflict, "1 items")
		// Browsing a category includes its sub-categories.
		res, err := f.svc.List(f.viewer, f.a.ID, Query{Category: "elderly_care"})
		if err != nil || res.Total != 1 || res.Hits[0].CategoryName != "养老服务补贴" {
			t.Fatalf("list by parent category: %v %+v", err, res)
		}
		if err := f.svc.Delete(f.officer, f.a.ID, it.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DeleteCategory(f.admin, f.a.ID, "elderly_care.subsidies"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, f.svc.DeleteCategory(f.admin, f.a.ID, "elderly_care.subsidies"), fault.NotFound)
		trail := auditActions(t, f, f.a.ID)
		for _, w := range []string{"catalog.categories_seeded", "catalog.category_added/elderly_care.subsidies by adam", "catalog.category_renamed", "catalog.category_deleted", "catalog.item_deleted"} {
			if !strings.Contains(trail, w) {
				t.Fatalf("audit lacks %q: %s", w, trail)
			}
		}
	})
}

func TestImportExport(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		batch := func() []ItemInput {
			var rows []ItemInput
			for i := range 3 {
				in := input(fmt.Sprintf("导入条目%d", i))
				in.ExternalID = fmt.Sprintf("OA-2026-%d", i)
				rows = append(rows, in)
			}
			return rows
		}
		count := func() int {
			res, err := f.svc.List(f.viewer, f.a.ID, Query{})
			if err != nil {
				t.Fatal(err)
			}
			return res.Total
		}
		rep, err := f.svc.Import(f.officer, f.a.ID, batch())
		if err != nil || !rep.Applied || rep.Created != 3 || rep.Rows[2].ID == 0 {
			t.Fatalf("first import: %v %+v", err, rep)
		}
		// Idempotent: the same batch again changes nothing.
		rep, err = f.svc.Import(f.officer, f.a.ID, batch())
		if err != nil || rep.Unchanged != 3 || rep.Created != 0 || count() != 3 {
			t.Fatalf("second import: %v %+v", err, rep)
		}
		rows := batch()
		rows[1].Summary = "更新后的概述"
		rep, err = f.svc.Import(f.officer, f.a.ID, rows)
		if err != nil || rep.Updated != 1 || rep.Unchanged != 2 {
			t.Fatalf("update import: %v %+v", err, rep)
		}
		// All or nothing: one bad row rejects the batch; the report names it.
		rows = batch()
		rows = append(rows, ItemInput{ExternalID: "OA-2026-9", Title: "", FormedOn: workday.MustParseDate("2026-02-01"), Category: "functions"})
		rows = append(rows, ItemInput{ExternalID: "OA-2026-10", Title: "新条目", FormedOn: workday.MustParseDate("2026-02-01"), Category: "functions"})
		rows = append(rows, ItemInput{ExternalID: "OA-2026-11", Title: "类别错误", FormedOn: workday.MustParseDate("2026-02-01"), Category: "nope"})
		rows[0].Summary = "本行本可更新"
		rep, err = f.svc.Import(f.officer, f.a.ID, rows)
		wantCode(t, err, fault.Invalid)
		var fields []string
		for _, fe := range fault.FieldsOf(err) {
			fields = append(fields, fe.Field)
		}
		if !slices.Equal(fields, []string{"items[3].title", "items[5].category"}) || rep == nil || rep.Applied || rep.Rejected != 2 || rep.Rows[4].Status != RowCreated || rep.Rows[4].ID != 0 {
			t.Fatalf("rejected batch: fields %v report %+v", fields, rep)
		}
		if count() != 3 {
			t.Fatalf("rejected batch wrote items: %d", count())
		}
		det, err := f.svc.Get(f.viewer, f.a.ID, rep.Rows[0].ID)
		if err != nil || det.Item.Summary == "本行本可更新" {
			t.Fatalf("rejected batch updated row 0: %v %q", err, det.Item.Summary)
		}
		// Duplicate external IDs within a batch, and a missing one.
		_, err = f.svc.Import(f.officer, f.a.ID, []ItemInput{input("甲"), {ExternalID: "X", Title: "乙", FormedOn: testNowDate(), Category: "functions"}, {ExternalID: "X", Title: "丙", FormedOn: testNowDate(), Category: "functions"}})
		wantCode(t, err, fault.Invalid, "items[0].external_id")
		if len(fault.FieldsOf(err)) != 2 {
			t.Fatalf("fields %v", fault.FieldsOf(err))
		}
		// A published item is not changed by import; identical is fine.
		rows = batch()
		first := rows[0]
		id := mustFind(t, f, first.ExternalID)
		for _, st := range []struct {
			ctx context.Context
			act string
		}{{f.officer, ActSubmit}, {f.reviewer, ActApprove}, {f.officer, ActPublish}} {
			if _, err := f.svc.Transition(st.ctx, f.a.ID, id, Step{Action: st.act}); err != nil {
				t.Fatal(err)
			}
		}
		if rep, err := f.svc.Import(f.officer, f.a.ID, []ItemInput{first}); err != nil || rep.Unchanged != 1 {
			t.Fatalf("identical published: %v %+v", err, rep)
		}
		first.Title = "改标题"
		_, err = f.svc.Import(f.officer, f.a.ID, []ItemInput{first})
		wantCode(t, err, fault.Invalid, "published", "revision")
		_, err = f.svc.Import(f.reviewer, f.a.ID, batch())
		wantCode(t, err, fault.Forbidden)

		// Export: JSON that imports back unchanged, and CSV.
		var js bytes.Buffer
		if err := f.svc.Export(f.viewer, f.a.ID, nil, FormatJSON, &js); err != nil {
			t.Fatal(err)
		}
		var exported []ExportItem
		if err := json.Unmarshal(js.Bytes(), &exported); err != nil || len(exported) != 3 {
			t.Fatalf("json export: %v %s", err, js.String())
		}
		if exported[0].State != Published || exported[0].IndexNo == "" || exported[1].State != Draft {
			t.Fatalf("export states: %+v", exported[:2])
		}
		var again []ItemInput
		for _, e := range exported {
			again = append(again, ItemInput{ExternalID: e.ExternalID, Title: e.Title, Summary: e.Summary, Body: e.Body, DocNo: e.DocNo, Issuer: e.Issuer,
				FormedOn: e.FormedOn, Category: e.Category, Topics: e.Topics, DocKind: e.DocKind, Basis: e.Basis})
		}
		if rep, err := f.svc.Import(f.officer, f.a.ID, again); err != nil || rep.Unchanged != 3 {
			t.Fatalf("re-import of export: %v %+v", err, rep)
		}
		var cs bytes.Buffer
		if err := f.svc.Export(f.viewer, f.a.ID, []State{Draft}, FormatCSV, &cs); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&cs).ReadAll()
		if err != nil || len(recs) != 3 || recs[0][0] != "id" || recs[1][5] != "导入条目1" || recs[1][2] != "draft" {
			t.Fatalf("csv: %v %v", err, recs)
		}
		wantCode(t, f.svc.Export(f.viewer, f.a.ID, nil, "xml", &cs), fault.Invalid, "format")
		wantCode(t, f.svc.Export(f.bAdmin, f.a.ID, nil, FormatCSV, &cs), fault.NotFound)
	})
}

func testNowDate() workday.Date { return workday.FromTime(testNow, nil) }

func mustFind(t *testing.T, f *fixture, ext string) int64 {
	t.Helper()
	var exp bytes.Buffer
	if err := f.svc.Export(f.viewer, f.a.ID, nil, FormatJSON, &exp); err != nil {
		t.Fatal(err)
	}
	var items []ExportItem
	_ = json.Unmarshal(exp.Bytes(), &items)
	for _, it := range items {
		if it.ExternalID == ext {
			return it.ID
		}
	}
	t.Fatalf("no item %s", ext)
	return 0
}

func TestSystemActorAndNoActor(t *testing.T) {
	t.Parallel()
	f := newFixture(t, db.SQLite)
	_, err := f.svc.Create(context.Background(), f.a.ID, input("无身份"))
	wantCode(t, err, fault.Unauthenticated)
	_, err = f.svc.Create(authz.WithActor(context.Background(), authz.System), f.a.ID, input("系统"))
	if err != nil {
		t.Fatal(err)
	}
}

func TestDocumentCounts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		norm := func(title string) ItemInput {
			in := input(title)
			in.DocKind = KindNormative
			return in
		}
		a := f.mustPublish(t, norm("规范性文件甲"))
		b := f.mustPublish(t, norm("规范性文件乙"))
		c := f.mustPublish(t, norm("规范性文件丙"))
		rule := input("规章甲")
		rule.DocKind = KindRule
		f.mustPublish(t, rule)
		other := input("其他文件")
		other.DocKind = KindOther
		f.mustPublish(t, other)
		if _, err := f.svc.Create(f.officer, f.a.ID, norm("未发布")); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Transition(f.officer, f.a.ID, a.ID, Step{Action: ActRepeal, Comment: "废止"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Transition(f.admin, f.a.ID, b.ID, Step{Action: ActWithdraw, Comment: "误发"}); err != nil {
			t.Fatal(err)
		}
		_ = c
		rules, normative, err := f.svc.DocumentCounts(f.viewer, f.a.ID, 2026)
		if err != nil {
			t.Fatal(err)
		}
		// Made: 甲 and 丙 (乙 withdrawn); repealed: 甲; in force at the end
		// of 2026: 丙 only.
		if normative.Made != 2 || normative.Repealed != 1 || normative.InForce != 1 || rules.Made != 1 || rules.InForce != 1 {
			t.Fatalf("rules %+v normative %+v", rules, normative)
		}
		// At the end of 2025 nothing was published yet.
		rules, normative, err = f.svc.DocumentCounts(f.viewer, f.a.ID, 2025)
		if err != nil || normative.Made+normative.InForce+rules.InForce != 0 {
			t.Fatalf("2025: %v %+v %+v", err, rules, normative)
		}
	})
}
