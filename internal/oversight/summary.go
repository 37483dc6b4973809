package oversight

import (
	"context"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/workday"
)

// The dashboard's request figures come from a summary that triggers on
// requests keep exact in the writing transaction (migration
// 20261126001600_oversight_summary):
//
//   - request_day_counts, per bureau and day: received, replied, replied on
//     time and the outcomes by Table 3 group — any period is a sum of days;
//   - request_reply_days, per bureau and month of the reply: the histogram
//     of working days from receipt to reply, computed by the triggers from
//     workday_index, the calendar as a cumulative count of working days.
//
// workday_index and the histogram depend on the calendar, which lives in
// Go (the national schedule of the binary plus the stored overrides):
// syncSummary rewrites both when the calendar in force is not the one they
// were built from (request_summary_state), so a calendar change, a new
// release's holiday schedule or a fresh migration is picked up by the next
// dashboard. Open and overdue depend on today and are counted from the
// running requests only (the partial worklist index).

// wholeMonths reports whether the period is made of whole calendar months:
// the reply-time histogram is kept per month, so other periods count reply
// times from the requests themselves.
func wholeMonths(p Period) bool {
	return p.From.Day == 1 && p.To.AddDays(1).Day == 1
}

// summaryVersion returns the calendar version the reply-time histogram was
// built from ("" before the first build).
func summaryVersion(ctx context.Context, idb bun.IDB) (string, error) {
	var v string
	err := idb.NewRaw("SELECT calendar_version FROM request_summary_state WHERE id = 1").Scan(ctx, &v)
	return v, err
}

// syncSummary rebuilds workday_index and the reply-time histogram from the
// requests when they were built from another calendar than idx's. It is the
// only write of this package, and writes only these derived tables, never a
// bureau's records. On Postgres the state row is locked (one rebuild at a
// time) and requests are locked against writers for the rebuild (a second
// or two at a million requests), so that no write slips between the new
// index and the histogram built from it; SQLite has one writer anyway.
func (s *Service) syncSummary(ctx context.Context, idx *dayIndex) error {
	v, err := summaryVersion(ctx, s.db.Bun)
	if err != nil || v == idx.version {
		return err
	}
	pg := s.db.Dialect == db.Postgres
	return s.db.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		q := "SELECT calendar_version FROM request_summary_state WHERE id = 1"
		if pg {
			q += " FOR UPDATE"
		}
		var v string
		if err := tx.NewRaw(q).Scan(ctx, &v); err != nil || v == idx.version {
			return err
		}
		var stmts []struct {
			q    string
			args []any
		}
		add := func(q string, args ...any) {
			stmts = append(stmts, struct {
				q    string
				args []any
			}{q, args})
		}
		if pg {
			add("LOCK TABLE requests IN SHARE MODE")
		}
		add("DELETE FROM workday_index")
		if len(idx.cum) > 0 {
			if pg {
				add("INSERT INTO workday_index (day, cum) SELECT CAST(? AS date) + CAST(u.i AS integer) - 1, u.c FROM unnest(CAST(? AS int[])) WITH ORDINALITY AS u(c, i) WHERE u.c IS NOT NULL",
					idx.base, idx.literal)
			} else {
				var b strings.Builder
				b.WriteByte('[')
				for i, c := range idx.cum {
					if i > 0 {
						b.WriteByte(',')
					}
					b.WriteString(strconv.Itoa(int(c)))
				}
				b.WriteByte(']')
				add("INSERT INTO workday_index (day, cum) SELECT date(?, '+' || key || ' days'), value FROM json_each(?) WHERE value >= 0",
					idx.base, b.String())
			}
		}
		add("DELETE FROM request_reply_days")
		month := "date(r.replied_on, 'start of month')"
		if pg {
			month = "r.replied_on - (CAST(extract(day FROM r.replied_on) AS integer) - 1)"
		}
		add("INSERT INTO request_reply_days (tenant_id, month, days, n) SELECT r.tenant_id, " + month + ", b.cum - a.cum, count(*) " +
			"FROM requests AS r JOIN workday_index AS a ON a.day = r.received_on JOIN workday_index AS b ON b.day = r.replied_on GROUP BY 1, 2, 3")
		add("UPDATE request_summary_state SET calendar_version = ? WHERE id = 1", idx.version)
		for _, st := range stmts {
			if _, err := tx.ExecContext(ctx, st.q, st.args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// summaryCounts fills received, replied, on-time and the outcome mix (and
// closed, their sum) from the day counts of the period.
func (s *Service) summaryCounts(ctx context.Context, tx bun.Tx, p Period, rows map[int64]*DashboardRow) error {
	var out []struct {
		TenantID int64 `bun:"tenant_id"`
		Received int   `bun:"received"`
		Replied  int   `bun:"replied"`
		OnTime   int   `bun:"on_time"`
		G0       int   `bun:"g0"`
		G1       int   `bun:"g1"`
		G2       int   `bun:"g2"`
		G3       int   `bun:"g3"`
		G4       int   `bun:"g4"`
		G5       int   `bun:"g5"`
	}
	if err := tx.NewRaw(summaryCountsSQL, p.From, p.To).Scan(ctx, &out); err != nil {
		return err
	}
	for _, o := range out {
		r := rows[o.TenantID]
		if r == nil {
			continue
		}
		r.Received, r.Replied, r.RepliedOnTime = o.Received, o.Replied, o.OnTime
		r.Outcomes = OutcomeMix{Granted: o.G0, PartiallyGranted: o.G1, Refused: o.G2, Unavailable: o.G3, NotProcessed: o.G4, Other: o.G5}
		r.Closed = o.G0 + o.G1 + o.G2 + o.G3 + o.G4 + o.G5
	}
	return nil
}

// summaryCountsSQL sums the day counts of a period (from, to) per bureau.
const summaryCountsSQL = "SELECT tenant_id, sum(received) AS received, sum(replied) AS replied, sum(on_time) AS on_time, " +
	"sum(g0) AS g0, sum(g1) AS g1, sum(g2) AS g2, sum(g3) AS g3, sum(g4) AS g4, sum(g5) AS g5 " +
	"FROM request_day_counts WHERE day >= ? AND day <= ? GROUP BY tenant_id"

// runningCounts fills open and overdue (as of today) from the running
// requests, which the partial worklist index lists.
func (s *Service) runningCounts(ctx context.Context, tx bun.Tx, today workday.Date, rows map[int64]*DashboardRow) error {
	var out []struct {
		TenantID int64 `bun:"tenant_id"`
		Open     int   `bun:"open"`
		Overdue  int   `bun:"overdue"`
	}
	if err := tx.NewRaw(runningCountsSQL, today).Scan(ctx, &out); err != nil {
		return err
	}
	for _, o := range out {
		if r := rows[o.TenantID]; r != nil {
			r.Open, r.Overdue = o.Open, o.Overdue
		}
	}
	return nil
}

// runningCountsSQL counts the running requests per bureau and those due
// before today.
const runningCountsSQL = "SELECT tenant_id, count(*) AS open, sum(CASE WHEN due_on < ? THEN 1 ELSE 0 END) AS overdue " +
	"FROM requests WHERE state IN ('open', 'paused') GROUP BY tenant_id"

// summaryReplyTimes fills each row's histogram of working days to reply
// from the monthly histogram, for a period of whole months. The histogram
// is read in one statement with the calendar version it was built from; if
// that is not idx's (built from another calendar, or not yet), the reply
// times are counted from the requests (replyTimes) instead.
func (s *Service) summaryReplyTimes(ctx context.Context, tx bun.Tx, idx *dayIndex, p Period, rows map[int64]*DashboardRow) error {
	var out []struct {
		Version  string `bun:"calendar_version"`
		TenantID *int64 `bun:"tenant_id"`
		Days     *int   `bun:"days"`
		N        int    `bun:"n"`
	}
	if err := tx.NewRaw(summaryReplyTimesSQL, p.From, p.To).Scan(ctx, &out); err != nil {
		return err
	}
	if len(out) == 0 || out[0].Version != idx.version {
		return s.replyTimes(ctx, tx, idx, p, rows)
	}
	for _, o := range out {
		if o.TenantID == nil || o.Days == nil || o.N == 0 { // n = 0: every reply counted there was since changed
			continue
		}
		if r := rows[*o.TenantID]; r != nil {
			r.hist[*o.Days] += o.N
		}
	}
	return nil
}

// summaryReplyTimesSQL reads the monthly histogram of a period (first day
// of its first month, its last day) per bureau and value, each row with
// the calendar version it was built from (and one row with the version
// alone when the period has no reply).
const summaryReplyTimesSQL = "SELECT s.calendar_version, h.tenant_id, h.days, coalesce(sum(h.n), 0) AS n " +
	"FROM request_summary_state AS s LEFT JOIN request_reply_days AS h ON h.month >= ? AND h.month <= ? " +
	"GROUP BY s.calendar_version, h.tenant_id, h.days"
