-- The number of public (published or repealed) items of each bureau and
-- year of first publication, kept beside the index number counters so
-- that the public catalog's pager and year filter read one small row per
-- year instead of counting the bureau's items on every page. Exact: the
-- triggers below keep it in the same transaction as every write to
-- catalog_items (the workflow, bulk publication, a restore, a hand-made
-- fix). The counter row of a year always exists before an item of that
-- year does: the item's index number is taken from it.
ALTER TABLE catalog_index_counters ADD COLUMN public_items integer NOT NULL DEFAULT 0;

--bun:split

-- Adds s to the public count of the (tenant_id, index_year) pairs of the
-- public items among items.
CREATE FUNCTION catalog_public_count_apply(items catalog_items[], s integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalog_index_counters AS c SET public_items = c.public_items + s * d.n
    FROM (SELECT i.tenant_id, i.index_year, count(*) AS n FROM unnest(items) AS i
          WHERE i.state IN ('published', 'repealed') AND i.index_year IS NOT NULL
          GROUP BY i.tenant_id, i.index_year ORDER BY i.tenant_id, i.index_year) AS d
    WHERE c.tenant_id = d.tenant_id AND c.year = d.index_year;
END
$$;

--bun:split

-- Inserts and deletes once per statement (bulk publication inserts
-- thousands of items a statement), updates per row and only when the item
-- becomes public or stops being public, or moves.
CREATE FUNCTION catalog_public_count_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        PERFORM catalog_public_count_apply(ARRAY[OLD], -1);
        PERFORM catalog_public_count_apply(ARRAY[NEW], 1);
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM catalog_public_count_apply((SELECT array_agg(CAST(ROW(n.*) AS catalog_items)) FROM new_items AS n), 1);
    ELSE
        PERFORM catalog_public_count_apply((SELECT array_agg(CAST(ROW(o.*) AS catalog_items)) FROM old_items AS o), -1);
    END IF;
    RETURN NULL;
END
$$;

--bun:split

CREATE TRIGGER catalog_items_public_count_insert AFTER INSERT ON catalog_items
    REFERENCING NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_public_count_trigger();

--bun:split

CREATE TRIGGER catalog_items_public_count_delete AFTER DELETE ON catalog_items
    REFERENCING OLD TABLE AS old_items
    FOR EACH STATEMENT EXECUTE FUNCTION catalog_public_count_trigger();

--bun:split

CREATE TRIGGER catalog_items_public_count_update AFTER UPDATE ON catalog_items
    FOR EACH ROW
    WHEN ((OLD.state IN ('published', 'repealed')) IS DISTINCT FROM (NEW.state IN ('published', 'repealed'))
        OR OLD.index_year IS DISTINCT FROM NEW.index_year
        OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
    EXECUTE FUNCTION catalog_public_count_trigger();

--bun:split

SELECT set_config('app.all_tenants', 'on', true);

--bun:split

UPDATE catalog_index_counters AS c SET public_items = d.n
FROM (SELECT tenant_id, index_year, count(*) AS n FROM catalog_items
      WHERE state IN ('published', 'repealed') AND index_year IS NOT NULL
      GROUP BY tenant_id, index_year) AS d
WHERE c.tenant_id = d.tenant_id AND c.year = d.index_year;

--bun:split

SELECT set_config('app.all_tenants', 'off', true);
