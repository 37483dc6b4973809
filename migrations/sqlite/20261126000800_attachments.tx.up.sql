-- Attachments (附件) of catalog items: the files of a disclosure page
-- (Regulations Art. 12, 19–26). The bytes live in the attachment store, a
-- directory outside the web root, under stored_name (random); the row
-- keeps the original file name (sanitised), the media type sniffed from
-- the content, the size and the SHA-256. A revision draft gets copies of
-- the rows of the item it revises, sharing the stored files; a file is
-- removed when no row names it any more.
CREATE TABLE catalog_attachments (
    tenant_id       INTEGER NOT NULL REFERENCES tenants (id),
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL,
    file_name       TEXT NOT NULL,
    stored_name     TEXT NOT NULL,
    media_type      TEXT NOT NULL,
    size            INTEGER NOT NULL CHECK (size >= 0),
    sha256          TEXT NOT NULL,
    position        INTEGER NOT NULL,
    created_by      TEXT NOT NULL,
    created_by_name TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    FOREIGN KEY (item_id) REFERENCES catalog_items (id)
);

--bun:split

CREATE INDEX catalog_attachments_item_idx ON catalog_attachments (tenant_id, item_id, position);

--bun:split

CREATE INDEX catalog_attachments_stored_idx ON catalog_attachments (tenant_id, stored_name);
