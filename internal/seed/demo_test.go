package seed_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"gongkai/internal/app"
	"gongkai/internal/apptest"
	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/config"
	"gongkai/internal/dbtest"
	"gongkai/internal/fault"
	"gongkai/internal/inquiry"
	"gongkai/internal/request"
	"gongkai/internal/seed"
	"gongkai/internal/workday"
)

func TestDemoIsIdempotentAndRefusesRealData(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			clock := &seed.Clock{}
			a := apptest.Boot(t, dialect, func(_ *config.Config, o *app.Options) { o.Now = clock.Now })
			today := workday.FromTime(time.Now(), a.Config.Location)
			res, err := seed.Demo(context.Background(), a, today, clock, false)
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests < 100 || res.Appeals != 4 || res.Inquiries < 100 || res.Reports < 10 || res.CatalogItems < 100 {
				t.Fatalf("demo created %+v", res)
			}
			if now := clock.Now(); time.Since(now).Abs() > time.Minute {
				t.Fatalf("the clock was left at %s", now)
			}
			checkDemoCatalog(t, a, today)
			checkDemoInquiries(t, a, today)
			again, err := seed.Demo(context.Background(), a, today, clock, false)
			if err != nil || again != (seed.Result{}) {
				t.Fatalf("second run: %+v, %v", again, err)
			}
			// The published 2025 report passes every invariant.
			ctx := authz.WithActor(context.Background(), authz.System)
			tn, _ := a.Tenants.BySlug(ctx, "civil-affairs")
			if _, v, err := a.Reports.Check(ctx, tn.ID, 2025); err != nil || len(v) != 0 {
				t.Fatalf("2025 check: %v %v", v, err)
			}
			// A database with real requests is refused without --force.
			b := apptest.Boot(t, dialect)
			tb, _ := b.Tenants.BySlug(ctx, "welfare-home")
			if _, _, err := b.Requests.Register(ctx, tb.ID, request.NewRequest{Channel: "in_person", ArrivedOn: today,
				Applicant: request.Applicant{Type: "natural_person", Name: "真实申请人", Phone: "1"}, Content: "x"}); err != nil {
				t.Fatal(err)
			}
			if _, err := seed.Demo(context.Background(), b, today, nil, false); !fault.Is(err, fault.Conflict) {
				t.Fatalf("seeding real data: %v", err)
			}
			// So is one whose only real data is a catalog item.
			c := apptest.Boot(t, dialect)
			tc, _ := c.Tenants.BySlug(ctx, "funeral-home")
			tree, err := c.Catalog.Categories(ctx, tc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Catalog.Create(ctx, tc.ID, catalog.ItemInput{Title: "真实的目录项", FormedOn: today, Category: catalog.Leaves(tree)[0].Code}); err != nil {
				t.Fatal(err)
			}
			if _, err := seed.Demo(context.Background(), c, today, nil, false); !fault.Is(err, fault.Conflict) {
				t.Fatalf("seeding over a real catalog: %v", err)
			}
		})
	}
}

// checkDemoCatalog: the civil affairs bureau's demo catalog has items in
// every category, published over more than a year with gapless index
// numbers per year, drafts, items awaiting review, a withdrawn item (410),
// an amended one pointing to its successor, a revised one, and items
// published after the 20 working days of Art. 26.
func checkDemoCatalog(t *testing.T, a *app.App, today workday.Date) {
	t.Helper()
	ctx := authz.WithActor(context.Background(), authz.System)
	for _, slug := range []string{"civil-affairs", "funeral-home", "welfare-home", "veteran-center", "rescue-station"} {
		tn, err := a.Tenants.BySlug(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		tree, err := a.Catalog.Categories(ctx, tn.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range catalog.Leaves(tree) {
			res, err := a.Catalog.List(ctx, tn.ID, catalog.Query{Category: c.Code, PerPage: 1})
			if err != nil || res.Total == 0 {
				t.Fatalf("%s: no demo item in category %s %s (%v)", slug, c.Code, c.Name, err)
			}
		}
	}
	tn, _ := a.Tenants.BySlug(ctx, "civil-affairs")
	var all []catalog.Hit
	for page := 1; ; page++ {
		res, err := a.Catalog.List(ctx, tn.ID, catalog.Query{Page: page, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, res.Hits...)
		if page >= res.Pages() {
			break
		}
	}
	states := map[catalog.State]int{}
	seqs := map[int][]int{}
	late, revised := 0, 0
	var oldest workday.Date
	var amended *catalog.Item
	for _, h := range all {
		states[h.State]++
		if h.IndexNo != "" {
			seqs[h.IndexYear] = append(seqs[h.IndexYear], h.IndexSeq)
			if h.PublishedOn.Year != h.IndexYear {
				t.Fatalf("%s published on %s", h.IndexNo, h.PublishedOn)
			}
			if oldest.IsZero() || h.PublishedOn.Before(oldest) {
				oldest = h.PublishedOn
			}
			due, _, err := a.Catalog.ExplainDue(ctx, h.FormedOn)
			if err != nil {
				t.Fatal(err)
			}
			if h.PublishedOn.After(due) {
				late++
			}
		}
		if !h.RevisedOn.IsZero() {
			revised++
		}
		if h.Validity == catalog.Amended {
			it := h.Item
			amended = &it
		}
	}
	for _, st := range []catalog.State{catalog.Draft, catalog.Submitted, catalog.Published, catalog.Withdrawn, catalog.Repealed} {
		if states[st] == 0 {
			t.Fatalf("no demo item is %s: %v", st, states)
		}
	}
	if len(seqs) < 2 || !oldest.Before(today.AddDays(-365)) {
		t.Fatalf("publications cover %d years from %s; want more than a year", len(seqs), oldest)
	}
	for year, s := range seqs {
		slices.Sort(s)
		for i, n := range s {
			if n != i+1 {
				t.Fatalf("index numbers of %d are not gapless: %v", year, s)
			}
		}
	}
	if late == 0 || revised == 0 || amended == nil || amended.SupersededBy == 0 {
		t.Fatalf("late %d, revised %d, amended %+v", late, revised, amended)
	}
	for _, h := range all {
		if h.State == catalog.Withdrawn {
			v, err := a.Catalog.PublicItem(ctx, tn.ID, h.IndexNo)
			if err != nil || !v.Gone {
				t.Fatalf("withdrawn %s: %+v %v", h.IndexNo, v, err)
			}
		}
	}
	if res, err := a.Catalog.PublicSearch(ctx, tn.ID, catalog.Query{Q: "养老"}); err != nil || res.Total == 0 {
		t.Fatalf("public search 养老: %v %v", res, err)
	}
}

// checkDemoInquiries: every channel has inquiries, some unanswered.
func checkDemoInquiries(t *testing.T, a *app.App, today workday.Date) {
	t.Helper()
	ctx := authz.WithActor(context.Background(), authz.System)
	tn, _ := a.Tenants.BySlug(ctx, "civil-affairs")
	st, err := a.Inquiries.Summary(ctx, tn.ID, today.AddDays(-600), today)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range inquiry.Channels {
		if st.ByChannel[ch] == 0 {
			t.Fatalf("no demo inquiry by %s: %+v", ch, st)
		}
	}
	if st.Answered == st.Total || st.Answered == 0 {
		t.Fatalf("answered %d of %d", st.Answered, st.Total)
	}
}
