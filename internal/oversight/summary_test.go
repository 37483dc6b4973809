package oversight_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"

	"gongkai/internal/db"
	"gongkai/internal/dbtest"
	"gongkai/internal/oversight"
	"gongkai/internal/request"
	"gongkai/internal/request/deadline"
	"gongkai/internal/workday"
)

// summaryPeriods are the periods compared: the whole year (the default and
// an explicit one), a quarter and a month (read from the summary alone), a
// period of odd days (reply times from the requests) and another year.
var summaryPeriods = []struct {
	year     int
	from, to string
}{
	{2026, "", ""},
	{2026, "2026-01-01", "2026-12-31"},
	{2026, "2026-01-01", "2026-03-31"},
	{2026, "2026-04-01", "2026-06-30"},
	{2026, "2026-03-01", "2026-03-31"},
	{2026, "2026-02-28", "2026-03-01"},
	{2026, "2026-03-05", "2026-05-17"},
	{2025, "", ""},
	{2025, "2025-12-01", "2025-12-31"},
}

// sameAsRaw asserts that the dashboard from the summary equals the one
// counted from the requests, for every period, flat and rolled up: every
// figure, and the whole histogram of reply times of every row.
func sameAsRaw(t *testing.T, ctx context.Context, ov *oversight.Service, stage string) {
	t.Helper()
	date := func(s string) workday.Date {
		if s == "" {
			return workday.Date{}
		}
		return d(s)
	}
	for _, p := range summaryPeriods {
		for _, rollUp := range []bool{false, true} {
			got, err := ov.Dashboard(ctx, p.year, date(p.from), date(p.to), rollUp)
			if err != nil {
				t.Fatal(err)
			}
			want, err := ov.RawDashboard(ctx, p.year, date(p.from), date(p.to), rollUp)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("%s, %d %s..%s rollup=%v", stage, p.year, p.from, p.to, rollUp)
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(want)
			if string(gj) != string(wj) {
				t.Errorf("%s: the summary's dashboard differs from the raw one:\nsummary %s\nraw     %s", name, gj, wj)
			}
			rows := func(d *oversight.Dashboard) []oversight.DashboardRow {
				out := append([]oversight.DashboardRow{d.Totals}, d.Rows...)
				for _, r := range d.Rows {
					out = append(out, r.Children...)
				}
				return out
			}
			g, w := rows(got), rows(want)
			for i := range w {
				if !maps.Equal(g[i].Hist(), w[i].Hist()) {
					t.Errorf("%s, %s: reply-time histogram %v, raw %v", name, w[i].Bureau.Slug, g[i].Hist(), w[i].Hist())
				}
			}
		}
	}
}

// TestSummaryEqualsRawCounts builds varied requests through the services —
// every state, every outcome code of every Table 3 group, receipts and
// replies across months and years, replies on time and late, supplements,
// extensions, lapses, withdrawals, unconfirmed online applications — and
// checks that the dashboard read from the trigger-kept summary equals the
// dashboard counted from the requests, for several periods; then again after
// direct SQL updates and deletes (any writer keeps the summary right) and
// after a calendar change (the reply-time histogram is rebuilt).
func TestSummaryEqualsRawCounts(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			c := newCity(t, dialect)
			ctx := c.overseer()
			ov := c.app.Oversight
			rng := rand.New(rand.NewPCG(9, 2026))
			slugs := []string{"civil-affairs", "welfare-home", "funeral-home", "veteran-centre", "rescue-station"}
			var codes []string
			for _, g := range oversight.OutcomeGroups {
				for _, code := range g.Codes {
					if o, ok := request.OutcomeByCode(code); ok && !o.Automatic {
						codes = append(codes, code)
					}
				}
			}
			cal, err := c.app.Requests.Calendar(c.ctx)
			if err != nil {
				t.Fatal(err)
			}
			today := workday.FromTime(clock, workday.ChinaTime)
			start := d("2025-09-01")
			kinds := map[string]int{}
			ok := func(what string, err error) {
				if err == nil {
					kinds[what]++
				}
			}
			for i := range 160 {
				slug := slugs[i%len(slugs)]
				if _, found := c.ids[slug]; !found {
					slug = slugs[0]
				}
				tid := c.ids[slug]
				name := fmt.Sprintf("p%03d", i)
				if i%17 == 0 { // online, never confirmed: 'submitted'
					_, err := c.app.Requests.Submit(context.Background(), tid, request.NewRequest{Applicant: request.Applicant{Type: "natural_person", Name: "网上" + name, Phone: "13800000000"}, Content: "申请公开" + name})
					ok("submitted", err)
					continue
				}
				recv, err := cal.OnOrAfter(start.AddDays(rng.IntN(300)))
				if err != nil {
					t.Fatal(err)
				}
				if recv.After(today) {
					recv = today
				}
				c.register(slug, name, "natural_person", recv.String())
				id := c.req[name]
				on := func(days int) (workday.Date, bool) {
					day, err := cal.AddWorkingDays(recv, days)
					return day, err == nil && !day.After(today)
				}
				act := func(kind deadline.EventKind, after, days int) {
					if day, in := on(after); in {
						_, err := c.app.Requests.Act(c.ctx, tid, id, request.Action{Kind: kind, On: day, Days: days, Reason: "测试"})
						ok(string(kind), err)
					}
				}
				switch rng.IntN(10) {
				case 0: // left open (overdue or not)
				case 1: // supplement asked, then lapsed or still paused
					act(deadline.SupplementRequested, 2, 0)
					if rng.IntN(2) == 0 {
						act(deadline.SupplementLapsed, 20, 0)
					}
				case 2: // withdrawn
					act(deadline.Closed, 1+rng.IntN(10), 0)
				case 3: // extended, then replied late or on time
					act(deadline.Extended, 15, 20)
					if day, in := on(18 + rng.IntN(25)); in {
						_, err := c.app.Requests.Reply(c.ctx, tid, id, request.Reply{On: day, Outcome: codes[rng.IntN(len(codes))], Basis: "条例", Withheld: "个人信息", Text: "答复"})
						ok("replied", err)
					}
				default: // replied, mostly on time, some late
					if day, in := on(rng.IntN(28)); in {
						_, err := c.app.Requests.Reply(c.ctx, tid, id, request.Reply{On: day, Outcome: codes[rng.IntN(len(codes))], Basis: "条例", Withheld: "个人信息", Text: "答复"})
						ok("replied", err)
					}
				}
			}
			t.Logf("actions: %v", kinds)
			if kinds["replied"] < 60 || kinds["submitted"] < 5 || kinds[string(deadline.SupplementLapsed)] < 2 || kinds[string(deadline.Extended)] < 5 || kinds[string(deadline.Closed)] < 5 {
				t.Fatalf("too little variety: %v", kinds)
			}
			sameAsRaw(t, ctx, ov, "after the services")

			// Any writer: direct updates and deletes.
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := c.app.DB.Bun.ExecContext(context.Background(), q, args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			cast := "?"
			if dialect == db.Postgres {
				cast = "CAST(? AS date)"
			}
			exec("UPDATE requests SET replied_on = "+cast+", outcome_on = "+cast+" WHERE replied_on IS NOT NULL AND id % 7 = 0", d("2026-04-30"), d("2026-05-04"))
			exec("UPDATE requests SET due_on = "+cast+" WHERE replied_on IS NOT NULL AND id % 5 = 0", d("2026-03-16"))
			exec("UPDATE requests SET received_on = "+cast+" WHERE received_on IS NOT NULL AND id % 11 = 0", d("2026-02-27"))
			exec("UPDATE requests SET outcome = 'refused_state_secret' WHERE outcome <> '' AND id % 6 = 0")
			exec("UPDATE requests SET state = 'submitted' WHERE id % 13 = 0")
			exec("UPDATE requests SET tenant_id = ? WHERE id % 9 = 0", c.ids["welfare-home"])
			exec("UPDATE requests SET handler_id = NULL, updated_at = updated_at WHERE id % 2 = 0")
			exec("DELETE FROM request_events WHERE request_id % 8 = 0")
			exec("DELETE FROM requests WHERE id % 8 = 0")
			sameAsRaw(t, ctx, ov, "after direct updates and deletes")

			// A calendar change: 2026-03-10, a Tuesday, becomes a rest day.
			before, err := ov.SummaryVersion(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.app.Calendar.Set(c.ctx, d("2026-03-10"), false, "本市停工一天（测试）"); err != nil {
				t.Fatal(err)
			}
			sameAsRaw(t, ctx, ov, "after a calendar change")
			after, err := ov.SummaryVersion(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			newCal, err := c.app.Requests.Calendar(c.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if before != cal.Version() {
				t.Errorf("summary built from calendar %q before the change, want %q (else the figures above came from the fallback)", before, cal.Version())
			}
			if after == before || after != newCal.Version() {
				t.Errorf("summary built from calendar %q, then %q; want the new calendar %q", before, after, newCal.Version())
			}
			// Writes after the change use the new calendar.
			c.register("civil-affairs", "late1", "natural_person", "2026-03-02")
			c.reply("civil-affairs", "late1", "granted", "2026-03-31")
			sameAsRaw(t, ctx, ov, "after a reply under the new calendar")
		})
	}
}
