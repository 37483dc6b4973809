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
    tenant_id    bigint NOT NULL,
    gram         text NOT NULL,
    in_title     smallint NOT NULL,
    published_on date NOT NULL,
    item_id      bigint NOT NULL,
    PRIMARY KEY (tenant_id, gram, in_title, published_on, item_id),
    FOREIGN KEY (tenant_id, item_id) REFERENCES catalog_items (tenant_id, id) ON DELETE CASCADE
);

--bun:split

CREATE INDEX catalog_grams_item_idx ON catalog_grams (tenant_id, item_id);

--bun:split

ALTER TABLE catalog_grams ENABLE ROW LEVEL SECURITY;

--bun:split

ALTER TABLE catalog_grams FORCE ROW LEVEL SECURITY;

--bun:split

CREATE POLICY tenant_isolation ON catalog_grams
    USING ((SELECT current_setting('app.all_tenants', true)) = 'on' OR tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint))
    WITH CHECK ((SELECT current_setting('app.all_tenants', true)) = 'on' OR tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint));

--bun:split

-- Backfill the items published before this migration (row security is
-- forced, so the migration reads all bureaus explicitly).
SELECT set_config('app.all_tenants', 'on', true);

--bun:split

INSERT INTO catalog_grams (tenant_id, gram, item_id, in_title, published_on)
SELECT i.tenant_id, g.gram, i.id, CASE WHEN strpos(i.search_title, g.gram) > 0 THEN 1 ELSE 0 END, i.published_on
FROM catalog_items i
CROSS JOIN LATERAL (SELECT DISTINCT substr(i.search_text, p, 2) AS gram FROM generate_series(1, char_length(i.search_text) - 1) AS p) g
WHERE i.state IN ('published', 'repealed')
ON CONFLICT DO NOTHING;

--bun:split

SELECT set_config('app.all_tenants', 'off', true);
