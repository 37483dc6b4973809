package catalog

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"gongkai/internal/db"
	"gongkai/internal/workday"
)

// The public search index (catalog_grams): every two-character piece
// (bigram) of the search text of every published or repealed item, so that
// a search term of two or more characters reads only the items holding all
// its bigrams instead of every item of the bureau (Regulations Art. 23: the
// catalog must be easy to search). Pieces of characters rather than words,
// so it works for Chinese without word segmentation: 养老 is one bigram and
// finds 市养老院收费标准. The index only narrows the candidates; the search
// still matches the terms as substrings, so results are exactly those of a
// scan. Drafts and items under review or withdrawn are not indexed; staff
// lists (which include them) scan.

// gram is one row of catalog_grams.
type gram struct {
	bun.BaseModel `bun:"table:catalog_grams"`
	TenantID      int64  `bun:",pk"`
	Gram          string `bun:",pk"`
	ItemID        int64  `bun:",pk"`
	// InTitle is 1 when the bigram occurs in the item's search title: for a
	// two-character term that is exactly the ranking "title matches first".
	InTitle     int          `bun:",notnull"`
	PublishedOn workday.Date `bun:",notnull"`
}

// bigrams returns the distinct two-character pieces of s (already
// lower-cased), in order of first occurrence. A string of fewer than two
// characters has none.
func bigrams(s string) []string {
	var out []string
	seen := map[string]bool{}
	prev := -1 // byte offset of the previous rune
	for i := range s {
		if prev >= 0 {
			_, n := utf8.DecodeRuneInString(s[i:])
			g := s[prev : i+n]
			if !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
		prev = i
	}
	return out
}

// syncGramsTx brings the index rows of it up to date inside tx: it is
// called by every write that changes an item's state or its public
// content (the workflow steps, revisions included). An item that is not
// public has no rows.
func syncGramsTx(ctx context.Context, tx bun.IDB, it *Item) error {
	if _, err := tx.NewDelete().Model((*gram)(nil)).Where("tenant_id = ? AND item_id = ?", it.TenantID, it.ID).Exec(ctx); err != nil {
		return db.Translate(err)
	}
	if !it.State.Public() {
		return nil
	}
	gs := bigrams(it.SearchText)
	if len(gs) == 0 {
		return nil
	}
	rows := make([]gram, len(gs))
	for i, g := range gs {
		rows[i] = gram{TenantID: it.TenantID, Gram: g, ItemID: it.ID, PublishedOn: it.PublishedOn}
		if strings.Contains(it.SearchTitle, g) {
			rows[i].InTitle = 1
		}
	}
	_, err := tx.NewInsert().Model(&rows).Exec(ctx)
	return db.Translate(err)
}

// rebuildGramsSQL fills catalog_grams from the public items of the bureau
// (?: its id), skipping rows already there; the same statement as the
// backfill of migration 20261126001400_catalog_bigrams.
var rebuildGramsSQL = map[db.Dialect]string{
	db.Postgres: `INSERT INTO catalog_grams (tenant_id, gram, item_id, in_title, published_on)
SELECT i.tenant_id, g.gram, i.id, CASE WHEN strpos(i.search_title, g.gram) > 0 THEN 1 ELSE 0 END, i.published_on
FROM catalog_items i
CROSS JOIN LATERAL (SELECT DISTINCT substr(i.search_text, p, 2) AS gram FROM generate_series(1, char_length(i.search_text) - 1) AS p) g
WHERE i.state IN ('published', 'repealed') AND i.tenant_id = ?
ON CONFLICT DO NOTHING`,
	db.SQLite: `WITH RECURSIVE g (tenant_id, item_id, t, title, pub, p) AS (
    SELECT tenant_id, id, search_text, search_title, published_on, 1 FROM catalog_items
    WHERE state IN ('published', 'repealed') AND length(search_text) >= 2 AND tenant_id = ?
    UNION ALL
    SELECT tenant_id, item_id, t, title, pub, p + 1 FROM g WHERE p + 2 <= length(t)
)
INSERT OR IGNORE INTO catalog_grams (tenant_id, gram, item_id, in_title, published_on)
SELECT tenant_id, substr(t, p, 2), item_id, instr(title, substr(t, p, 2)) > 0, pub FROM g`,
}

// rebuildGramsTx indexes the bureau's public items that are not indexed
// yet (items written directly to the database, such as bulk test data);
// idempotent.
func rebuildGramsTx(ctx context.Context, tx bun.IDB, dialect db.Dialect, tenantID int64) error {
	_, err := tx.NewRaw(rebuildGramsSQL[dialect], tenantID).Exec(ctx)
	return db.Translate(err)
}

// Limits of the use of the index by a search that must verify its
// candidates (a term longer than two characters, or filters).
const (
	// commonGram is the number of items holding a bigram from which it is
	// too common to narrow the search: reading that many candidates costs
	// about as much as scanning the bureau.
	commonGram = 3000
	// maxProbe is the number of bigrams whose frequency is probed.
	maxProbe = 12
	// maxIntersect is the number of the rarest bigrams intersected.
	maxIntersect = 3
)

// gramPlan is how a public search uses the index.
type gramPlan struct {
	// grams are bigrams of the terms of two or more characters: the
	// matching items hold all of them (none when every term has one
	// character or every bigram is too common: the search then scans).
	grams []string
	// exact reports that every term has exactly two characters, the terms
	// are distinct once lower-cased and there are no filters: the items
	// holding all the grams are exactly the matches, and in_title gives
	// their rank, so the index alone answers the search.
	exact bool
}

// planGrams returns how a public search for the lower-cased terms uses the
// index; filtered reports a category, year or document kind filter.
func planGrams(lowered []string, filtered bool) gramPlan {
	var p gramPlan
	exact := len(lowered) > 0 && !filtered
	seen := map[string]bool{}
	for _, t := range lowered {
		if utf8.RuneCountInString(t) != 2 || seen[t] {
			exact = false
		}
		seen[t] = true
		for _, g := range bigrams(t) {
			if !slices.Contains(p.grams, g) {
				p.grams = append(p.grams, g)
			}
		}
	}
	p.exact = exact && len(p.grams) == len(lowered)
	return p
}

// narrowTx keeps, for a search that verifies its candidates, the rarest
// bigrams only (at most maxIntersect of those held by fewer than common
// items, commonGram in a search), or none when all are too common. Fewer
// bigrams give more candidates, never fewer matches.
func (p *gramPlan) narrowTx(ctx context.Context, tx bun.IDB, tenantID int64, common int) error {
	if p.exact || len(p.grams) == 0 {
		return nil
	}
	type freq struct {
		gram string
		n    int
	}
	var rare []freq
	for _, g := range p.grams[:min(len(p.grams), maxProbe)] {
		var n int
		sub := tx.NewSelect().Model((*gram)(nil)).ColumnExpr("1").Where("tenant_id = ? AND gram = ?", tenantID, g).Limit(int64(common))
		if err := tx.NewSelect().TableExpr("(?) AS s", sub).ColumnExpr("count(*)").Scan(ctx, &n); err != nil {
			return db.Translate(err)
		}
		if n == 0 { // no item holds it: no match
			p.grams = []string{g}
			return nil
		}
		if n < common {
			rare = append(rare, freq{g, n})
		}
	}
	slices.SortStableFunc(rare, func(a, b freq) int { return a.n - b.n })
	p.grams = nil
	for _, f := range rare[:min(len(rare), maxIntersect)] {
		p.grams = append(p.grams, f.gram)
	}
	return nil
}

// gramCandidates is the subquery of the ids of the bureau's public items
// holding every one of the plan's bigrams.
func gramCandidates(tx bun.IDB, tenantID int64, p gramPlan) *bun.SelectQuery {
	return tx.NewSelect().Model((*gram)(nil)).Column("item_id").
		Where("tenant_id = ? AND gram IN (?)", tenantID, bun.List(p.grams)).
		Group("item_id").Having("count(*) = ?", len(p.grams))
}

// gramPageTx answers an exact plan from the index alone: one page of the
// matching item ids ranked as the scan ranks them (more terms in the title
// first, then newer, then higher id), with the total. Public items always
// have a publication date, so the order of NULLs does not arise.
func gramPageTx(ctx context.Context, tx bun.IDB, tenantID int64, p gramPlan, page, perPage int) ([]searchRow, error) {
	var rows []searchRow
	limit, offset := int64(perPage), int64((page-1)*perPage)
	if len(p.grams) == 1 {
		// One term: the page read in key order, with the count beside it
		// (one scalar subquery, evaluated once); no rows past the end.
		one := func() *bun.SelectQuery {
			return tx.NewSelect().Model((*gram)(nil)).Where("tenant_id = ? AND gram = ?", tenantID, p.grams[0])
		}
		err := one().ColumnExpr("item_id AS id").ColumnExpr("(?) AS total", one().ColumnExpr("count(*)")).
			OrderExpr("in_title DESC, published_on DESC, item_id DESC").Limit(limit).Offset(offset).Scan(ctx, &rows)
		return rows, db.Translate(err)
	}
	err := tx.NewSelect().Model((*gram)(nil)).ColumnExpr("item_id AS id").ColumnExpr("count(*) OVER () AS total").
		Where("tenant_id = ? AND gram IN (?)", tenantID, bun.List(p.grams)).
		Group("item_id").Having("count(*) = ?", len(p.grams)).
		OrderExpr("sum(in_title) DESC, max(published_on) DESC, item_id DESC").
		Limit(limit).Offset(offset).Scan(ctx, &rows)
	return rows, db.Translate(err)
}
