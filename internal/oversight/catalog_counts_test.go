package oversight_test

import (
	"context"
	"slices"
	"testing"

	"gongkai/internal/authz"
	"gongkai/internal/catalog"
	"gongkai/internal/dbtest"
	"gongkai/internal/identity"
	"gongkai/internal/oversight"
	"gongkai/internal/workday"
)

// publisher writes, reviews and publishes catalog items of one bureau.
type publisher struct {
	c                 *city
	slug              string
	officer, reviewer context.Context
	category          string
}

func (c *city) publisher(slug string) *publisher {
	c.t.Helper()
	person := func(username, role string) context.Context {
		m, err := c.app.Identity.AddMember(c.ctx, c.ids[slug], identity.NewMember{Username: username, DisplayName: username, Password: "Correct-Horse-9-Battery", Roles: []string{role}})
		if err != nil {
			c.t.Fatal(err)
		}
		return authz.WithActor(context.Background(), authz.Actor{Subject: m.User.Subject(), UserID: m.User.ID, Name: username, TenantID: c.ids[slug]})
	}
	t, err := c.app.Tenants.BySlug(c.ctx, slug)
	if err != nil {
		c.t.Fatal(err)
	}
	return &publisher{c: c, slug: slug, officer: person(slug+"-officer", authz.InfoOfficer), reviewer: person(slug+"-reviewer", authz.Reviewer),
		category: c.app.Catalog.Template(t).Categories[0].Code}
}

// approve takes an item (new, or a revision draft when id is set) to approved.
func (p *publisher) approve(title, formed string) int64 {
	p.c.t.Helper()
	cat, id := p.c.app.Catalog, p.c.ids[p.slug]
	it, err := cat.Create(p.officer, id, catalog.ItemInput{Title: title, Summary: title, Body: "<p>" + title + "</p>", FormedOn: d(formed), Category: p.category})
	if err != nil {
		p.c.t.Fatalf("create %s: %v", title, err)
	}
	p.step(it.ID, catalog.ActSubmit, p.officer)
	p.step(it.ID, catalog.ActApprove, p.reviewer)
	return it.ID
}

func (p *publisher) step(itemID int64, action string, who context.Context) {
	p.c.t.Helper()
	if _, err := p.c.app.Catalog.Transition(who, p.c.ids[p.slug], itemID, catalog.Step{Action: action}); err != nil {
		p.c.t.Fatalf("%s item %d: %v", action, itemID, err)
	}
}

// publish publishes a new item formed on formed (today, 2026-07-15).
func (p *publisher) publish(title, formed string) int64 {
	p.c.t.Helper()
	id := p.approve(title, formed)
	p.step(id, catalog.ActPublish, p.officer)
	return id
}

// TestCatalogFiguresAgainstHandCountedValues: catalog items first published
// in the period and those published after the Art. 26 deadline, by bureau,
// in the totals and behind the figures.
//
// Everything is published today, Wednesday 2026-07-15. The working days in
// (2026-06-16, 2026-07-15] are 20 — June 17, 18, 22–26, 29, 30 (19 June is
// the Dragon Boat Festival holiday) and 11 in July — so an item formed on
// 16 June is published on its deadline day, on time, and one formed on 15
// June a day late.
//
// civil-affairs: c1 formed 07-01 (10 working days, on time), revised and
// the revision published too (still one item); c2 formed 06-16 (deadline
// day, on time); c3 formed 06-15 (late); c4 formed 05-06 (late); c5
// approved, not published (not counted). welfare-home: w1 formed 06-01
// (late).
func TestCatalogFiguresAgainstHandCountedValues(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			c := newCity(t, dialect)
			cal, err := c.app.Calendar.Calendar(c.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if due, err := cal.AddWorkingDays(d("2026-06-16"), catalog.PublicationDays); err != nil || due != d("2026-07-15") {
				t.Fatalf("the calendar differs from the hand count: 20 working days after 2026-06-16 is %s (%v)", due, err)
			}
			a, w := c.publisher("civil-affairs"), c.publisher("welfare-home")
			c1 := a.publish("c1", "2026-07-01")
			rev, err := c.app.Catalog.Revise(a.officer, c.ids["civil-affairs"], c1)
			if err != nil {
				t.Fatal(err)
			}
			a.step(rev.ID, catalog.ActSubmit, a.officer)
			a.step(rev.ID, catalog.ActApprove, a.reviewer)
			a.step(rev.ID, catalog.ActPublish, a.officer)
			a.publish("c2", "2026-06-16")
			c3 := a.publish("c3", "2026-06-15")
			c4 := a.publish("c4", "2026-05-06")
			a.approve("c5", "2026-05-06")
			w1 := w.publish("w1", "2026-06-01")

			ctx := c.overseer()
			ov := c.app.Oversight
			dash, err := ov.Dashboard(ctx, 2026, workday.Date{}, workday.Date{}, false)
			if err != nil {
				t.Fatal(err)
			}
			for slug, want := range map[string][2]int{"civil-affairs": {4, 2}, "welfare-home": {1, 1}, "funeral-home": {0, 0}} {
				if r := rowOf(t, dash.Rows, slug); r.CatalogPublished != want[0] || r.CatalogLate != want[1] {
					t.Errorf("%s: published %d, late %d; want %v", slug, r.CatalogPublished, r.CatalogLate, want)
				}
			}
			if dash.Totals.CatalogPublished != 5 || dash.Totals.CatalogLate != 3 || len(dash.Omitted) != 0 {
				t.Errorf("totals: published %d, late %d, omitted %v", dash.Totals.CatalogPublished, dash.Totals.CatalogLate, dash.Omitted)
			}
			up, err := ov.Dashboard(ctx, 2026, workday.Date{}, workday.Date{}, true)
			if err != nil {
				t.Fatal(err)
			}
			if r := rowOf(t, up.Rows, "civil-affairs"); r.CatalogPublished != 5 || r.CatalogLate != 3 {
				t.Errorf("rolled up: published %d, late %d", r.CatalogPublished, r.CatalogLate)
			}
			// A period without the publication day counts nothing.
			june, err := ov.Dashboard(ctx, 2026, d("2026-06-01"), d("2026-07-14"), false)
			if err != nil {
				t.Fatal(err)
			}
			if june.Totals.CatalogPublished != 0 || june.Totals.CatalogLate != 0 {
				t.Errorf("June: published %d, late %d", june.Totals.CatalogPublished, june.Totals.CatalogLate)
			}
			// Sorting by the late column puts civil-affairs first.
			if err := oversight.SortRows(dash.Rows, "catalog_late", true); err != nil || dash.Rows[0].Bureau.Slug != "civil-affairs" || dash.Rows[1].Bureau.Slug != "welfare-home" {
				t.Errorf("sorted by catalog_late: %v %s %s", err, dash.Rows[0].Bureau.Slug, dash.Rows[1].Bureau.Slug)
			}

			// The records behind the figures are exactly the items counted.
			ids := func(rs *oversight.Records) []int64 {
				var out []int64
				for _, r := range rs.Items {
					out = append(out, r.ID)
				}
				return out
			}
			late, err := ov.Records(ctx, c.ids["civil-affairs"], "catalog_late", 2026, oversight.RecordOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if late.Total != 2 || !slices.Equal(ids(late), []int64{c3, c4}) {
				t.Fatalf("late records: total %d, %v; want %v", late.Total, ids(late), []int64{c3, c4})
			}
			r3 := late.Items[0]
			if r3.Kind != "catalog_item" || r3.Bureau != "civil-affairs" || r3.Title != "c3" || r3.FormedOn != d("2026-06-15") ||
				r3.PublishedOn != d("2026-07-15") || r3.PublishDueOn != d("2026-07-14") || r3.WorkingDays == nil || *r3.WorkingDays != 21 || r3.Ref == "" {
				t.Errorf("record c3: %+v", r3)
			}
			all, err := ov.Records(ctx, 0, "catalog_published", 2026, oversight.RecordOptions{Limit: 2, Offset: 4})
			if err != nil {
				t.Fatal(err)
			}
			if all.Total != 5 || !slices.Equal(ids(all), []int64{w1}) {
				t.Errorf("city records, last page: total %d, %v", all.Total, ids(all))
			}
			cityLate, err := ov.Records(ctx, 0, "catalog_late", 2026, oversight.RecordOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if cityLate.Total != 3 {
				t.Errorf("city late records: %d", cityLate.Total)
			}
		})
	}
}
