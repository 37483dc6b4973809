-- Table 3 of the annual reports (internal/report, Service.Compute) from a
-- small summary instead of a pass over every request of the bureau: the city
-- report computes Table 3 for every bureau and two years. Exact, kept by the
-- oversight summary's triggers (20261126001600) in the writing transaction.
--
-- request_year_counts: per bureau, applicant type, outcome code, year of
-- receipt (received_on) and year of the outcome (outcome_on; 0 while it has
-- none), how many requests — not counting requests still 'submitted' nor
-- those without a receipt date, as the raw query did. The report's bounds
-- are whole years, so the years are all it needs: for year y, a request
-- counts when received_year <= y AND (outcome_year = 0 OR outcome_year >= y),
-- as 一 (new) when received_year = y, 二 (carried in) when received_year < y,
-- under its outcome's row (finished) when outcome <> '' AND outcome_year = y,
-- and 四 (carried forward) when outcome_year = 0 OR outcome_year > y.
CREATE TABLE request_year_counts (
    tenant_id      bigint NOT NULL,
    applicant_type text NOT NULL,
    outcome        text NOT NULL,
    received_year  integer NOT NULL,
    outcome_year   integer NOT NULL,
    n              integer NOT NULL,
    PRIMARY KEY (tenant_id, applicant_type, outcome, received_year, outcome_year)
);

--bun:split

-- One request's contribution to request_year_counts, signed (s = 1 adds the
-- row, -1 removes it).
CREATE FUNCTION request_year_deltas(r requests, s integer)
RETURNS TABLE (tenant_id bigint, applicant_type text, outcome text, received_year integer, outcome_year integer, n integer)
LANGUAGE sql IMMUTABLE AS $$
    SELECT r.tenant_id, r.applicant_type, r.outcome, CAST(extract(year FROM r.received_on) AS integer),
           COALESCE(CAST(extract(year FROM r.outcome_on) AS integer), 0), s
    WHERE r.state <> 'submitted' AND r.received_on IS NOT NULL
$$;

--bun:split

-- Dropped first: DROP TRIGGER locks requests against writers until this
-- migration commits, so no write slips between the new triggers and the
-- backfill below. Recreated further down, also firing on a changed
-- applicant type.
DROP TRIGGER requests_summary_update ON requests;

--bun:split

-- request_summary_apply of 20261126001600, now also writing
-- request_year_counts (after the other two tables: every writer locks the
-- summary tables in the same order, and the rows of each in key order).
CREATE OR REPLACE FUNCTION request_summary_apply(olds requests[], news requests[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO request_day_counts AS c (tenant_id, day, received, replied, on_time, g0, g1, g2, g3, g4, g5)
    SELECT d.tenant_id, d.day, sum(d.received), sum(d.replied), sum(d.on_time), sum(d.g0), sum(d.g1), sum(d.g2), sum(d.g3), sum(d.g4), sum(d.g5)
    FROM (SELECT o AS r, -1 AS s FROM unnest(olds) AS o UNION ALL SELECT n, 1 FROM unnest(news) AS n) AS x,
         LATERAL request_day_deltas(x.r, x.s) AS d
    GROUP BY d.tenant_id, d.day
    HAVING sum(d.received) <> 0 OR sum(d.replied) <> 0 OR sum(d.on_time) <> 0 OR sum(d.g0) <> 0 OR sum(d.g1) <> 0
        OR sum(d.g2) <> 0 OR sum(d.g3) <> 0 OR sum(d.g4) <> 0 OR sum(d.g5) <> 0
    ORDER BY d.tenant_id, d.day
    ON CONFLICT (tenant_id, day) DO UPDATE SET received = c.received + EXCLUDED.received, replied = c.replied + EXCLUDED.replied,
        on_time = c.on_time + EXCLUDED.on_time, g0 = c.g0 + EXCLUDED.g0, g1 = c.g1 + EXCLUDED.g1, g2 = c.g2 + EXCLUDED.g2,
        g3 = c.g3 + EXCLUDED.g3, g4 = c.g4 + EXCLUDED.g4, g5 = c.g5 + EXCLUDED.g5;
    INSERT INTO request_reply_days AS h (tenant_id, month, days, n)
    SELECT d.tenant_id, d.month, d.days, sum(d.n)
    FROM (SELECT o AS r, -1 AS s FROM unnest(olds) AS o UNION ALL SELECT n, 1 FROM unnest(news) AS n) AS x,
         LATERAL request_reply_day_deltas(x.r, x.s) AS d
    GROUP BY d.tenant_id, d.month, d.days
    HAVING sum(d.n) <> 0
    ORDER BY d.tenant_id, d.month, d.days
    ON CONFLICT (tenant_id, month, days) DO UPDATE SET n = h.n + EXCLUDED.n;
    INSERT INTO request_year_counts AS y (tenant_id, applicant_type, outcome, received_year, outcome_year, n)
    SELECT d.tenant_id, d.applicant_type, d.outcome, d.received_year, d.outcome_year, sum(d.n)
    FROM (SELECT o AS r, -1 AS s FROM unnest(olds) AS o UNION ALL SELECT n, 1 FROM unnest(news) AS n) AS x,
         LATERAL request_year_deltas(x.r, x.s) AS d
    GROUP BY d.tenant_id, d.applicant_type, d.outcome, d.received_year, d.outcome_year
    HAVING sum(d.n) <> 0
    ORDER BY d.tenant_id, d.applicant_type, d.outcome, d.received_year, d.outcome_year
    ON CONFLICT (tenant_id, applicant_type, outcome, received_year, outcome_year) DO UPDATE SET n = y.n + EXCLUDED.n;
END
$$;

--bun:split

-- The update trigger of 20261126001600, also when the applicant type
-- changed (the column of Table 3).
CREATE TRIGGER requests_summary_update AFTER UPDATE ON requests
    FOR EACH ROW
    WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id
        OR (OLD.state = 'submitted') IS DISTINCT FROM (NEW.state = 'submitted')
        OR OLD.received_on IS DISTINCT FROM NEW.received_on
        OR OLD.replied_on IS DISTINCT FROM NEW.replied_on
        OR (NEW.replied_on IS NOT NULL AND OLD.due_on IS DISTINCT FROM NEW.due_on)
        OR OLD.outcome IS DISTINCT FROM NEW.outcome
        OR OLD.outcome_on IS DISTINCT FROM NEW.outcome_on
        OR OLD.applicant_type IS DISTINCT FROM NEW.applicant_type)
    EXECUTE FUNCTION requests_summary_trigger();

--bun:split

-- Backfill from the requests already there.
INSERT INTO request_year_counts (tenant_id, applicant_type, outcome, received_year, outcome_year, n)
SELECT d.tenant_id, d.applicant_type, d.outcome, d.received_year, d.outcome_year, sum(d.n)
FROM requests AS r, LATERAL request_year_deltas(r, 1) AS d
GROUP BY d.tenant_id, d.applicant_type, d.outcome, d.received_year, d.outcome_year;

--bun:split

ALTER TABLE request_year_counts ENABLE ROW LEVEL SECURITY;

--bun:split

ALTER TABLE request_year_counts FORCE ROW LEVEL SECURITY;

--bun:split

CREATE POLICY tenant_isolation ON request_year_counts
    USING ((SELECT current_setting('app.all_tenants', true)) = 'on' OR tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint))
    WITH CHECK ((SELECT current_setting('app.all_tenants', true)) = 'on' OR tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint));
