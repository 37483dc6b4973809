-- Search index of the public catalog: every two-character piece (bigram) of
-- the search text (search_text: title, summary, document number and index
-- number, lower-cased) of every published or repealed item. A search term
-- of two or more characters occurs only in items holding all its bigrams,
-- so the public search reads those instead of every item of the bureau
-- (Regulations Art. 23: a catalog that is easy to search). Substring
-- pieces work for Chinese without word segmentation (养老 is one bigram).
-- in_title (1 when the bigram occurs in search_title) and published_on
-- rank two-character terms without reading the items: the key is in the
-- order of the search results (title matches first, then newer), so a
-- page of a one-term search reads only that page. Written by the service
-- in the transaction of every workflow step; drafts are not indexed.
CREATE TABLE catalog_grams (
    tenant_id    INTEGER NOT NULL,
    gram         TEXT NOT NULL,
    in_title     INTEGER NOT NULL,
    published_on TEXT NOT NULL,
    item_id      INTEGER NOT NULL REFERENCES catalog_items (id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, gram, in_title, published_on, item_id)
) WITHOUT ROWID;

--bun:split

CREATE INDEX catalog_grams_item_idx ON catalog_grams (tenant_id, item_id);

--bun:split

-- Backfill the items published before this migration.
WITH RECURSIVE g (tenant_id, item_id, t, title, pub, p) AS (
    SELECT tenant_id, id, search_text, search_title, published_on, 1 FROM catalog_items
    WHERE state IN ('published', 'repealed') AND length(search_text) >= 2
    UNION ALL
    SELECT tenant_id, item_id, t, title, pub, p + 1 FROM g WHERE p + 2 <= length(t)
)
INSERT OR IGNORE INTO catalog_grams (tenant_id, gram, item_id, in_title, published_on)
SELECT tenant_id, substr(t, p, 2), item_id, instr(title, substr(t, p, 2)) > 0, pub FROM g;
