package catalog

import (
	"context"
	"slices"
	"testing"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/workday"
)

// TestBulkPublish: bulk items take index numbers from the same counters as
// the workflow — after one already published, gapless per year, in order of
// publication date — are public and searchable at once, keep revision 1 and
// a publish step, and a batch with one bad row writes nothing and names it.
func TestBulkPublish(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		ctx := context.Background()
		first := f.mustPublish(t, input("先行发布的养老文件")) // 2026-00001 through the workflow

		day := workday.MustParseDate
		item := func(title, published string) BulkItem {
			p := day(published)
			return BulkItem{PublishedOn: p, ItemInput: ItemInput{Title: title, Summary: title + "的内容概述", FormedOn: p.AddDays(-5), Category: "elderly_care"}}
		}
		batch := []BulkItem{
			item("二〇二六年二月养老机构名单", "2026-02-10"),
			item("二〇二五年殡葬收费标准", "2025-06-01"),
			item("二〇二六年一月救助情况", "2026-01-15"),
			item("二〇二五年婚姻登记指南", "2025-03-01"),
		}

		// Not a platform administrator: refused, nothing written.
		_, err := f.svc.BulkPublish(f.admin, f.a.ID, batch)
		wantCode(t, err, fault.Forbidden)

		bad := append([]BulkItem{}, batch...)
		future := item("未来的文件", "2026-02-01")
		future.PublishedOn = day("2026-12-01")
		bad = append(bad, item("", "2026-02-01"), future)
		bad = append(bad, BulkItem{PublishedOn: day("2026-01-05"), ItemInput: ItemInput{Title: "无此分类", FormedOn: day("2026-01-02"), Category: "no_such"}})
		_, err = f.svc.BulkPublish(f.sys, f.a.ID, bad)
		wantCode(t, err, fault.Invalid)
		if p := fault.FieldsOf(err); len(p) != 2 || p[0].Field != "items[4].title" || p[1].Field != "items[5].published_on" {
			t.Fatalf("field errors = %+v, want items[4].title and items[5].published_on", p)
		}
		onlyCategory := append(append([]BulkItem{}, batch...), bad[6])
		_, err = f.svc.BulkPublish(f.sys, f.a.ID, onlyCategory)
		if p := fault.FieldsOf(err); len(p) != 1 || p[0].Field != "items[4].category" {
			t.Fatalf("unknown category: %v, want a field error on items[4].category", err)
		}

		n, err := f.svc.BulkPublish(f.sys, f.a.ID, batch)
		if err != nil || n != len(batch) {
			t.Fatalf("BulkPublish = %d, %v", n, err)
		}
		want := map[string]string{ // title → index number: by year, in order of publication
			"二〇二五年婚姻登记指南":   "112108000012358135/2025-00001",
			"二〇二五年殡葬收费标准":   "112108000012358135/2025-00002",
			"二〇二六年一月救助情况":   "112108000012358135/2026-00002",
			"二〇二六年二月养老机构名单": "112108000012358135/2026-00003",
			first.Title: "112108000012358135/2026-00001",
		}
		for title, idx := range want {
			v, err := f.svc.PublicItem(ctx, f.a.ID, idx)
			if err != nil {
				t.Fatalf("public item %s: %v", idx, err)
			}
			if v.Item.Title != title {
				t.Fatalf("%s is %q, want %q", idx, v.Item.Title, title)
			}
		}
		// The workflow continues the counter after the batch.
		next := f.mustPublish(t, input("批量之后发布的文件"))
		if next.IndexNo != "112108000012358135/2026-00004" {
			t.Fatalf("next index number = %s, want 2026-00004", next.IndexNo)
		}
		// Searchable (the bigram index), with history.
		res, err := f.svc.PublicSearch(ctx, f.a.ID, Query{Q: "殡葬"})
		if err != nil || res.Total != 1 || res.Hits[0].Item.Title != "二〇二五年殡葬收费标准" {
			t.Fatalf("search 殡葬 = %+v, %v", res, err)
		}
		var revs, steps int64
		err = d.InTx(ctx, db.Tenant(f.a.ID), func(ctx context.Context, tx bun.Tx) error {
			var err error
			if revs, err = tx.NewSelect().Model((*Revision)(nil)).Where("tenant_id = ? AND revision = 1", f.a.ID).Count(ctx); err != nil {
				return err
			}
			steps, err = tx.NewSelect().Model((*Transition)(nil)).Where("tenant_id = ? AND action = ?", f.a.ID, ActPublish).Count(ctx)
			return err
		})
		if err != nil || revs != 6 || steps != 6 {
			t.Fatalf("revisions %d, publish steps %d (%v); want 6 each", revs, steps, err)
		}
		// The years of the public catalog: those with a public item, so a
		// year whose only item was withdrawn is not offered.
		if _, err := f.svc.BulkPublish(f.sys, f.a.ID, []BulkItem{item("二〇二四年的唯一文件", "2024-05-06")}); err != nil {
			t.Fatal(err)
		}
		only, err := f.svc.PublicItem(ctx, f.a.ID, "112108000012358135/2024-00001")
		if err != nil {
			t.Fatal(err)
		}
		if years, err := f.svc.PublicYears(ctx, f.a.ID); err != nil || !slices.Equal(years, []int{2026, 2025, 2024}) {
			t.Fatalf("public years %v, %v", years, err)
		}
		if _, err := f.svc.Transition(f.admin, f.a.ID, only.Item.ID, Step{Action: ActWithdraw, Comment: "误发"}); err != nil {
			t.Fatal(err)
		}
		if years, err := f.svc.PublicYears(ctx, f.a.ID); err != nil || !slices.Equal(years, []int{2026, 2025}) {
			t.Fatalf("public years after the withdrawal %v, %v", years, err)
		}
		// Gapless per year: the counters are at the next free number.
		for year, wantNext := range map[int]int{2025: 3, 2026: 5} {
			var got int
			err := d.InTx(ctx, db.Tenant(f.a.ID), func(ctx context.Context, tx bun.Tx) error {
				return tx.NewSelect().Model((*indexCounter)(nil)).Column("next_seq").Where("tenant_id = ? AND year = ?", f.a.ID, year).Scan(ctx, &got)
			})
			if err != nil || got != wantNext {
				t.Fatalf("counter %d = %d (%v), want %d", year, got, err, wantNext)
			}
		}
		f.checkPublicCounts(t, f.a.ID)
	})
}
