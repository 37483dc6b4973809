-- The city-level annual report (Regulations Art. 49–50), kept by the
-- oversight office: one row per version, owned by the office's tenant. A
-- draft holds the narrative sections; publishing freezes the tables (with
-- the per-bureau annex) as JSON and the document as HTML, after which the
-- version is immutable. A correction is a new version; the earlier
-- published one stays, marked superseded.
CREATE TABLE city_reports (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    id           INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    state        TEXT NOT NULL,
    narrative    TEXT NOT NULL,
    tables       TEXT,
    document     TEXT,
    published_at TIMESTAMP,
    published_by TEXT NOT NULL DEFAULT '',
    superseded   INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, year, version)
);
