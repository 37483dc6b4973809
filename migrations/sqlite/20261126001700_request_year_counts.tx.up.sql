-- Table 3 of the annual reports (internal/report, Service.Compute) from a
-- small summary instead of a pass over every request of the bureau. Exact:
-- triggers on requests keep it in the writing transaction. The Postgres
-- migration of the same version explains the table. Here it has triggers of
-- its own beside those of 20261126001600 (SQLite cannot replace a trigger's
-- body in place, and these need no netting across tables), each update
-- firing only when a column the table reads changed.
CREATE TABLE request_year_counts (
    tenant_id      INTEGER NOT NULL,
    applicant_type TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    received_year  INTEGER NOT NULL,
    outcome_year   INTEGER NOT NULL,
    n              INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, applicant_type, outcome, received_year, outcome_year)
);

--bun:split

CREATE TRIGGER requests_year_counts_insert AFTER INSERT ON requests
WHEN NEW.state <> 'submitted' AND NEW.received_on IS NOT NULL
BEGIN
    INSERT INTO request_year_counts (tenant_id, applicant_type, outcome, received_year, outcome_year, n)
    VALUES (NEW.tenant_id, NEW.applicant_type, NEW.outcome, CAST(substr(NEW.received_on, 1, 4) AS INTEGER),
        COALESCE(CAST(substr(NEW.outcome_on, 1, 4) AS INTEGER), 0), 1)
    ON CONFLICT (tenant_id, applicant_type, outcome, received_year, outcome_year) DO UPDATE SET n = n + excluded.n;
END;

--bun:split

CREATE TRIGGER requests_year_counts_delete AFTER DELETE ON requests
WHEN OLD.state <> 'submitted' AND OLD.received_on IS NOT NULL
BEGIN
    INSERT INTO request_year_counts (tenant_id, applicant_type, outcome, received_year, outcome_year, n)
    VALUES (OLD.tenant_id, OLD.applicant_type, OLD.outcome, CAST(substr(OLD.received_on, 1, 4) AS INTEGER),
        COALESCE(CAST(substr(OLD.outcome_on, 1, 4) AS INTEGER), 0), -1)
    ON CONFLICT (tenant_id, applicant_type, outcome, received_year, outcome_year) DO UPDATE SET n = n + excluded.n;
END;

--bun:split

CREATE TRIGGER requests_year_counts_update AFTER UPDATE ON requests
WHEN OLD.tenant_id IS NOT NEW.tenant_id
    OR (OLD.state = 'submitted') IS NOT (NEW.state = 'submitted')
    OR OLD.received_on IS NOT NEW.received_on
    OR OLD.outcome IS NOT NEW.outcome
    OR OLD.outcome_on IS NOT NEW.outcome_on
    OR OLD.applicant_type IS NOT NEW.applicant_type
BEGIN
    INSERT INTO request_year_counts (tenant_id, applicant_type, outcome, received_year, outcome_year, n)
    SELECT OLD.tenant_id, OLD.applicant_type, OLD.outcome, CAST(substr(OLD.received_on, 1, 4) AS INTEGER),
        COALESCE(CAST(substr(OLD.outcome_on, 1, 4) AS INTEGER), 0), -1
    WHERE OLD.state <> 'submitted' AND OLD.received_on IS NOT NULL
    ON CONFLICT (tenant_id, applicant_type, outcome, received_year, outcome_year) DO UPDATE SET n = n + excluded.n;
    INSERT INTO request_year_counts (tenant_id, applicant_type, outcome, received_year, outcome_year, n)
    SELECT NEW.tenant_id, NEW.applicant_type, NEW.outcome, CAST(substr(NEW.received_on, 1, 4) AS INTEGER),
        COALESCE(CAST(substr(NEW.outcome_on, 1, 4) AS INTEGER), 0), 1
    WHERE NEW.state <> 'submitted' AND NEW.received_on IS NOT NULL
    ON CONFLICT (tenant_id, applicant_type, outcome, received_year, outcome_year) DO UPDATE SET n = n + excluded.n;
END;

--bun:split

-- Backfill from the requests already there.
INSERT INTO request_year_counts (tenant_id, applicant_type, outcome, received_year, outcome_year, n)
SELECT tenant_id, applicant_type, outcome, CAST(substr(received_on, 1, 4) AS INTEGER),
    COALESCE(CAST(substr(outcome_on, 1, 4) AS INTEGER), 0), count(*)
FROM requests WHERE state <> 'submitted' AND received_on IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;
