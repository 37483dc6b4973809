-- Bureaus (tenants). Global table: every tenant-owned table refers to it.
CREATE TABLE tenants (
    id          INTEGER PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    credit_code TEXT NOT NULL UNIQUE,
    parent_id   INTEGER REFERENCES tenants (id),
    spec        TEXT NOT NULL,
    spec_hash   TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

--bun:split

-- People who sign in to the console. A user may belong to several bureaus.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    email         TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    locale        TEXT NOT NULL DEFAULT 'zh-CN',
    disabled_at   TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

--bun:split

-- Role assignments read by the authorization enforcer: domain is a tenant
-- id, or '*' for cross-tenant roles (platform admin, city overseer).
CREATE TABLE role_assignments (
    id         INTEGER PRIMARY KEY,
    subject    TEXT NOT NULL,
    role       TEXT NOT NULL,
    domain     TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (subject, role, domain)
);
