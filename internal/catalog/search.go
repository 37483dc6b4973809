package catalog

import (
	"context"
	"html"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/fault"
	"gongkai/internal/tenant"
	"gongkai/internal/workday"
)

// Query selects catalog items: a search text, filters and a page.
type Query struct {
	// Q is the search text; every whitespace-separated term must occur in
	// the title, summary, document number or index number. Substring
	// matching, so it works for Chinese without word segmentation: 养老
	// finds 市养老院收费标准.
	Q string
	// Category is a category code; its sub-categories are included.
	Category string
	// Year selects items first published in that year.
	Year int
	// DocKind is rule, normative_document or other.
	DocKind string
	// States selects workflow states (staff lists only; the public sees
	// published and repealed items).
	States []State
	// Page is 1-based; PerPage is 20 by default, at most 100.
	Page, PerPage int
}

// Limits of a query.
const (
	maxTerms    = 10
	maxTermLen  = 50
	maxPage     = 1000
	defaultPage = 20
	maxPerPage  = 100
)

// Hit is an item in a result list, with the search terms highlighted
// (HTML-escaped, matches in <mark>).
type Hit struct {
	Item
	CategoryName string
	TitleHTML    template.HTML
	// SummaryHTML is an excerpt of the summary around the first match.
	SummaryHTML template.HTML
}

// Results is one page of a list or search, best matches first (title
// matches before others, then newer).
type Results struct {
	Hits    []Hit
	Total   int
	Page    int
	PerPage int
	Terms   []string
}

// Pages returns the number of pages.
func (r *Results) Pages() int {
	if r.PerPage == 0 {
		return 0
	}
	return (r.Total + r.PerPage - 1) / r.PerPage
}

// NextPage returns the number of the next page, 0 on the last.
func (r *Results) NextPage() int {
	if r.Page < r.Pages() {
		return r.Page + 1
	}
	return 0
}

// Terms splits a search text into its distinct terms (any Unicode space,
// the full-width one included, separates).
func Terms(q string) []string {
	var out []string
	for _, t := range strings.Fields(q) {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// normalize checks the query and fills defaults.
func (q *Query) normalize() ([]string, error) {
	terms := Terms(q.Q)
	var p []fault.FieldError
	if len(terms) > maxTerms {
		p = append(p, fault.FieldError{Field: "q", Message: "at most 10 search terms"})
	}
	for _, t := range terms {
		if utf8.RuneCountInString(t) > maxTermLen || !utf8.ValidString(t) {
			p = append(p, fault.FieldError{Field: "q", Message: "each search term must be valid text of at most 50 characters"})
			break
		}
	}
	if q.Page == 0 {
		q.Page = 1
	}
	if q.PerPage == 0 {
		q.PerPage = defaultPage
	}
	if q.Page < 1 || q.Page > maxPage {
		p = append(p, fault.FieldError{Field: "page", Message: "must be 1–1000"})
	}
	if q.PerPage < 1 || q.PerPage > maxPerPage {
		p = append(p, fault.FieldError{Field: "per_page", Message: "must be 1–100"})
	}
	if q.DocKind != "" && q.DocKind != KindRule && q.DocKind != KindNormative && q.DocKind != KindOther {
		p = append(p, fault.FieldError{Field: "kind", Message: "must be rule, normative_document or other"})
	}
	if q.Year != 0 && (q.Year < 1000 || q.Year > 9999) {
		p = append(p, fault.FieldError{Field: "year", Message: "must be a four-digit year"})
	}
	for _, st := range q.States {
		if !slices.Contains(States, st) {
			p = append(p, fault.FieldError{Field: "state", Message: "unknown state " + string(st)})
			break
		}
	}
	return terms, fault.Fields(p)
}

// List returns a page of the bureau's items for staff ("catalog read"), in
// any state (or those asked for): newest change first, or best match first
// when searching.
func (s *Service) List(ctx context.Context, tenantID int64, q Query) (*Results, error) {
	if err := s.authz.Require(ctx, tenantID, "catalog", "read"); err != nil {
		return nil, err
	}
	return s.search(ctx, tenantID, q, false)
}

// PublicSearch returns a page of the bureau's public catalog: published and
// repealed items only, newest first, or best match first when searching.
// No actor needed (proactive disclosure, Art. 19–23).
func (s *Service) PublicSearch(ctx context.Context, tenantID int64, q Query) (*Results, error) {
	q.States = nil
	return s.search(ctx, tenantID, q, true)
}

func (s *Service) search(ctx context.Context, tenantID int64, q Query, public bool) (*Results, error) {
	var res *Results
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		cats, err := categoriesTx(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		res, err = s.searchTx(ctx, tx, tenantID, q, public, cats, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Listing is a page of the public catalog with what the page shows around
// it: the category tree and the years with public items.
type Listing struct {
	// Results is nil when the query is invalid (the error says why).
	Results *Results
	Tree    []CategoryNode
	Years   []int
}

// PublicListing returns, in one read transaction, the page of t's public
// catalog for q with the category tree and the years of PublicYears: one
// round of queries for the whole catalog page. An invalid query still
// returns the tree and the years, with the Invalid error.
func (s *Service) PublicListing(ctx context.Context, t tenant.Tenant, q Query) (*Listing, error) {
	l := &Listing{}
	var qerr error
	err := s.db.InTx(ctx, db.Tenant(t.ID), func(ctx context.Context, tx bun.Tx) error {
		cats, err := categoriesTx(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		counts, err := publicCountsTx(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		l.Years = counts.years()
		l.Results, err = s.searchTx(ctx, tx, t.ID, q, true, cats, counts)
		if fault.Is(err, fault.Invalid) {
			qerr, l.Results = err, nil
			err = nil
		}
		if len(cats) == 0 { // not seeded yet: the kind's template
			cats = templateRows(t.ID, s.templates[t.Kind].Categories, "", time.Time{}, nil)
		}
		l.Tree = tree(cats)
		return err
	})
	if err != nil {
		return nil, err
	}
	return l, qerr
}

// searchTx runs a search inside tx over the bureau whose categories are
// cats (for the category filter and the names of the hits). counts, when
// the caller has read them, are the bureau's public counts (read here when
// nil and needed).
func (s *Service) searchTx(ctx context.Context, tx bun.Tx, tenantID int64, q Query, public bool, cats []Category, counts publicCounts) (*Results, error) {
	terms, err := q.normalize()
	if err != nil {
		return nil, err
	}
	// Substring search on the lower-cased search columns: instr on
	// SQLite, strpos on Postgres (the same semantics as LIKE '%term%' with
	// the wildcards escaped, without the pattern matching).
	pos := "instr"
	if s.db.Dialect == db.Postgres {
		pos = "strpos"
	}
	lowered := make([]string, len(terms))
	for i, t := range terms {
		lowered[i] = strings.ToLower(t)
	}
	res := &Results{Page: q.Page, PerPage: q.PerPage, Terms: terms}
	var plan gramPlan // the public search narrows to the items holding the terms' bigrams (bigrams.go)
	if public {
		plan = planGrams(lowered, q.Category != "" || q.Year != 0 || q.DocKind != "")
	}
	names := categoryNames(cats)
	err = func() error {
		if err := plan.narrowTx(ctx, tx, tenantID, commonGram); err != nil {
			return err
		}
		filter := func(sq *bun.SelectQuery) *bun.SelectQuery {
			sq = sq.Where("tenant_id = ?", tenantID)
			switch {
			case public:
				// Written out as in the partial index catalog_items_public_idx.
				sq = sq.Where("state IN ('published', 'repealed')")
			case len(q.States) > 0:
				sq = sq.Where("state IN (?)", bun.List(q.States))
			}
			if q.Category != "" {
				sq = sq.Where("category_code IN (?)", bun.List(withDescendants(cats, q.Category)))
			}
			if q.Year != 0 {
				sq = sq.Where("published_on >= ? AND published_on < ?", workday.Date{Year: q.Year, Month: 1, Day: 1}, workday.Date{Year: q.Year + 1, Month: 1, Day: 1})
			}
			if q.DocKind != "" {
				sq = sq.Where("doc_kind = ?", q.DocKind)
			}
			if len(plan.grams) > 0 {
				sq = sq.Where("id IN (?)", gramCandidates(tx, tenantID, plan))
			}
			for _, t := range lowered {
				sq = sq.Where(pos+"(search_text, ?) > 0", t)
			}
			return sq
		}
		count := func() error {
			if public && len(terms) == 0 && q.Category == "" && q.DocKind == "" {
				// The public list by year or in all: the counters have it
				// (items first published in a year are its index year's).
				var err error
				if counts == nil {
					counts, err = publicCountsTx(ctx, tx, tenantID)
				}
				res.Total = counts.total(q.Year)
				return err
			}
			n, err := filter(tx.NewSelect().Model((*Item)(nil))).Count(ctx)
			res.Total = int(n)
			return db.Translate(err)
		}
		var items []Item
		if len(terms) == 0 {
			// A list: the count from the counters (public, unfiltered) or
			// the index, the page from the index.
			if err := count(); err != nil || res.Total == 0 || (q.Page-1)*q.PerPage >= res.Total {
				return err
			}
			sq := filter(tx.NewSelect().Model(&items).ExcludeColumn("body", "search_title", "search_text"))
			if public {
				sq = sq.OrderExpr("published_on DESC, id DESC")
			} else {
				sq = sq.OrderExpr("updated_at DESC, id DESC")
			}
			if err := sq.Limit(int64(q.PerPage)).Offset(int64((q.Page - 1) * q.PerPage)).Scan(ctx); err != nil {
				return db.Translate(err)
			}
		} else {
			// A search scans the bureau's rows once for the ids of one page of
			// matches, ranked (title matches first, then newer), with the total
			// alongside; then reads those rows.
			var page []searchRow
			rank := make([]string, len(terms))
			args := make([]any, len(terms))
			for i, t := range lowered {
				rank[i] = "CASE WHEN " + pos + "(search_title, ?) > 0 THEN 1 ELSE 0 END"
				args[i] = t
			}
			if plan.exact {
				// Two-character terms only: the index answers alone.
				if page, err = gramPageTx(ctx, tx, tenantID, plan, q.Page, q.PerPage); err != nil {
					return err
				}
			} else {
				sq := filter(tx.NewSelect().Model((*Item)(nil)).Column("id").ColumnExpr("count(*) OVER () AS total")).
					OrderExpr("("+strings.Join(rank, " + ")+") DESC", args...).OrderExpr("published_on DESC NULLS LAST, id DESC")
				if err := sq.Limit(int64(q.PerPage)).Offset(int64((q.Page-1)*q.PerPage)).Scan(ctx, &page); err != nil {
					return db.Translate(err)
				}
			}
			if len(page) == 0 {
				return count() // past the last page
			}
			res.Total = page[0].Total
			ids := make([]int64, len(page))
			for i, r := range page {
				ids[i] = r.ID
			}
			if err := tx.NewSelect().Model(&items).ExcludeColumn("body", "search_title", "search_text").
				Where("tenant_id = ? AND id IN (?)", tenantID, bun.List(ids)).Scan(ctx); err != nil {
				return db.Translate(err)
			}
			slices.SortFunc(items, func(a, b Item) int { return slices.Index(ids, a.ID) - slices.Index(ids, b.ID) })
		}
		res.Hits = make([]Hit, 0, len(items))
		for i := range items {
			normalize(&items[i])
			it := items[i]
			res.Hits = append(res.Hits, Hit{Item: it, CategoryName: names[it.CategoryCode],
				TitleHTML: Highlight(it.Title, terms), SummaryHTML: Highlight(Excerpt(it.Summary, terms, 120), terms)})
		}
		return nil
	}()
	if err != nil {
		return nil, err
	}
	return res, nil
}

// searchRow is the id of a matching item with the number of matches.
type searchRow struct {
	ID    int64 `bun:"id"`
	Total int   `bun:"total"`
}

// withDescendants returns code and the codes of its sub-categories.
func withDescendants(cats []Category, code string) []string {
	out := []string{code}
	for _, c := range cats {
		if strings.HasPrefix(c.Code, code+".") {
			out = append(out, c.Code)
		}
	}
	return out
}

// matches returns the rune ranges [start, end) of text where any term
// occurs, merged and in order; letters are compared case-insensitively.
func matches(text []rune, terms []string) [][2]int {
	lower := make([]rune, len(text))
	for i, r := range text {
		lower[i] = unicode.ToLower(r)
	}
	var spans [][2]int
	for _, t := range terms {
		tr := []rune(t)
		for i := range tr {
			tr[i] = unicode.ToLower(tr[i])
		}
		if len(tr) == 0 {
			continue
		}
		for i := 0; i+len(tr) <= len(lower); i++ {
			if slices.Equal(lower[i:i+len(tr)], tr) {
				spans = append(spans, [2]int{i, i + len(tr)})
			}
		}
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var merged [][2]int
	for _, s := range spans {
		if n := len(merged); n > 0 && s[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], s[1])
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// Highlight returns text HTML-escaped with every occurrence of the terms
// wrapped in <mark>.
func Highlight(text string, terms []string) template.HTML {
	rs := []rune(text)
	var b strings.Builder
	at := 0
	for _, m := range matches(rs, terms) {
		b.WriteString(html.EscapeString(string(rs[at:m[0]])))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(string(rs[m[0]:m[1]])))
		b.WriteString("</mark>")
		at = m[1]
	}
	b.WriteString(html.EscapeString(string(rs[at:])))
	return template.HTML(b.String()) //nolint:gosec // every piece of text is escaped above
}

// Excerpt returns at most width characters of text around the first
// occurrence of a term (the start when none), with … where text was cut.
func Excerpt(text string, terms []string, width int) string {
	rs := []rune(text)
	if len(rs) <= width {
		return text
	}
	start := 0
	if ms := matches(rs, terms); len(ms) > 0 {
		start = max(0, ms[0][0]-width/4)
	}
	end := min(len(rs), start+width)
	if end-start < width {
		start = max(0, end-width)
	}
	out := string(rs[start:end])
	if start > 0 {
		out = "…" + out
	}
	if end < len(rs) {
		out += "…"
	}
	return out
}

// PublicView is a published item as the public sees it on its page: the
// metadata table of a government disclosure page (索引号, 发布机构, 生成日期,
// 文号, 主题分类, 有效性) and the body. A withdrawn item has Gone set and
// carries only its title and index number.
type PublicView struct {
	Item         Item
	CategoryName string
	TopicNames   []string
	// SupersededBy is the item replacing this one, if any.
	SupersededBy *Item
	// Gone reports that the item was withdrawn: its URL answers 410.
	Gone bool
	// Attachments are the item's files (附件), none when Gone.
	Attachments []Attachment
}

// PublicItem returns a published, repealed or withdrawn item of the bureau
// by its index number or its id; drafts and items under review are not
// found. No actor needed.
func (s *Service) PublicItem(ctx context.Context, tenantID int64, key string) (*PublicView, error) {
	key = strings.TrimSpace(key)
	if key == "" || len(key) > 200 {
		return nil, fault.New(fault.NotFound, "catalog item not found")
	}
	t, err := s.loadTenant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	v := &PublicView{}
	err = s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		visible := bun.List([]State{Published, Repealed, Withdrawn})
		err := tx.NewSelect().Model(&v.Item).Where("tenant_id = ? AND index_no = ? AND state IN (?)", tenantID, key, visible).Scan(ctx)
		if isNoRows(err) {
			id, perr := strconv.ParseInt(key, 10, 64)
			if perr != nil {
				return db.NotFound(err, "catalog item")
			}
			err = tx.NewSelect().Model(&v.Item).Where("tenant_id = ? AND id = ? AND state IN (?)", tenantID, id, visible).Scan(ctx)
		}
		if err != nil {
			return db.NotFound(err, "catalog item")
		}
		normalize(&v.Item)
		if v.Item.State == Withdrawn {
			v.Gone = true
			v.Item = Item{ID: v.Item.ID, TenantID: v.Item.TenantID, State: Withdrawn, Title: v.Item.Title, IndexNo: v.Item.IndexNo, UpdatedAt: v.Item.UpdatedAt}
			return nil
		}
		if v.Item.SupersededBy != 0 {
			by := new(Item)
			err := tx.NewSelect().Model(by).Column("id", "index_no", "title", "state").
				Where("tenant_id = ? AND id = ? AND state IN (?)", tenantID, v.Item.SupersededBy, bun.List([]State{Published, Repealed})).Scan(ctx)
			if err == nil {
				v.SupersededBy = by
			} else if !isNoRows(err) {
				return db.Translate(err)
			}
		}
		cats, err := categoriesTx(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		v.CategoryName = categoryNames(cats)[v.Item.CategoryCode]
		v.Attachments, err = attachmentsTx(ctx, tx, tenantID, v.Item.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	tmpl := s.templates[t.Kind]
	for _, code := range v.Item.TopicCodes() {
		if tp, ok := tmpl.Topic(code); ok {
			v.TopicNames = append(v.TopicNames, tp.Name)
		}
	}
	return v, nil
}

// PublicYears returns the years in which the bureau first published items
// that are still public, newest first, for the year filter of the public
// catalog.
func (s *Service) PublicYears(ctx context.Context, tenantID int64) ([]int, error) {
	var years []int
	err := s.db.InTx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx bun.Tx) error {
		var err error
		c, err := publicCountsTx(ctx, tx, tenantID)
		years = c.years()
		return err
	})
	return years, err
}

// publicCounts is the number of a bureau's public items by the year of
// their first publication, newest year first, years without any left out.
type publicCounts []yearCount

// yearCount is one year of publicCounts.
type yearCount struct {
	Year  int `bun:"year"`
	Items int `bun:"public_items"`
}

// years returns the years of c, newest first.
func (c publicCounts) years() []int {
	out := make([]int, len(c))
	for i, y := range c {
		out[i] = y.Year
	}
	return out
}

// total returns the number of public items first published in year, or in
// every year when year is 0.
func (c publicCounts) total(year int) int {
	n := 0
	for _, y := range c {
		if year == 0 || y.Year == year {
			n += y.Items
		}
	}
	return n
}

// publicCountsTx reads the bureau's public item counts inside tx from its
// index number counters, where the triggers of migration
// 20261126001800_catalog_public_counts keep them (one row per year in which
// it published).
func publicCountsTx(ctx context.Context, tx bun.IDB, tenantID int64) (publicCounts, error) {
	var c publicCounts
	err := tx.NewRaw(`SELECT year, public_items FROM catalog_index_counters WHERE tenant_id = ? AND public_items > 0 ORDER BY year DESC`, tenantID).Scan(ctx, &c)
	return c, db.Translate(err)
}

// PublicVersion returns the number of the bureau's public catalog: it
// changes with every write to what its public pages show (the triggers of
// migration 20261126001900_catalog_versions), so a page rendered at one
// number may be served again while the number stays. 0 before the first
// write. One read of a bare counter, outside any bureau scope.
func (s *Service) PublicVersion(ctx context.Context, tenantID int64) (int64, error) {
	var v []int64
	err := s.db.Bun.NewRaw(`SELECT version FROM catalog_versions WHERE tenant_id = ?`, tenantID).Scan(ctx, &v)
	if err != nil || len(v) == 0 {
		return 0, db.Translate(err)
	}
	return v[0], nil
}
