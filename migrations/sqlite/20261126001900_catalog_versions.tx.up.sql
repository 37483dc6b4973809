-- catalog_versions: a number per bureau that moves with every change of
-- what its public catalog pages show (items, categories, attachments,
-- related items, revisions), bumped by the triggers below in the writing
-- transaction, whatever writes. The public pages are kept in memory under
-- the number they were rendered at (internal/portal), so a page is served
-- from memory only while nothing it shows has changed.
CREATE TABLE catalog_versions (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id),
    version   INTEGER NOT NULL
);

--bun:split

CREATE TRIGGER catalog_items_version_insert AFTER INSERT ON catalog_items
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_items_version_update AFTER UPDATE ON catalog_items
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
    INSERT INTO catalog_versions (tenant_id, version) SELECT OLD.tenant_id, 1 WHERE OLD.tenant_id IS NOT NEW.tenant_id
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_items_version_delete AFTER DELETE ON catalog_items
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_categories_version_insert AFTER INSERT ON catalog_categories
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_categories_version_update AFTER UPDATE ON catalog_categories
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
    INSERT INTO catalog_versions (tenant_id, version) SELECT OLD.tenant_id, 1 WHERE OLD.tenant_id IS NOT NEW.tenant_id
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_categories_version_delete AFTER DELETE ON catalog_categories
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_attachments_version_insert AFTER INSERT ON catalog_attachments
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_attachments_version_update AFTER UPDATE ON catalog_attachments
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
    INSERT INTO catalog_versions (tenant_id, version) SELECT OLD.tenant_id, 1 WHERE OLD.tenant_id IS NOT NEW.tenant_id
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_attachments_version_delete AFTER DELETE ON catalog_attachments
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_related_version_insert AFTER INSERT ON catalog_related
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_related_version_update AFTER UPDATE ON catalog_related
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
    INSERT INTO catalog_versions (tenant_id, version) SELECT OLD.tenant_id, 1 WHERE OLD.tenant_id IS NOT NEW.tenant_id
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_related_version_delete AFTER DELETE ON catalog_related
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_revisions_version_insert AFTER INSERT ON catalog_revisions
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_revisions_version_update AFTER UPDATE ON catalog_revisions
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (NEW.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
    INSERT INTO catalog_versions (tenant_id, version) SELECT OLD.tenant_id, 1 WHERE OLD.tenant_id IS NOT NEW.tenant_id
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;

--bun:split

CREATE TRIGGER catalog_revisions_version_delete AFTER DELETE ON catalog_revisions
BEGIN
    INSERT INTO catalog_versions (tenant_id, version) VALUES (OLD.tenant_id, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = version + 1;
END;
