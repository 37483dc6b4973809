-- Working-day calendar corrections (a new State Council notice) and the
-- city's local rest days, kept with who, when and why. One calendar for the
-- whole city.
CREATE TABLE calendar_overrides (
    id         INTEGER PRIMARY KEY,
    day        TEXT NOT NULL UNIQUE,
    working    INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

--bun:split

-- Disclosure requests (政府信息公开申请). Due dates are a cache of the
-- deadline engine over request_events, recomputed on every event and
-- calendar change.
CREATE TABLE requests (
    tenant_id         INTEGER NOT NULL REFERENCES tenants (id),
    id                INTEGER PRIMARY KEY,
    tracking_code     TEXT NOT NULL UNIQUE,
    idempotency_key   TEXT,
    channel           TEXT NOT NULL,
    arrived_on        TEXT NOT NULL,
    received_on       TEXT,
    applicant_type    TEXT NOT NULL,
    applicant_name    TEXT NOT NULL,
    id_doc_type       TEXT NOT NULL DEFAULT '',
    id_number         TEXT NOT NULL DEFAULT '',
    id_masked         TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    email             TEXT NOT NULL DEFAULT '',
    address           TEXT NOT NULL DEFAULT '',
    content           TEXT NOT NULL,
    purpose           TEXT NOT NULL DEFAULT '',
    form              TEXT NOT NULL DEFAULT '',
    delivery          TEXT NOT NULL DEFAULT '',
    state             TEXT NOT NULL,
    due_on            TEXT,
    outcome           TEXT NOT NULL DEFAULT '',
    outcome_basis     TEXT NOT NULL DEFAULT '',
    withheld          TEXT NOT NULL DEFAULT '',
    reply_text        TEXT NOT NULL DEFAULT '',
    replied_on        TEXT,
    closed_on         TEXT,
    outcome_on        TEXT,
    handler_id        INTEGER REFERENCES users (id),
    calendar_version  TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, idempotency_key)
);

--bun:split

-- The worklist: running requests of a bureau, soonest due first.
CREATE INDEX requests_worklist_idx ON requests (tenant_id, due_on, id) WHERE state IN ('open', 'paused');

--bun:split

CREATE INDEX requests_state_idx ON requests (tenant_id, state, id);

--bun:split

CREATE INDEX requests_updated_idx ON requests (tenant_id, updated_at);

--bun:split

CREATE TABLE request_events (
    tenant_id  INTEGER NOT NULL,
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    day        TEXT NOT NULL,
    days       INTEGER NOT NULL DEFAULT 0,
    amount_yuan INTEGER NOT NULL DEFAULT 0,
    reason     TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    FOREIGN KEY (request_id) REFERENCES requests (id)
);

--bun:split

CREATE INDEX request_events_request_idx ON request_events (tenant_id, request_id, id);
