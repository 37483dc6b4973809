-- Letters (告知书) sent to applicants: kept immutable with their document
-- number, the date sent and the delivery method (the delivery date matters:
-- post counts on posting).
CREATE TABLE letters (
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    doc_no     TEXT NOT NULL,
    body_html  TEXT NOT NULL,
    sent_on    TEXT NOT NULL,
    delivery   TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, doc_no),
    FOREIGN KEY (request_id) REFERENCES requests (id)
);

--bun:split

-- The document number (文号) sequence of each bureau and year.
CREATE TABLE letter_sequences (
    tenant_id INTEGER NOT NULL REFERENCES tenants (id),
    year      INTEGER NOT NULL,
    next      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, year)
);

--bun:split

-- A bureau's own wording of a letter kind, replacing the built-in template.
CREATE TABLE letter_templates (
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);

--bun:split

CREATE TRIGGER letters_no_update BEFORE UPDATE ON letters
BEGIN
    SELECT RAISE(ABORT, 'letters are immutable once sent');
END;

--bun:split

CREATE TRIGGER letters_no_delete BEFORE DELETE ON letters
BEGIN
    SELECT RAISE(ABORT, 'letters are immutable once sent');
END;
