-- Administrative reconsideration and litigation cases about disclosure
-- (行政复议、行政诉讼), Table 4 of the annual report.
CREATE TABLE appeals (
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    id         INTEGER PRIMARY KEY,
    case_no    TEXT NOT NULL,
    request_id INTEGER,
    body       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    filed_on   TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    decided_on TEXT,
    note       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, case_no)
);

--bun:split

-- Inquiries (咨询登记): counted in the report's narrative.
CREATE TABLE inquiries (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL,
    topic        TEXT NOT NULL,
    asked_on     TEXT NOT NULL,
    answered     INTEGER NOT NULL,
    satisfaction INTEGER,
    created_at   TIMESTAMP NOT NULL
);

--bun:split

CREATE INDEX inquiries_asked_idx ON inquiries (tenant_id, asked_on);

--bun:split

-- Figures with no records in the service (Table 2: licensing, penalty and
-- enforcement decisions, fee income), entered or pushed, with their source.
-- value NULL means "not applicable" (shown as "/").
CREATE TABLE report_figures (
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    year       INTEGER NOT NULL,
    key        TEXT NOT NULL,
    value      REAL,
    source     TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, year, key)
);

--bun:split

-- Explicit, audited adjustments of Table 3 cells: opening balances of
-- requests from before the bureau used the service.
CREATE TABLE report_adjustments (
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    id         INTEGER PRIMARY KEY,
    year       INTEGER NOT NULL,
    row_code   TEXT NOT NULL,
    column_code TEXT NOT NULL,
    delta      INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

--bun:split

-- Annual reports: one row per version; a published version is immutable and
-- a correction is a new version.
CREATE TABLE reports (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    id           INTEGER PRIMARY KEY,
    year         INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    state        TEXT NOT NULL,
    narrative    TEXT NOT NULL,
    tables       TEXT,
    submitted_at TIMESTAMP,
    published_at TIMESTAMP,
    superseded   INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, year, version)
);
