-- The number of public (published or repealed) items of each bureau and
-- year of first publication, kept beside the index number counters so
-- that the public catalog's pager and year filter read one small row per
-- year instead of counting the bureau's items on every page. Exact: the
-- triggers below keep it in the same transaction as every write to
-- catalog_items. The counter row of a year always exists before an item of
-- that year does: the item's index number is taken from it.
ALTER TABLE catalog_index_counters ADD COLUMN public_items INTEGER NOT NULL DEFAULT 0;

--bun:split

CREATE TRIGGER catalog_items_public_count_insert AFTER INSERT ON catalog_items
    WHEN NEW.state IN ('published', 'repealed') AND NEW.index_year IS NOT NULL
BEGIN
    UPDATE catalog_index_counters SET public_items = public_items + 1 WHERE tenant_id = NEW.tenant_id AND year = NEW.index_year;
END;

--bun:split

CREATE TRIGGER catalog_items_public_count_delete AFTER DELETE ON catalog_items
    WHEN OLD.state IN ('published', 'repealed') AND OLD.index_year IS NOT NULL
BEGIN
    UPDATE catalog_index_counters SET public_items = public_items - 1 WHERE tenant_id = OLD.tenant_id AND year = OLD.index_year;
END;

--bun:split

CREATE TRIGGER catalog_items_public_count_update AFTER UPDATE OF state, index_year, tenant_id ON catalog_items
    WHEN (OLD.state IN ('published', 'repealed')) IS NOT (NEW.state IN ('published', 'repealed'))
        OR OLD.index_year IS NOT NEW.index_year
        OR OLD.tenant_id IS NOT NEW.tenant_id
BEGIN
    UPDATE catalog_index_counters SET public_items = public_items - 1
    WHERE tenant_id = OLD.tenant_id AND year = OLD.index_year AND OLD.state IN ('published', 'repealed');
    UPDATE catalog_index_counters SET public_items = public_items + 1
    WHERE tenant_id = NEW.tenant_id AND year = NEW.index_year AND NEW.state IN ('published', 'repealed');
END;

--bun:split

UPDATE catalog_index_counters SET public_items = (
    SELECT count(*) FROM catalog_items AS i
    WHERE i.tenant_id = catalog_index_counters.tenant_id AND i.index_year = catalog_index_counters.year
      AND i.state IN ('published', 'repealed'));
