-- The city oversight dashboard's summary of the requests (internal/oversight),
-- so that the dashboard reads a few thousand summary rows instead of every
-- request of the city. Exact, not an estimate: triggers on requests keep it
-- in the same transaction as every write — by the services, the bulk seed,
-- a restore or a hand-made fix — so it always equals the raw counts.
--
-- request_day_counts: per bureau and day, the period figures the dashboard
-- counted with conditional sums over requests (not counting requests still
-- 'submitted', as the raw query did): received on the day (received_on),
-- replied on the day (replied_on) and among them replied on or before the
-- due day, and the requests whose outcome (outcome_on) falls on the day,
-- by Table 3 group (oversight.OutcomeGroups: g0 granted … g5 other). Per day,
-- so that any period is a sum of whole days.
CREATE TABLE request_day_counts (
    tenant_id bigint NOT NULL,
    day       date NOT NULL,
    received  integer NOT NULL DEFAULT 0,
    replied   integer NOT NULL DEFAULT 0,
    on_time   integer NOT NULL DEFAULT 0,
    g0        integer NOT NULL DEFAULT 0,
    g1        integer NOT NULL DEFAULT 0,
    g2        integer NOT NULL DEFAULT 0,
    g3        integer NOT NULL DEFAULT 0,
    g4        integer NOT NULL DEFAULT 0,
    g5        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day)
);

--bun:split

-- request_reply_days: per bureau and month of the reply (the month's first
-- day), how many replies took how many working days from receipt (the
-- histogram behind the median and P90 of metric reply_days). Working days
-- come from workday_index, which follows the calendar in force.
CREATE TABLE request_reply_days (
    tenant_id bigint NOT NULL,
    month     date NOT NULL,
    days      integer NOT NULL,
    n         integer NOT NULL,
    PRIMARY KEY (tenant_id, month, days)
);

--bun:split

-- workday_index: the working-day calendar as a cumulative count, one row
-- per day of the covered years; the working days in (a, b] are
-- cum(b) - cum(a). Written from the calendar by the oversight service
-- (oversight.Service.syncSummary) together with request_reply_days, and
-- stamped with the calendar's version in request_summary_state; until the
-- first sync both are empty and the dashboard counts reply times from the
-- requests themselves.
CREATE TABLE workday_index (
    day date PRIMARY KEY,
    cum integer NOT NULL
);

--bun:split

CREATE TABLE request_summary_state (
    id               integer PRIMARY KEY CHECK (id = 1),
    calendar_version text NOT NULL
);

--bun:split

INSERT INTO request_summary_state (id, calendar_version) VALUES (1, '');

--bun:split

-- One request's contributions to request_day_counts, signed (s = 1 adds the
-- row, -1 removes it).
CREATE FUNCTION request_day_deltas(r requests, s integer)
RETURNS TABLE (tenant_id bigint, day date, received integer, replied integer, on_time integer,
               g0 integer, g1 integer, g2 integer, g3 integer, g4 integer, g5 integer)
LANGUAGE sql IMMUTABLE AS $$
    SELECT r.tenant_id, r.received_on, s, 0, 0, 0, 0, 0, 0, 0, 0
    WHERE r.state <> 'submitted' AND r.received_on IS NOT NULL
    UNION ALL
    SELECT r.tenant_id, r.replied_on, 0, s, CASE WHEN r.due_on IS NOT NULL AND r.replied_on <= r.due_on THEN s ELSE 0 END, 0, 0, 0, 0, 0, 0
    WHERE r.state <> 'submitted' AND r.replied_on IS NOT NULL
    UNION ALL
    SELECT r.tenant_id, r.outcome_on, 0, 0, 0,
           CASE WHEN r.outcome IN ('granted') THEN s ELSE 0 END,
           CASE WHEN r.outcome IN ('partially_granted') THEN s ELSE 0 END,
           CASE WHEN r.outcome IN ('refused_state_secret', 'refused_prohibited_by_law', 'refused_security_stability', 'refused_third_party', 'refused_internal_affairs', 'refused_process_information', 'refused_enforcement_file', 'refused_administrative_inquiry') THEN s ELSE 0 END,
           CASE WHEN r.outcome IN ('unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear_after_supplement') THEN s ELSE 0 END,
           CASE WHEN r.outcome IN ('not_processed_petition', 'not_processed_repeated', 'not_processed_publication', 'not_processed_excessive', 'not_processed_confirmation') THEN s ELSE 0 END,
           CASE WHEN r.outcome IN ('other_no_supplement', 'other_fee_unpaid', 'other') THEN s ELSE 0 END
    WHERE r.state <> 'submitted' AND r.outcome_on IS NOT NULL AND r.outcome IN ('granted', 'partially_granted', 'refused_state_secret', 'refused_prohibited_by_law', 'refused_security_stability', 'refused_third_party', 'refused_internal_affairs', 'refused_process_information', 'refused_enforcement_file', 'refused_administrative_inquiry', 'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear_after_supplement', 'not_processed_petition', 'not_processed_repeated', 'not_processed_publication', 'not_processed_excessive', 'not_processed_confirmation', 'other_no_supplement', 'other_fee_unpaid', 'other')
$$;

--bun:split

-- One request's contribution to request_reply_days, signed: the working
-- days from receipt to reply, when the calendar covers both days.
CREATE FUNCTION request_reply_day_deltas(r requests, s integer)
RETURNS TABLE (tenant_id bigint, month date, days integer, n integer)
LANGUAGE sql STABLE AS $$
    SELECT r.tenant_id, r.replied_on - (CAST(extract(day FROM r.replied_on) AS integer) - 1), b.cum - a.cum, s
    FROM workday_index AS a, workday_index AS b
    WHERE a.day = r.received_on AND b.day = r.replied_on
$$;

--bun:split

-- Applies a change of requests to the summary: removes the old rows'
-- contributions and adds the new rows', netted per summary row and written
-- in key order (so that concurrent writers lock summary rows in the same
-- order), skipping summary rows whose net change is zero. PL/pgSQL, not
-- SQL: its statements' plans are kept for the session (as a SQL function
-- they were planned again on every call, about ten times slower per row).
CREATE FUNCTION request_summary_apply(olds requests[], news requests[]) RETURNS void
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
END
$$;

--bun:split

-- The triggers: inserts and deletes once per statement over the transition
-- table (the bulk seed inserts 2,000 requests a statement), updates per row
-- and only when a column the summary reads changed (a due date recomputed
-- while the request runs, a handler assigned, updated_at: no work).
CREATE FUNCTION requests_summary_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'ROW' THEN
        PERFORM request_summary_apply(ARRAY[OLD], ARRAY[NEW]);
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM request_summary_apply(CAST('{}' AS requests[]), (SELECT array_agg(CAST(ROW(n.*) AS requests)) FROM new_rows AS n));
    ELSE
        PERFORM request_summary_apply((SELECT array_agg(CAST(ROW(o.*) AS requests)) FROM old_rows AS o), CAST('{}' AS requests[]));
    END IF;
    RETURN NULL;
END
$$;

--bun:split

CREATE TRIGGER requests_summary_insert AFTER INSERT ON requests
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION requests_summary_trigger();

--bun:split

CREATE TRIGGER requests_summary_delete AFTER DELETE ON requests
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION requests_summary_trigger();

--bun:split

CREATE TRIGGER requests_summary_update AFTER UPDATE ON requests
    FOR EACH ROW
    WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id
        OR (OLD.state = 'submitted') IS DISTINCT FROM (NEW.state = 'submitted')
        OR OLD.received_on IS DISTINCT FROM NEW.received_on
        OR OLD.replied_on IS DISTINCT FROM NEW.replied_on
        OR (NEW.replied_on IS NOT NULL AND OLD.due_on IS DISTINCT FROM NEW.due_on)
        OR OLD.outcome IS DISTINCT FROM NEW.outcome
        OR OLD.outcome_on IS DISTINCT FROM NEW.outcome_on)
    EXECUTE FUNCTION requests_summary_trigger();

--bun:split

-- Backfill the day counts from the requests already there (the reply-day
-- histogram needs the calendar: the oversight service fills it).
INSERT INTO request_day_counts (tenant_id, day, received, replied, on_time, g0, g1, g2, g3, g4, g5)
SELECT d.tenant_id, d.day, sum(d.received), sum(d.replied), sum(d.on_time), sum(d.g0), sum(d.g1), sum(d.g2), sum(d.g3), sum(d.g4), sum(d.g5)
FROM requests AS r, LATERAL request_day_deltas(r, 1) AS d
GROUP BY d.tenant_id, d.day;

--bun:split

ALTER TABLE request_day_counts ENABLE ROW LEVEL SECURITY;

--bun:split

ALTER TABLE request_day_counts FORCE ROW LEVEL SECURITY;

--bun:split

CREATE POLICY tenant_isolation ON request_day_counts
    USING ((SELECT current_setting('app.all_tenants', true)) = 'on' OR tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint))
    WITH CHECK ((SELECT current_setting('app.all_tenants', true)) = 'on' OR tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint));

--bun:split

ALTER TABLE request_reply_days ENABLE ROW LEVEL SECURITY;

--bun:split

ALTER TABLE request_reply_days FORCE ROW LEVEL SECURITY;

--bun:split

CREATE POLICY tenant_isolation ON request_reply_days
    USING ((SELECT current_setting('app.all_tenants', true)) = 'on' OR tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint))
    WITH CHECK ((SELECT current_setting('app.all_tenants', true)) = 'on' OR tenant_id = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::bigint));
