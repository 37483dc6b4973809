-- Report exports: an annual report rendered by the report_export job
-- (HTML, XLSX or JSON) and kept for download. The job moves state from
-- queued to running to done or failed, with its progress (0–100) and the
-- step it is at (tables, narrative, render, store).
CREATE TABLE report_exports (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    id           INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,
    format       TEXT NOT NULL,
    bureau       TEXT NOT NULL,
    state        TEXT NOT NULL,
    progress     INTEGER NOT NULL DEFAULT 0,
    step         TEXT NOT NULL DEFAULT '',
    error        TEXT NOT NULL DEFAULT '',
    size         INTEGER NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL DEFAULT '',
    content      BLOB,
    requested_by TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    finished_at  TIMESTAMP
);

--bun:split

CREATE INDEX report_exports_year_idx ON report_exports (tenant_id, year, id);
