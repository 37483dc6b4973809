-- catalog_versions: a number per bureau that moves with every change of
-- what its public catalog pages show (items, categories, attachments,
-- related items, revisions), bumped by the triggers below in the writing
-- transaction, whatever writes. The public pages are kept in memory under
-- the number they were rendered at (internal/portal), so a page is served
-- from memory only while nothing it shows has changed, on every instance.
-- Not tenant data (a bare counter), so without row-level security: the
-- public pages read it before any bureau scope is set.
CREATE TABLE catalog_versions (
    tenant_id bigint PRIMARY KEY REFERENCES tenants (id),
    version   bigint NOT NULL
);

--bun:split

CREATE FUNCTION catalog_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        t := OLD.tenant_id;
    ELSE
        t := NEW.tenant_id;
    END IF;
    INSERT INTO catalog_versions AS v (tenant_id, version) VALUES (t, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = v.version + 1;
    IF TG_OP = 'UPDATE' AND OLD.tenant_id IS DISTINCT FROM NEW.tenant_id THEN
        INSERT INTO catalog_versions AS v (tenant_id, version) VALUES (OLD.tenant_id, 1)
        ON CONFLICT (tenant_id) DO UPDATE SET version = v.version + 1;
    END IF;
    RETURN NULL;
END
$$;

--bun:split

CREATE TRIGGER catalog_items_version AFTER INSERT OR UPDATE OR DELETE ON catalog_items
    FOR EACH ROW EXECUTE FUNCTION catalog_version_bump();

--bun:split

CREATE TRIGGER catalog_categories_version AFTER INSERT OR UPDATE OR DELETE ON catalog_categories
    FOR EACH ROW EXECUTE FUNCTION catalog_version_bump();

--bun:split

CREATE TRIGGER catalog_attachments_version AFTER INSERT OR UPDATE OR DELETE ON catalog_attachments
    FOR EACH ROW EXECUTE FUNCTION catalog_version_bump();

--bun:split

CREATE TRIGGER catalog_related_version AFTER INSERT OR UPDATE OR DELETE ON catalog_related
    FOR EACH ROW EXECUTE FUNCTION catalog_version_bump();

--bun:split

CREATE TRIGGER catalog_revisions_version AFTER INSERT OR UPDATE OR DELETE ON catalog_revisions
    FOR EACH ROW EXECUTE FUNCTION catalog_version_bump();
