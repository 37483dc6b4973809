-- The disclosure catalog (政府信息公开目录, Regulations Art. 12, 19–26).
-- Category tree (信息类别) per bureau, seeded from the template of the
-- bureau's kind and edited by the bureau admin. code is stable: a child's
-- code extends its parent's with a dot (policy -> policy.rules).
CREATE TABLE catalog_categories (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    parent_code TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, code)
);

--bun:split

-- Catalog items (目录条目). The row holds the current content: the working
-- copy of a draft, or what the public sees once published. A revision of a
-- published item is a separate draft row (revises_id) that goes through
-- review and replaces the content of the original when published.
-- index_no (索引号) is allocated at first publication from
-- catalog_index_counters and never changes.
CREATE TABLE catalog_items (
    tenant_id      INTEGER NOT NULL REFERENCES tenants (id),
    id             INTEGER PRIMARY KEY,
    external_id    TEXT,
    state          TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'published', 'withdrawn', 'repealed')),
    revises_id     INTEGER,
    index_no       TEXT,
    index_year     INTEGER,
    index_seq      INTEGER,
    title          TEXT NOT NULL,
    summary        TEXT NOT NULL DEFAULT '',
    body           TEXT NOT NULL DEFAULT '',
    doc_no         TEXT NOT NULL DEFAULT '',
    issuer         TEXT NOT NULL DEFAULT '',
    formed_on      TEXT NOT NULL,
    published_on   TEXT,
    revised_on     TEXT,
    category_code  TEXT NOT NULL,
    topics         TEXT NOT NULL DEFAULT '',
    doc_kind       TEXT NOT NULL DEFAULT 'other' CHECK (doc_kind IN ('rule', 'normative_document', 'other')),
    validity       TEXT NOT NULL DEFAULT 'in_force' CHECK (validity IN ('in_force', 'repealed', 'amended')),
    superseded_by  INTEGER,
    basis          INTEGER NOT NULL DEFAULT 0 CHECK (basis BETWEEN 0 AND 15),
    revision       INTEGER NOT NULL DEFAULT 0,
    author         TEXT NOT NULL,
    author_user_id INTEGER NOT NULL DEFAULT 0,
    author_name    TEXT NOT NULL,
    submitter      TEXT NOT NULL DEFAULT '',
    submitter_user_id INTEGER NOT NULL DEFAULT 0,
    -- Lower-cased copies for substring search, written by the service:
    -- search_title is the title (for ranking), search_text the title,
    -- summary, document number and index number (for matching).
    search_title   TEXT NOT NULL DEFAULT '',
    search_text    TEXT NOT NULL DEFAULT '',
    reviewer_name  TEXT NOT NULL DEFAULT '',
    reviewed_at    TIMESTAMP,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, external_id),
    UNIQUE (tenant_id, index_no),
    UNIQUE (tenant_id, index_year, index_seq),
    FOREIGN KEY (revises_id) REFERENCES catalog_items (id),
    FOREIGN KEY (superseded_by) REFERENCES catalog_items (id)
);

--bun:split

-- At most one open revision per published item.
CREATE UNIQUE INDEX catalog_items_revision_idx ON catalog_items (tenant_id, revises_id) WHERE revises_id IS NOT NULL;

--bun:split

-- The public catalog, newest first.
CREATE INDEX catalog_items_public_idx ON catalog_items (tenant_id, published_on, id) WHERE state IN ('published', 'repealed');

--bun:split

CREATE INDEX catalog_items_category_idx ON catalog_items (tenant_id, category_code);

--bun:split

CREATE INDEX catalog_items_state_idx ON catalog_items (tenant_id, state, formed_on);

--bun:split

CREATE INDEX catalog_items_updated_idx ON catalog_items (tenant_id, updated_at, id);

--bun:split

-- Every workflow step of an item: who, when, from which state to which,
-- and the comment (return to draft, withdrawal, repeal).
CREATE TABLE catalog_transitions (
    tenant_id  INTEGER NOT NULL,
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    comment    TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    at         TIMESTAMP NOT NULL,
    FOREIGN KEY (item_id) REFERENCES catalog_items (id)
);

--bun:split

CREATE INDEX catalog_transitions_item_idx ON catalog_transitions (tenant_id, item_id, id);

--bun:split

-- Every published version of an item (revision 1 is the first
-- publication), kept when the item is revised.
CREATE TABLE catalog_revisions (
    tenant_id     INTEGER NOT NULL,
    id            INTEGER PRIMARY KEY,
    item_id       INTEGER NOT NULL,
    revision      INTEGER NOT NULL,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL,
    body          TEXT NOT NULL,
    doc_no        TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    formed_on     TEXT NOT NULL,
    published_on  TEXT NOT NULL,
    category_code TEXT NOT NULL,
    topics        TEXT NOT NULL,
    doc_kind      TEXT NOT NULL,
    basis         INTEGER NOT NULL,
    reviewer_name TEXT NOT NULL,
    publisher_name TEXT NOT NULL,
    published_at  TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, item_id, revision),
    FOREIGN KEY (item_id) REFERENCES catalog_items (id)
);

--bun:split

-- The next index number sequence per bureau and year, bumped in the
-- publishing transaction: gapless and unique under concurrent publishers.
CREATE TABLE catalog_index_counters (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    year      INTEGER NOT NULL,
    next_seq  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, year)
);

--bun:split

CREATE INDEX catalog_categories_tenant_idx ON catalog_categories (tenant_id, parent_code, position);
