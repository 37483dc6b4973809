package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/dbtest"
)

func TestBigrams(t *testing.T) {
	cases := map[string][]string{
		"":       nil,
		"养":      nil,
		"养老":     {"养老"},
		"养老院养老":  {"养老", "老院", "院养"},
		"ab\nc":  {"ab", "b\n", "\nc"},
		"〔2026〕": {"〔2", "20", "02", "26", "6〕"},
	}
	for in, want := range cases {
		if got := bigrams(in); !slices.Equal(got, want) {
			t.Errorf("bigrams(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct {
		terms []string
		grams []string
		exact bool
	}{
		{[]string{"养老"}, []string{"养老"}, true},
		{[]string{"养老", "收费"}, []string{"养老", "收费"}, true},
		{[]string{"养老院"}, []string{"养老", "老院"}, false},
		{[]string{"老"}, nil, false},
		{[]string{"老", "收费"}, []string{"收费"}, false},
		{[]string{"ab", "ab"}, []string{"ab"}, false}, // AB and ab: two terms, one gram
	} {
		p := planGrams(c.terms, false)
		if !slices.Equal(p.grams, c.grams) || p.exact != c.exact {
			t.Errorf("planGrams(%q) = %q %v, want %q %v", c.terms, p.grams, p.exact, c.grams, c.exact)
		}
	}
}

// gramRows returns the index rows of bureau A as sorted strings.
func gramRows(t *testing.T, f *fixture) []string {
	t.Helper()
	var rows []gram
	err := f.d.InTx(context.Background(), db.Tenant(f.a.ID), func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&rows).Where("tenant_id = ?", f.a.ID).Scan(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = fmt.Sprintf("%d|%q|%d|%v", r.ItemID, r.Gram, r.InTitle, r.PublishedOn)
	}
	slices.Sort(out)
	return out
}

// TestPublicSearchIndex checks that the public search through the bigram
// index finds exactly what a scan finds (the staff list of the published
// and repealed items scans), in the same order, and that every workflow
// step keeps the index right.
func TestPublicSearchIndex(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := fixtureOn(t, d)
		ctx := context.Background()
		home := f.mustPublish(t, input("市养老院收费标准"))
		in := input("关于养老服务补贴发放的通知")
		in.DocNo = "营民发〔2026〕3号"
		subsidy := f.mustPublish(t, in)
		latin := f.mustPublish(t, input("Elderly Care ABC Guide"))
		funeral := f.mustPublish(t, input("殡葬管理办法"))
		fees := f.mustPublish(t, input("养老机构收费 养老服务"))
		gone := f.mustPublish(t, input("养老护理员培训通知"))
		if _, err := f.svc.Transition(f.admin, f.a.ID, gone.ID, Step{Action: ActWithdraw, Comment: "发布有误"}); err != nil {
			t.Fatal(err)
		}
		old := f.mustPublish(t, input("旧养老补贴办法"))
		if _, err := f.svc.Transition(f.admin, f.a.ID, old.ID, Step{Action: ActRepeal}); err != nil {
			t.Fatal(err)
		}
		draft, err := f.svc.Create(f.officer, f.a.ID, input("养老草稿不公开"))
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []Query{
			{Q: "养老"}, {Q: "养老 收费"}, {Q: "收费　养老"}, {Q: "养老院收费"}, {Q: "养老院 标准"},
			{Q: "elderly"}, {Q: "ELDERLY care"}, {Q: "abc"}, {Q: "ABC abc"}, {Q: "营民发〔2026〕3号"}, {Q: "〔2026〕"},
			{Q: home.IndexNo}, {Q: "老"}, {Q: "养 老"}, {Q: "老 收费"}, {Q: "不存在"}, {Q: "草稿"}, {Q: "培训"},
			{Q: "养老", Category: "elderly_care"}, {Q: "养老", Category: "funeral"}, {Q: "养老", Year: 2026},
			{Q: "养老", PerPage: 2, Page: 2}, {Q: "养老", PerPage: 2, Page: 9}, {Q: "养老 服务", PerPage: 1},
		} {
			got, err := f.svc.PublicSearch(ctx, f.a.ID, q)
			if err != nil {
				t.Fatalf("%+v: %v", q, err)
			}
			sq := q
			sq.States = []State{Published, Repealed}
			want, err := f.svc.List(f.viewer, f.a.ID, sq)
			if err != nil {
				t.Fatal(err)
			}
			if got.Total != want.Total || !slices.EqualFunc(got.Hits, want.Hits, func(a, b Hit) bool {
				return a.ID == b.ID && a.TitleHTML == b.TitleHTML && a.SummaryHTML == b.SummaryHTML
			}) {
				t.Errorf("%+v: index gives %d %v, scan %d %v", q, got.Total, hitIDs(got), want.Total, hitIDs(want))
			}
		}
		// The rarest bigrams narrow a search that verifies its candidates;
		// when all are too common it scans.
		for _, c := range []struct {
			common int
			want   []string
		}{{commonGram, []string{"〕3", "3号", "营民"}}, {2, []string{"〕3", "3号"}}, {1, nil}} {
			p := planGrams([]string{"营民发〔2026〕3号"}, false)
			err := d.InTx(ctx, db.Tenant(f.a.ID), func(ctx context.Context, tx bun.Tx) error {
				return p.narrowTx(ctx, tx, f.a.ID, c.common)
			})
			if err != nil || !slices.Equal(p.grams, c.want) {
				t.Errorf("narrow with %d: %q %v, want %q", c.common, p.grams, err, c.want)
			}
		}
		expect := func(q string, want ...int64) {
			t.Helper()
			res, err := f.svc.PublicSearch(ctx, f.a.ID, Query{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			if got := hitIDs(res); !slices.Equal(got, want) {
				t.Errorf("search %q: %v, want %v", q, got, want)
			}
		}
		// Title matches first (fees has 养老 in its title twice over, it is
		// newest among equals: higher id on the same day).
		expect("养老", old.ID, fees.ID, subsidy.ID, home.ID)
		expect("养老院", home.ID)
		expect("营民发〔2026〕3号", subsidy.ID)
		expect("ABC", latin.ID)
		expect("培训") // withdrawn
		expect("草稿") // a draft

		// A revision replaces the title: found by its new words only.
		rev, err := f.svc.Revise(f.officer, f.a.ID, funeral.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Update(f.officer, f.a.ID, rev.ID, input("婚姻登记管理办法")); err != nil {
			t.Fatal(err)
		}
		expect("殡葬", funeral.ID) // the revision is a draft until published
		expect("婚姻")
		if _, err := f.svc.Transition(f.officer, f.a.ID, rev.ID, Step{Action: ActSubmit}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Transition(f.reviewer, f.a.ID, rev.ID, Step{Action: ActApprove}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Transition(f.officer, f.a.ID, rev.ID, Step{Action: ActPublish}); err != nil {
			t.Fatal(err)
		}
		expect("殡葬")
		expect("婚姻", funeral.ID)
		expect("婚姻登记管理", funeral.ID)

		// Withdrawing the fee schedule takes it out.
		if _, err := f.svc.Transition(f.admin, f.a.ID, fees.ID, Step{Action: ActWithdraw, Comment: "已废止"}); err != nil {
			t.Fatal(err)
		}
		expect("养老", old.ID, subsidy.ID, home.ID)

		// Deleting a draft leaves no rows behind.
		if err := f.svc.Delete(f.officer, f.a.ID, draft.ID); err != nil {
			t.Fatal(err)
		}

		// The rows written by the service are exactly those the migration's
		// backfill computes from the items.
		written := gramRows(t, f)
		for _, r := range written {
			for _, id := range []int64{gone.ID, fees.ID, draft.ID, rev.ID} {
				if strings.HasPrefix(r, fmt.Sprintf("%d|", id)) {
					t.Fatalf("item %d is not public but indexed: %s", id, r)
				}
			}
		}
		err = f.d.InTx(ctx, db.Tenant(f.a.ID), func(ctx context.Context, tx bun.Tx) error {
			if _, err := tx.NewDelete().Model((*gram)(nil)).Where("tenant_id = ?", f.a.ID).Exec(ctx); err != nil {
				return err
			}
			return rebuildGramsTx(ctx, tx, d.Dialect, f.a.ID)
		})
		if err != nil {
			t.Fatal(err)
		}
		if rebuilt := gramRows(t, f); !slices.Equal(written, rebuilt) {
			t.Errorf("service wrote %d rows, the backfill %d:\n%v\n%v", len(written), len(rebuilt), written, rebuilt)
		}
		expect("养老", old.ID, subsidy.ID, home.ID)
	})
}

// hitIDs returns the ids of the hits in order.
func hitIDs(r *Results) []int64 {
	ids := make([]int64, len(r.Hits))
	for i, h := range r.Hits {
		ids[i] = h.ID
	}
	return ids
}
