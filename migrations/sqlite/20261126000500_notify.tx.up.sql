-- The in-app inbox (console bell): one row per notification and recipient.
-- email_state follows the e-mail copy: none (no e-mail wanted), queued (a
-- send_email job is enqueued), digest (waiting for the daily digest), sent,
-- no_address (the user has no e-mail address).
CREATE TABLE notifications (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    link        TEXT NOT NULL DEFAULT '',
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    email_state TEXT NOT NULL DEFAULT 'none',
    created_at  TIMESTAMP NOT NULL,
    read_at     TIMESTAMP,
    emailed_at  TIMESTAMP
);

--bun:split

CREATE INDEX notifications_user_idx ON notifications (tenant_id, user_id, id);

--bun:split

-- A person's inbox spans the bureaus they belong to.
CREATE INDEX notifications_inbox_idx ON notifications (user_id, id);

--bun:split

CREATE INDEX notifications_digest_idx ON notifications (user_id, id) WHERE email_state = 'digest';

--bun:split

-- How a person wants the e-mail copy of each kind of notification:
-- immediate, digest (once a day) or off. kind '*' is the default for kinds
-- without a row; no row at all means immediate.
CREATE TABLE notification_preferences (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    delivery   TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, kind)
);

--bun:split

-- Reminders already sent: one row per (object, threshold, day), inserted in
-- the transaction of the notifications, so each reminder fires once across
-- restarts, retries and instances. day is '' except for daily reminders.
CREATE TABLE reminders_sent (
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    threshold   TEXT NOT NULL,
    day         TEXT NOT NULL DEFAULT '',
    sent_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, object_type, object_id, threshold, day)
);

--bun:split

-- A bureau's reminder thresholds; a bureau without a row uses the defaults
-- in code (package reminder).
CREATE TABLE reminder_settings (
    tenant_id         INTEGER PRIMARY KEY REFERENCES tenants (id),
    due_days          TEXT NOT NULL,
    supplement_days   INTEGER NOT NULL,
    consultation_days INTEGER NOT NULL,
    fee_days          INTEGER NOT NULL,
    overdue_daily     INTEGER NOT NULL,
    escalate_overdue  INTEGER NOT NULL,
    updated_by        TEXT NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);

--bun:split

-- Webhook endpoints of integrators, per bureau. secret is sealed with the
-- PII key; events is a comma-separated list of event types.
CREATE TABLE webhook_endpoints (
    tenant_id       INTEGER NOT NULL REFERENCES tenants (id),
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    secret          TEXT NOT NULL,
    events          TEXT NOT NULL,
    active          INTEGER NOT NULL,
    failures        INTEGER NOT NULL DEFAULT 0,
    disabled_at     TIMESTAMP,
    disabled_reason TEXT NOT NULL DEFAULT '',
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

--bun:split

-- One event for one endpoint; delivered by the webhook_deliver job.
CREATE TABLE webhook_deliveries (
    tenant_id    INTEGER NOT NULL,
    id           INTEGER PRIMARY KEY,
    endpoint_id  INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id     TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    occurred_at  TIMESTAMP NOT NULL,
    object       TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP
);

--bun:split

CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (tenant_id, endpoint_id, id);

--bun:split

-- The delivery log: every attempt with its response code (0: no response).
CREATE TABLE webhook_attempts (
    tenant_id   INTEGER NOT NULL,
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    response    TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL,
    at          TIMESTAMP NOT NULL
);

--bun:split

CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (tenant_id, delivery_id, id);
