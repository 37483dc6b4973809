-- Related items (相关信息) of a catalog item: other items of the same bureau
-- a reader of the item should see too (the rule and its interpretation,
-- the old and the new fee schedule). Directed: item_id lists related_id.
-- Deleting a draft removes its links.
CREATE TABLE catalog_related (
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    item_id    bigint NOT NULL,
    related_id bigint NOT NULL CHECK (related_id <> item_id),
    position   integer NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, item_id, related_id),
    FOREIGN KEY (tenant_id, item_id) REFERENCES catalog_items (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, related_id) REFERENCES catalog_items (tenant_id, id) ON DELETE CASCADE
);

--bun:split

CREATE INDEX catalog_related_related_idx ON catalog_related (tenant_id, related_id);

--bun:split

ALTER TABLE catalog_related ENABLE ROW LEVEL SECURITY;

--bun:split

ALTER TABLE catalog_related FORCE ROW LEVEL SECURITY;

--bun:split

CREATE POLICY tenant_isolation ON catalog_related
    USING ((SELECT current_setting('app.all_tenants', true)) = 'on' OR tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint))
    WITH CHECK ((SELECT current_setting('app.all_tenants', true)) = 'on' OR tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint));
