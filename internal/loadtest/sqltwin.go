package loadtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/workday"
)

// The SQL twins: for each read scenario, the SQL the service runs for the
// page's data, written out and run directly (no HTTP, no authorization, no
// rendering) in the same tenant-scoped transaction (db.InTx: on Postgres
// set_config('app.tenant_id' …) for row-level security). Every row is
// scanned, as the service scans it. Each twin names the function it
// reproduces; a change there must be made here too (TestLoadTest records
// the SQL of the service and of its twin and fails when the twin runs a
// query, text for text, that the service does not).

// itemColumns are the columns catalog.Item reads without body,
// search_title and search_text (catalog.search: ExcludeColumn).
const itemColumns = `"item"."tenant_id", "item"."id", "item"."external_id", "item"."state", "item"."revises_id", "item"."index_no", "item"."index_year", "item"."index_seq", "item"."title", "item"."summary", "item"."doc_no", "item"."issuer", "item"."formed_on", "item"."published_on", "item"."revised_on", "item"."category_code", "item"."topics", "item"."doc_kind", "item"."validity", "item"."superseded_by", "item"."basis", "item"."revision", "item"."author", "item"."author_user_id", "item"."author_name", "item"."submitter", "item"."submitter_user_id", "item"."reviewer_name", "item"."reviewed_at", "item"."created_at", "item"."updated_at"`

// itemAllColumns are every column of catalog.Item (catalog.PublicItem reads the whole item).
const itemAllColumns = `"item"."tenant_id", "item"."id", "item"."external_id", "item"."state", "item"."revises_id", "item"."index_no", "item"."index_year", "item"."index_seq", "item"."title", "item"."summary", "item"."body", "item"."doc_no", "item"."issuer", "item"."formed_on", "item"."published_on", "item"."revised_on", "item"."category_code", "item"."topics", "item"."doc_kind", "item"."validity", "item"."superseded_by", "item"."basis", "item"."revision", "item"."author", "item"."author_user_id", "item"."author_name", "item"."submitter", "item"."submitter_user_id", "item"."reviewer_name", "item"."reviewed_at", "item"."search_title", "item"."search_text", "item"."created_at", "item"."updated_at"`

// categoriesSQL is catalog.categoriesTx.
const categoriesSQL = `SELECT "category"."tenant_id", "category"."id", "category"."code", "category"."parent_code", "category"."name", "category"."position", "category"."created_at", "category"."updated_at" FROM "catalog_categories" AS "category" WHERE (tenant_id = ?) ORDER BY parent_code, position, id`

// requestColumns are the columns of request.Request.
const requestColumns = `"request"."tenant_id", "request"."id", "request"."tracking_code", "request"."idempotency_key", "request"."channel", "request"."arrived_on", "request"."received_on", "request"."applicant_type", "request"."applicant_name", "request"."id_doc_type", "request"."id_number", "request"."id_masked", "request"."applicant_key", "request"."phone", "request"."email", "request"."address", "request"."content", "request"."purpose", "request"."form", "request"."delivery", "request"."state", "request"."due_on", "request"."outcome", "request"."outcome_basis", "request"."withheld", "request"."reply_text", "request"."replied_on", "request"."closed_on", "request"."outcome_on", "request"."handler_id", "request"."calendar_version", "request"."erased_at", "request"."created_at", "request"."updated_at"`

// drain scans every row and column of rows and returns the row count.
func drain(rows *sql.Rows, err error) (int, error) {
	got, err := collect(rows, err)
	return len(got), err
}

// collect scans every row of a query, as drain does, and returns the
// values.
func collect(rows *sql.Rows, err error) ([][]any, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return out, err
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// position is the substring function catalog.search uses.
func (e *env) position() string {
	if e.a.DB.Dialect == db.Postgres {
		return "strpos"
	}
	return "instr"
}

// publicCountsSQL is catalog.publicCountsTx: the years of the year filter
// and the public list's total.
const publicCountsSQL = `SELECT year, public_items FROM catalog_index_counters WHERE tenant_id = ? AND public_items > 0 ORDER BY year DESC`

// sqlCatalogList is catalog.Service.PublicListing without search terms
// (the public list, page 1 of 20): the categories, the public counts (the
// years and the total) and the page, in one transaction scoped to the
// bureau.
func (e *env) sqlCatalogList(ctx context.Context) error {
	id := e.bureau.ID
	return e.a.DB.InTx(ctx, db.Tenant(id), func(ctx context.Context, tx bun.Tx) error {
		if _, err := drain(tx.QueryContext(ctx, categoriesSQL, id)); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, publicCountsSQL, id)
		if err != nil {
			return err
		}
		total := 0
		for rows.Next() {
			var year, n int
			if err := rows.Scan(&year, &n); err != nil {
				rows.Close()
				return err
			}
			total += n
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil || total == 0 {
			return err
		}
		_, err = drain(tx.QueryContext(ctx, `SELECT `+itemColumns+` FROM "catalog_items" AS "item" WHERE (tenant_id = ?) AND (state IN ('published', 'repealed')) ORDER BY published_on DESC, id DESC LIMIT 20`, id))
		return err
	})
}

// sqlCatalogSearch is catalog.Service.PublicListing with the search terms
// (the public search, page 1 of 20), in one transaction: the categories;
// the public counts (for the years); for a
// search that must verify candidates, the frequency probes of the terms'
// bigrams (catalog.gramPlan.narrowTx); the ids of the page with the total —
// from the bigram index alone when every term has two characters
// (catalog.gramPageTx), else by a ranked scan of the candidates holding the
// rarest bigrams (catalog.gramCandidates) — then those rows.
func (e *env) sqlCatalogSearch(ctx context.Context) error {
	id := e.bureau.ID
	pos := e.position()
	var terms []string
	for _, t := range strings.Fields(e.opts.Query) {
		if t = strings.ToLower(t); !slices.Contains(terms, t) {
			terms = append(terms, t)
		}
	}
	grams, exact := planGrams(terms)
	rank := make([]string, len(terms))
	rankArgs := make([]any, len(terms))
	for i, t := range terms {
		rank[i] = "CASE WHEN " + pos + "(search_title, ?) > 0 THEN 1 ELSE 0 END"
		rankArgs[i] = t
	}
	return e.a.DB.InTx(ctx, db.Tenant(id), func(ctx context.Context, tx bun.Tx) error {
		if _, err := drain(tx.QueryContext(ctx, categoriesSQL, id)); err != nil {
			return err
		}
		if _, err := drain(tx.QueryContext(ctx, publicCountsSQL, id)); err != nil {
			return err
		}
		if !exact && len(grams) > 0 {
			// catalog.gramPlan.narrowTx: probe up to 12 bigrams, keep the 3
			// rarest held by fewer than 3,000 items; one held by none ends it.
			type freq struct {
				gram string
				n    int
			}
			var rare []freq
			probed := grams[:min(len(grams), 12)]
			grams = nil
			for _, g := range probed {
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM "catalog_grams" AS "gram" WHERE (tenant_id = ? AND gram = ?) LIMIT 3000) AS s`, id, g).Scan(&n); err != nil {
					return err
				}
				if n == 0 {
					rare = []freq{{g, 0}}
					break
				}
				if n < 3000 {
					rare = append(rare, freq{g, n})
				}
			}
			if len(rare) == 1 && rare[0].n == 0 {
				grams = []string{rare[0].gram}
			} else {
				slices.SortStableFunc(rare, func(a, b freq) int { return a.n - b.n })
				for _, f := range rare[:min(len(rare), 3)] {
					grams = append(grams, f.gram)
				}
			}
		}
		where := `(tenant_id = ?) AND (state IN ('published', 'repealed'))`
		args := []any{id}
		if len(grams) > 0 {
			where += ` AND (id IN (SELECT "gram"."item_id" FROM "catalog_grams" AS "gram" WHERE (tenant_id = ? AND gram IN (?)) GROUP BY "item_id" HAVING (count(*) = ?)))`
			args = append(args, id, bun.List(grams), len(grams))
		}
		for _, t := range terms {
			where += ` AND (` + pos + `(search_text, ?) > 0)`
			args = append(args, t)
		}
		var ids []int64
		scanIDs := func(rows *sql.Rows, err error) error { // the ids of the page, each with the total
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var itemID int64
				var total int
				if err := rows.Scan(&itemID, &total); err != nil {
					return err
				}
				ids = append(ids, itemID)
			}
			return rows.Err()
		}
		switch {
		case exact && len(grams) == 1:
			rows, err := tx.QueryContext(ctx, `SELECT item_id AS id, (SELECT count(*) FROM "catalog_grams" AS "gram" WHERE (tenant_id = ? AND gram = ?)) AS total FROM "catalog_grams" AS "gram" WHERE (tenant_id = ? AND gram = ?) ORDER BY in_title DESC, published_on DESC, item_id DESC LIMIT 20`,
				id, grams[0], id, grams[0])
			if err := scanIDs(rows, err); err != nil {
				return err
			}
		case exact:
			rows, err := tx.QueryContext(ctx, `SELECT item_id AS id, count(*) OVER () AS total FROM "catalog_grams" AS "gram" WHERE (tenant_id = ? AND gram IN (?)) GROUP BY "item_id" HAVING (count(*) = ?) ORDER BY sum(in_title) DESC, max(published_on) DESC, item_id DESC LIMIT 20`,
				id, bun.List(grams), len(grams))
			if err := scanIDs(rows, err); err != nil {
				return err
			}
		default:
			rows, err := tx.QueryContext(ctx, `SELECT "item"."id", count(*) OVER () AS total FROM "catalog_items" AS "item" WHERE `+where+
				` ORDER BY (`+strings.Join(rank, " + ")+`) DESC, published_on DESC NULLS LAST, id DESC LIMIT 20`, append(slices.Clone(args), rankArgs...)...)
			if err := scanIDs(rows, err); err != nil {
				return err
			}
		}
		if len(ids) == 0 {
			var total int
			return tx.QueryRowContext(ctx, `SELECT count(*) FROM "catalog_items" AS "item" WHERE `+where, args...).Scan(&total)
		}
		_, err := drain(tx.QueryContext(ctx, `SELECT `+itemColumns+` FROM "catalog_items" AS "item" WHERE (tenant_id = ? AND id IN (?))`, id, bun.List(ids)))
		return err
	})
}

// planGrams is catalog.planGrams without filters: the distinct
// two-character pieces of the lower-cased terms, and whether they alone
// answer the search (every term has exactly two characters and the terms
// are distinct).
func planGrams(terms []string) (grams []string, exact bool) {
	exact = len(terms) > 0
	seen := map[string]bool{}
	for _, t := range terms {
		rs := []rune(t)
		if len(rs) != 2 || seen[t] {
			exact = false
		}
		seen[t] = true
		for i := 0; i+1 < len(rs); i++ {
			if g := string(rs[i : i+2]); !slices.Contains(grams, g) {
				grams = append(grams, g)
			}
		}
	}
	return grams, exact && len(grams) == len(terms)
}

// sqlCatalogItem is catalog.Service.PublicItem: the item by its index
// number among the public states, the item replacing it (if any), the
// categories and the item's attachments.
func (e *env) sqlCatalogItem(ctx context.Context) error {
	id := e.bureau.ID
	return e.a.DB.InTx(ctx, db.Tenant(id), func(ctx context.Context, tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+itemAllColumns+` FROM "catalog_items" AS "item" WHERE (tenant_id = ? AND index_no = ? AND state IN (?))`,
			id, e.itemKey, bun.List([]string{"published", "repealed", "withdrawn"}))
		if err != nil {
			return err
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		found := false
		var itemID, supersededBy any
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			found = true
			itemID, supersededBy = vals[slices.Index(cols, "id")], vals[slices.Index(cols, "superseded_by")]
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if !found {
			return sql.ErrNoRows
		}
		if supersededBy != nil {
			if _, err := drain(tx.QueryContext(ctx, `SELECT "item"."id", "item"."index_no", "item"."title", "item"."state" FROM "catalog_items" AS "item" WHERE (tenant_id = ? AND id = ? AND state IN (?))`,
				id, supersededBy, bun.List([]string{"published", "repealed"}))); err != nil {
				return err
			}
		}
		if _, err := drain(tx.QueryContext(ctx, categoriesSQL, id)); err != nil {
			return err
		}
		_, err = drain(tx.QueryContext(ctx, `SELECT "attachment"."tenant_id", "attachment"."id", "attachment"."item_id", "attachment"."file_name", "attachment"."stored_name", "attachment"."media_type", "attachment"."size", "attachment"."sha256", "attachment"."position", "attachment"."created_by", "attachment"."created_by_name", "attachment"."created_at" FROM "catalog_attachments" AS "attachment" WHERE (tenant_id = ? AND item_id = ?) ORDER BY position, id`,
			id, itemID))
		return err
	})
}

// userColumns are the columns of identity.User.
const userColumns = `"user"."id", "user"."username", "user"."display_name", "user"."email", "user"."password_hash", "user"."locale", "user"."disabled_at", "user"."created_at", "user"."updated_at"`

// assignmentColumns are the columns of a role assignment (authz).
const assignmentColumns = `"assignment"."id", "assignment"."subject", "assignment"."role", "assignment"."domain", "assignment"."created_at"`

// sqlWorklist is every read of the console's worklist page, in its order:
// the session and its user (identity.Service.Authenticate), the user's
// role assignments (authz.Authorizer.TenantsOf), the policy version (read
// once per request), the unread count (notify.Service.UnreadCount), the
// bureau's members and their accounts (identity.Service.Members), the
// worklist itself (request.Service.List) and the calendar's overrides
// (calendar.Service.Calendar). A console page cannot be served without
// them, so they are its physical limit.
func (e *env) sqlWorklist(ctx context.Context) error {
	id := e.bureau.ID
	sum := sha256.Sum256([]byte(e.adminCk)) // sessions are stored by the hash of their cookie
	sess, err := collect(e.a.DB.Bun.QueryContext(ctx, `SELECT "session"."id", "session"."user_id", "session"."tenant_id", "session"."csrf_token", "session"."ip", "session"."user_agent", "session"."created_at", "session"."last_seen_at", "session"."expires_at" FROM "sessions" AS "session" WHERE (id = ?)`,
		hex.EncodeToString(sum[:])))
	if err != nil {
		return err
	}
	if len(sess) != 1 {
		return errors.New("the load test's console session is gone")
	}
	userID, _ := sess[0][1].(int64)
	if _, err := drain(e.a.DB.Bun.QueryContext(ctx, `SELECT `+userColumns+` FROM "users" AS "user" WHERE (id = ?)`, userID)); err != nil {
		return err
	}
	if _, err := drain(e.a.DB.Bun.QueryContext(ctx, `SELECT `+assignmentColumns+` FROM "role_assignments" AS "assignment" WHERE (subject = ?)`, "user:"+strconv.FormatInt(userID, 10))); err != nil {
		return err
	}
	if _, err := drain(e.a.DB.Bun.QueryContext(ctx, `SELECT "policy_version"."id", "policy_version"."version" FROM "policy_version" WHERE (id = 1)`)); err != nil {
		return err
	}
	if err := e.a.DB.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
		_, err := drain(tx.QueryContext(ctx, `SELECT count(*) FROM "notifications" AS "notification" WHERE (user_id = ?) AND (read_at IS NULL)`, userID))
		return err
	}); err != nil {
		return err
	}
	assigned, err := collect(e.a.DB.Bun.QueryContext(ctx, `SELECT `+assignmentColumns+` FROM "role_assignments" AS "assignment" WHERE (domain = ?) ORDER BY "subject", "role"`, strconv.FormatInt(id, 10)))
	if err != nil {
		return err
	}
	var members []int64
	for _, a := range assigned {
		subject, _ := a[1].(string)
		if rest, ok := strings.CutPrefix(subject, "user:"); ok {
			if uid, err := strconv.ParseInt(rest, 10, 64); err == nil && !slices.Contains(members, uid) {
				members = append(members, uid)
			}
		}
	}
	if len(members) > 0 {
		if _, err := drain(e.a.DB.Bun.QueryContext(ctx, `SELECT `+userColumns+` FROM "users" AS "user" WHERE (id IN (?))`, bun.List(members))); err != nil {
			return err
		}
	}
	if err := e.a.DB.InTx(ctx, db.Tenant(id), func(ctx context.Context, tx bun.Tx) error {
		_, err := drain(tx.QueryContext(ctx, `SELECT `+requestColumns+` FROM "requests" AS "request" WHERE (tenant_id = ?) AND (state IN (?)) ORDER BY due_on ASC NULLS LAST, id LIMIT 51`,
			id, bun.List([]string{"submitted", "open", "paused"})))
		return err
	}); err != nil {
		return err
	}
	_, err = drain(e.a.DB.Bun.QueryContext(ctx, `SELECT "override"."id", "override"."day", "override"."working", "override"."reason", "override"."created_by", "override"."created_at" FROM "calendar_overrides" AS "override" ORDER BY "day"`))
	return err
}

// sqlReportTables is report.Service.Check: report.Service.compute for the
// year and for the year before, each reading the catalog's document counts
// (catalog.Service.DocumentCounts, its own transaction) and then, in one
// transaction, the grouped counts of Table 3 from request_year_counts, the
// adjustments, the appeals of Table 4 and the entered Table 2 figures.
func (e *env) sqlReportTables(ctx context.Context) error {
	for _, year := range []int{e.opts.Year, e.opts.Year - 1} {
		if err := e.sqlCompute(ctx, year); err != nil {
			return err
		}
	}
	return nil
}

func (e *env) sqlCompute(ctx context.Context, year int) error {
	id := e.bureau.ID
	err := e.a.DB.InTx(ctx, db.Tenant(id), func(ctx context.Context, tx bun.Tx) error {
		if _, err := drain(tx.QueryContext(ctx, `SELECT "item"."id", "item"."doc_kind", "item"."state", "item"."formed_on", "item"."published_on" FROM "catalog_items" AS "item" WHERE (tenant_id = ? AND doc_kind IN (?) AND index_no IS NOT NULL)`,
			id, bun.List([]string{"rule", "normative_document"}))); err != nil {
			return err
		}
		_, err := drain(tx.QueryContext(ctx, `SELECT "transition"."item_id", "transition"."action", "transition"."at" FROM "catalog_transitions" AS "transition" WHERE (tenant_id = ? AND action IN (?)) ORDER BY "id"`,
			id, bun.List([]string{"repeal", "withdraw"})))
		return err
	})
	if err != nil {
		return err
	}
	start := workday.Date{Year: year, Month: time.January, Day: 1}
	end := workday.Date{Year: year, Month: time.December, Day: 31}
	return e.a.DB.InTx(ctx, db.Tenant(id), func(ctx context.Context, tx bun.Tx) error {
		if _, err := drain(tx.QueryContext(ctx, `SELECT outcome AS key, applicant_type, SUM(CASE WHEN received_year = ? THEN n ELSE 0 END) AS received, SUM(CASE WHEN received_year < ? THEN n ELSE 0 END) AS carried_in, SUM(CASE WHEN outcome <> '' AND outcome_year = ? THEN n ELSE 0 END) AS finished, SUM(CASE WHEN outcome_year = 0 OR outcome_year > ? THEN n ELSE 0 END) AS carried_forward FROM "request_year_counts" WHERE (tenant_id = ?) AND (received_year <= ? AND (outcome_year = 0 OR outcome_year >= ?)) GROUP BY outcome, applicant_type`,
			year, year, year, year, id, year, year)); err != nil {
			return err
		}
		if _, err := drain(tx.QueryContext(ctx, `SELECT "adjustment"."tenant_id", "adjustment"."id", "adjustment"."year", "adjustment"."row_code", "adjustment"."column_code", "adjustment"."delta", "adjustment"."reason", "adjustment"."created_by", "adjustment"."created_at" FROM "report_adjustments" AS "adjustment" WHERE (tenant_id = ? AND year = ?)`, id, year)); err != nil {
			return err
		}
		if _, err := drain(tx.QueryContext(ctx, `SELECT "case"."tenant_id", "case"."id", "case"."case_no", "case"."request_id", "case"."body", "case"."kind", "case"."filed_on", "case"."outcome", "case"."decided_on", "case"."note", "case"."created_at", "case"."updated_at" FROM "appeals" AS "case" WHERE (tenant_id = ? AND filed_on >= ? AND filed_on <= ?)`, id, start, end)); err != nil {
			return err
		}
		_, err := drain(tx.QueryContext(ctx, `SELECT "stored_figure"."tenant_id", "stored_figure"."year", "stored_figure"."key", "stored_figure"."value", "stored_figure"."source", "stored_figure"."updated_by", "stored_figure"."updated_at" FROM "report_figures" AS "stored_figure" WHERE (tenant_id = ? AND year = ?)`, id, year))
		return err
	})
}

// sqlDashboard is oversight.Service.Dashboard for the year: the check of
// the summary's calendar version (syncSummary, outside the transactions),
// the day counts (summaryCounts), the running requests (runningCounts), the
// monthly reply-time histogram (summaryReplyTimes, or the reply times from
// the requests when the summary was built from another calendar:
// replyTimes), the extensions (extensionCounts), the catalog publications
// (catalogCounts), the appeals (appealCounts) and the report versions
// (reportRows) — on SQLite one after the other in one transaction, on
// Postgres each in its own read-only transaction, concurrently
// (oversight.Service.readAll).
func (e *env) sqlDashboard(ctx context.Context) error {
	from := workday.Date{Year: e.opts.Year, Month: time.January, Day: 1}
	to := workday.Date{Year: e.opts.Year, Month: time.December, Day: 31}
	pg := e.a.DB.Dialect == db.Postgres
	if _, err := drain(e.a.DB.Bun.QueryContext(ctx, "SELECT calendar_version FROM request_summary_state WHERE id = 1")); err != nil {
		return err
	}
	queries := []func(ctx context.Context, tx bun.Tx) error{
		func(ctx context.Context, tx bun.Tx) error { // summaryCounts
			_, err := drain(tx.QueryContext(ctx, "SELECT tenant_id, sum(received) AS received, sum(replied) AS replied, sum(on_time) AS on_time, "+
				"sum(g0) AS g0, sum(g1) AS g1, sum(g2) AS g2, sum(g3) AS g3, sum(g4) AS g4, sum(g5) AS g5 "+
				"FROM request_day_counts WHERE day >= ? AND day <= ? GROUP BY tenant_id", from, to))
			return err
		},
		func(ctx context.Context, tx bun.Tx) error { // runningCounts
			_, err := drain(tx.QueryContext(ctx, "SELECT tenant_id, count(*) AS open, sum(CASE WHEN due_on < ? THEN 1 ELSE 0 END) AS overdue "+
				"FROM requests WHERE state IN ('open', 'paused') GROUP BY tenant_id", e.today))
			return err
		},
		func(ctx context.Context, tx bun.Tx) error { // summaryReplyTimes
			idx := e.calendar
			rows, err := tx.QueryContext(ctx, "SELECT s.calendar_version, h.tenant_id, h.days, coalesce(sum(h.n), 0) AS n "+
				"FROM request_summary_state AS s LEFT JOIN request_reply_days AS h ON h.month >= ? AND h.month <= ? "+
				"GROUP BY s.calendar_version, h.tenant_id, h.days", from, to)
			if err != nil {
				return err
			}
			var version string
			n := 0
			for rows.Next() {
				var tenantID, days, count *int64
				if err := rows.Scan(&version, &tenantID, &days, &count); err != nil {
					rows.Close()
					return err
				}
				n++
			}
			rows.Close()
			if err := rows.Err(); err != nil || (n > 0 && version == idx.version) {
				return err
			}
			// replyTimes: the summary was built from another calendar.
			base := idx.base.String()
			if pg {
				if idx.literal == "" {
					return nil
				}
				_, err := drain(tx.QueryContext(ctx, `SELECT r.tenant_id, c.a[(r.replied_on - DATE '`+base+`') + 1] - c.a[(r.received_on - DATE '`+base+`') + 1] AS days, count(*) AS n
FROM requests AS r, (SELECT CAST(? AS int[]) AS a) AS c
WHERE r.replied_on >= ? AND r.replied_on <= ? AND r.received_on IS NOT NULL
GROUP BY 1, 2`, idx.literal, from, to))
				return err
			}
			_, err = drain(tx.QueryContext(ctx, "SELECT tenant_id, CAST(julianday(received_on) - julianday(?) AS INTEGER), CAST(julianday(replied_on) - julianday(?) AS INTEGER) "+
				"FROM requests WHERE replied_on >= ? AND replied_on <= ? AND received_on IS NOT NULL", base, base, from, to))
			return err
		},
		func(ctx context.Context, tx bun.Tx) error { // extensionCounts
			_, err := drain(tx.QueryContext(ctx, `SELECT "tenant_id", count(DISTINCT request_id) AS n FROM "request_events" WHERE (kind = 'extended' AND day >= ? AND day <= ?) GROUP BY "tenant_id"`, from, to))
			return err
		},
		func(ctx context.Context, tx bun.Tx) error { // catalogCounts
			_, err := drain(tx.QueryContext(ctx, `SELECT "tenant_id", "formed_on", "published_on", count(*) AS n FROM "catalog_revisions" WHERE (revision = 1 AND published_on >= ? AND published_on <= ?) GROUP BY "tenant_id", "formed_on", "published_on"`, from, to))
			return err
		},
		func(ctx context.Context, tx bun.Tx) error { // appealCounts, reportRows
			if _, err := drain(tx.QueryContext(ctx, `SELECT "tenant_id", "outcome", count(*) AS n FROM "appeals" WHERE (filed_on >= ? AND filed_on <= ?) GROUP BY "tenant_id", "outcome"`, from, to)); err != nil {
				return err
			}
			_, err := drain(tx.QueryContext(ctx, `SELECT "stored"."tenant_id", "stored"."year", "stored"."version", "stored"."state", "stored"."submitted_at", "stored"."published_at" FROM "reports" AS "stored" WHERE (year IN (?)) ORDER BY tenant_id, year, version DESC`, bun.List([]int{e.opts.Year})))
			return err
		},
	}
	// oversight.Service.read: every bureau's rows, read-only on Postgres.
	read := func(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
		return e.a.DB.InTx(ctx, db.AllTenants, func(ctx context.Context, tx bun.Tx) error {
			if pg {
				if _, err := tx.ExecContext(ctx, "SET TRANSACTION READ ONLY"); err != nil {
					return err
				}
			}
			return fn(ctx, tx)
		})
	}
	if !pg {
		return read(ctx, func(ctx context.Context, tx bun.Tx) error {
			for _, q := range queries {
				if err := q(ctx, tx); err != nil {
					return err
				}
			}
			return nil
		})
	}
	errs := make([]error, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		wg.Go(func() { errs[i] = read(ctx, q) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// dayIndex is the oversight dashboard's working-day index (oversight's
// newDayIndex): the cumulative count of working days from 1 January of the
// first covered year, as the Postgres int[] literal the reply-time query
// reads.
type dayIndex struct {
	version string // the calendar's version
	base    workday.Date
	literal string
}

func newDayIndex(cal *workday.Calendar) dayIndex {
	years := cal.Covered()
	if len(years) == 0 {
		return dayIndex{version: cal.Version()}
	}
	idx := dayIndex{version: cal.Version(), base: workday.Date{Year: slices.Min(years), Month: time.January, Day: 1}}
	end := workday.Date{Year: slices.Max(years), Month: time.December, Day: 31}
	var b strings.Builder
	b.WriteByte('{')
	n := 0
	for d := idx.base; !d.After(end); d = d.AddDays(1) {
		if d != idx.base {
			b.WriteByte(',')
		}
		ok, err := cal.IsWorkingDay(d)
		if err != nil {
			b.WriteString("NULL")
			continue
		}
		if ok {
			n++
		}
		b.WriteString(strconv.Itoa(n))
	}
	b.WriteByte('}')
	idx.literal = b.String()
	return idx
}
