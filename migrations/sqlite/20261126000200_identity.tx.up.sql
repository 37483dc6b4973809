-- Console sessions. id is the SHA-256 of the cookie value; the cookie value
-- itself is never stored.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id    INTEGER REFERENCES tenants (id),
    csrf_token   TEXT NOT NULL,
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);

--bun:split

CREATE INDEX sessions_user_idx ON sessions (user_id);

--bun:split

-- Failed sign-in attempts, by account and by client address, for throttling.
CREATE TABLE login_failures (
    id        INTEGER PRIMARY KEY,
    key       TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);

--bun:split

CREATE INDEX login_failures_key_idx ON login_failures (key, failed_at);

--bun:split

-- API tokens of integrators: one bureau, one role. hash is the SHA-256 of
-- the secret; prefix identifies the token to people.
CREATE TABLE api_tokens (
    tenant_id    INTEGER NOT NULL REFERENCES tenants (id),
    id           INTEGER PRIMARY KEY,
    prefix       TEXT NOT NULL UNIQUE,
    hash         TEXT NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);

--bun:split

CREATE INDEX api_tokens_tenant_idx ON api_tokens (tenant_id, id);

--bun:split

-- The audit trail: append-only (see the triggers below).
CREATE TABLE audit_events (
    tenant_id   INTEGER NOT NULL,
    id          INTEGER PRIMARY KEY,
    at          TIMESTAMP NOT NULL,
    actor       TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    summary     TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    ip          TEXT NOT NULL
);

--bun:split

CREATE INDEX audit_events_at_idx ON audit_events (tenant_id, at);

--bun:split

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

--bun:split

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

--bun:split

-- A counter bumped in the transaction of every role change, so every
-- instance reloads its authorization rules before the next check.
CREATE TABLE policy_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);

--bun:split

INSERT INTO policy_version (id, version) VALUES (1, 1);
