package console_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"gongkai/internal/browsertest"
	"gongkai/internal/dbtest"
)

// TestOversightInABrowser walks the oversight pages in Chromium as the city
// overseer: sign in, the dashboard for 2026 with the hand-counted figures,
// sorting by a column both ways, a figure followed to its records and on to
// the request, the trends page with its server-rendered chart and table,
// and the metric dictionary. The application runs on the real clock (a
// browser keeps no session cookie that expired in the past); the records
// are dated in 2026, so only "now" figures would change with the date, and
// those asserted (a3 overdue since June) hold ever after.
func TestOversightInABrowser(t *testing.T) {
	t.Parallel()
	for _, dialect := range dbtest.Dialects {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			c := newOverseenCity(t, dialect, nil)
			b := &browser{t: t, ctx: browsertest.New(t), base: c.base}

			// Sign in as the overseer; the navigation offers 统计监督.
			b.open("/console/")
			b.step("sign in", chromedp.SendKeys(chromedp.CSS("#username"), "olga"), chromedp.SendKeys(chromedp.CSS("#password"), goodPassword))
			b.submit("sign in", "#login-submit")
			if status := b.submit("open oversight", `nav.areas a[href$="/oversight"]`); status != 200 {
				t.Fatalf("oversight: status %d", status)
			}
			b.want("dashboard heading", b.text("h1"), "统计监督")

			// The year 2026, with the figures counted by hand.
			b.step("year", chromedp.SetValue(chromedp.CSS("#o-year"), "2026"))
			b.submit("show 2026", "#dashboard-apply")
			b.wantIn("period", b.text("#dashboard-period"), "2026年1月1日至2026年12月31日")
			cell := func(row, metric string) string {
				t.Helper()
				return b.text(`#row-` + row + ` td[data-metric="` + metric + `"]`)
			}
			for _, f := range []struct{ row, metric, want string }{
				{"civil-affairs", "received", "3"}, {"civil-affairs", "closed", "2"}, {"civil-affairs", "overdue", "1"}, {"civil-affairs", "on_time_percent", "50.0%"},
				{"welfare-home", "received", "1"}, {"funeral-home", "received", "2"}, {"funeral-home", "reply_days_median", "2"},
				{"totals", "received", "6"}, {"totals", "on_time_percent", "75.0%"},
			} {
				b.want(f.row+" "+f.metric, cell(f.row, f.metric), f.want)
			}
			rows := func() []string {
				return browsertest.Eval[[]string](t, b.ctx, `[...document.querySelectorAll("#dashboard tbody tr")].map(r => r.id)`)
			}
			if got := rows(); !slices.Equal(got, []string{"row-civil-affairs", "row-funeral-home", "row-rescue-station", "row-veteran-center", "row-welfare-home"}) {
				t.Fatalf("rows by bureau: %v", got)
			}

			// Sort by received: largest first, then (the same heading again) smallest first.
			b.submit("sort by received", `th[data-metric="received"] a`)
			if got := rows(); !slices.Equal(got[:3], []string{"row-civil-affairs", "row-funeral-home", "row-welfare-home"}) {
				t.Fatalf("sorted by received, descending: %v", got)
			}
			b.want("sort marked", browsertest.Get(t, b.ctx, "aria-sort", chromedp.AttributeValue(chromedp.CSS(`th[data-metric="received"]`), "aria-sort")).Value, "descending")
			b.submit("sort by received again", `th[data-metric="received"] a`)
			if got := rows(); !slices.Equal(got[:3], []string{"row-rescue-station", "row-veteran-center", "row-welfare-home"}) {
				t.Fatalf("sorted by received, ascending: %v", got)
			}

			// Follow civil-affairs' overdue figure to its record, and on to the request.
			b.submit("overdue records", `#row-civil-affairs td[data-metric="overdue"] a`)
			b.wantIn("records heading", b.text("h1"), "超期未答复")
			b.wantIn("records heading", b.text("h1"), "营口市民政局")
			b.wantIn("records total", b.text("#records-summary"), "共 1 条")
			codes := browsertest.Eval[[]string](t, b.ctx, `[...document.querySelectorAll("#records tbody tr td:nth-child(2)")].map(td => td.textContent)`)
			if !slices.Equal(codes, []string{c.codes["a3"]}) {
				t.Fatalf("overdue records %v, want %s", codes, c.codes["a3"])
			}
			b.submit("open the request", "#records tbody a")
			b.wantIn("request page", b.text("h1"), c.codes["a3"])
			if !strings.HasPrefix(b.path(), "/console/civil-affairs/requests/") {
				t.Fatalf("request page at %s", b.path())
			}

			// Trends: the chart is inline SVG, made on the server, and the table has the months.
			b.open("/console/civil-affairs/oversight")
			b.submit("trends", `nav.subnav a[href$="/oversight/trends"]`)
			b.want("trends heading", b.text("h1"), "月度趋势")
			b.step("trends for 2026", chromedp.SetValue(chromedp.CSS("#t-year"), "2026"))
			b.submit("show trends", "#trends-apply")
			if !b.js(`document.querySelector("#chart-received svg") !== null && document.querySelectorAll("#chart-received svg rect").length >= 24`) {
				t.Fatal("no bar chart of received requests")
			}
			b.wantIn("chart title", browsertest.Eval[string](t, b.ctx, `document.querySelector("#chart-received svg title").textContent`), "全市新收政府信息公开申请（2026年与2025年同月对比）")
			march := browsertest.Eval[[]string](t, b.ctx, `[...document.querySelectorAll("#trends tbody tr")[2].children].map(c => c.textContent)`)
			if !slices.Equal(march, []string{"3月", "4", "0", "4", "0"}) {
				t.Fatalf("March in the trends table: %v", march)
			}

			// The dictionary: the catalog figure's definition cites Art. 26.
			b.submit("dictionary", `nav.subnav a[href$="/oversight/metrics"]`)
			b.want("dictionary heading", b.text("h1"), "指标说明")
			b.wantIn("catalog_late definition", b.text("#metric-catalog_late .definition"), "第二十六条")
			b.wantIn("received definition", b.text("#metric-received .definition"), "收到申请之日")
		})
	}
}
