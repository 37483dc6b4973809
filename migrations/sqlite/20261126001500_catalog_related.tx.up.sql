-- Related items (相关信息) of a catalog item: other items of the same bureau
-- a reader of the item should see too (the rule and its interpretation,
-- the old and the new fee schedule). Directed: item_id lists related_id.
-- Deleting a draft removes its links.
CREATE TABLE catalog_related (
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    item_id    INTEGER NOT NULL REFERENCES catalog_items (id) ON DELETE CASCADE,
    related_id INTEGER NOT NULL REFERENCES catalog_items (id) ON DELETE CASCADE CHECK (related_id <> item_id),
    position   INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, item_id, related_id)
);

--bun:split

CREATE INDEX catalog_related_related_idx ON catalog_related (tenant_id, related_id);
