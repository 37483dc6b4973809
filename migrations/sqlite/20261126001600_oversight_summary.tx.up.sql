-- The city oversight dashboard's summary of the requests (internal/oversight),
-- so that the dashboard reads a few thousand summary rows instead of every
-- request of the city. Exact, not an estimate: triggers on requests keep it
-- in the same transaction as every write — by the services, the bulk seed,
-- a restore or a hand-made fix — so it always equals the raw counts. The
-- Postgres migration of the same version explains each table.
CREATE TABLE request_day_counts (
    tenant_id INTEGER NOT NULL,
    day       DATE NOT NULL,
    received  INTEGER NOT NULL DEFAULT 0,
    replied   INTEGER NOT NULL DEFAULT 0,
    on_time   INTEGER NOT NULL DEFAULT 0,
    g0        INTEGER NOT NULL DEFAULT 0,
    g1        INTEGER NOT NULL DEFAULT 0,
    g2        INTEGER NOT NULL DEFAULT 0,
    g3        INTEGER NOT NULL DEFAULT 0,
    g4        INTEGER NOT NULL DEFAULT 0,
    g5        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day)
);

--bun:split

CREATE TABLE request_reply_days (
    tenant_id INTEGER NOT NULL,
    month     DATE NOT NULL,
    days      INTEGER NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, month, days)
);

--bun:split

CREATE TABLE workday_index (
    day DATE PRIMARY KEY,
    cum INTEGER NOT NULL
);

--bun:split

CREATE TABLE request_summary_state (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    calendar_version TEXT NOT NULL
);

--bun:split

INSERT INTO request_summary_state (id, calendar_version) VALUES (1, '');

--bun:split

CREATE TRIGGER requests_summary_insert AFTER INSERT ON requests
BEGIN
    INSERT INTO request_day_counts (tenant_id, day, received)
    SELECT NEW.tenant_id, NEW.received_on, 1 WHERE NEW.state <> 'submitted' AND NEW.received_on IS NOT NULL
    ON CONFLICT (tenant_id, day) DO UPDATE SET received = received + excluded.received;
    INSERT INTO request_day_counts (tenant_id, day, replied, on_time)
    SELECT NEW.tenant_id, NEW.replied_on, 1, CASE WHEN NEW.due_on IS NOT NULL AND NEW.replied_on <= NEW.due_on THEN 1 ELSE 0 END
    WHERE NEW.state <> 'submitted' AND NEW.replied_on IS NOT NULL
    ON CONFLICT (tenant_id, day) DO UPDATE SET replied = replied + excluded.replied, on_time = on_time + excluded.on_time;
    INSERT INTO request_day_counts (tenant_id, day, g0, g1, g2, g3, g4, g5)
    SELECT NEW.tenant_id, NEW.outcome_on, CASE WHEN NEW.outcome IN ('granted') THEN 1 ELSE 0 END, CASE WHEN NEW.outcome IN ('partially_granted') THEN 1 ELSE 0 END, CASE WHEN NEW.outcome IN ('refused_state_secret', 'refused_prohibited_by_law', 'refused_security_stability', 'refused_third_party', 'refused_internal_affairs', 'refused_process_information', 'refused_enforcement_file', 'refused_administrative_inquiry') THEN 1 ELSE 0 END, CASE WHEN NEW.outcome IN ('unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear_after_supplement') THEN 1 ELSE 0 END, CASE WHEN NEW.outcome IN ('not_processed_petition', 'not_processed_repeated', 'not_processed_publication', 'not_processed_excessive', 'not_processed_confirmation') THEN 1 ELSE 0 END, CASE WHEN NEW.outcome IN ('other_no_supplement', 'other_fee_unpaid', 'other') THEN 1 ELSE 0 END
    WHERE NEW.state <> 'submitted' AND NEW.outcome_on IS NOT NULL AND NEW.outcome IN ('granted', 'partially_granted', 'refused_state_secret', 'refused_prohibited_by_law', 'refused_security_stability', 'refused_third_party', 'refused_internal_affairs', 'refused_process_information', 'refused_enforcement_file', 'refused_administrative_inquiry', 'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear_after_supplement', 'not_processed_petition', 'not_processed_repeated', 'not_processed_publication', 'not_processed_excessive', 'not_processed_confirmation', 'other_no_supplement', 'other_fee_unpaid', 'other')
    ON CONFLICT (tenant_id, day) DO UPDATE SET g0 = g0 + excluded.g0, g1 = g1 + excluded.g1, g2 = g2 + excluded.g2,
        g3 = g3 + excluded.g3, g4 = g4 + excluded.g4, g5 = g5 + excluded.g5;
    INSERT INTO request_reply_days (tenant_id, month, days, n)
    SELECT NEW.tenant_id, date(NEW.replied_on, 'start of month'), b.cum - a.cum, 1
    FROM workday_index AS a, workday_index AS b WHERE a.day = NEW.received_on AND b.day = NEW.replied_on
    ON CONFLICT (tenant_id, month, days) DO UPDATE SET n = n + excluded.n;
END;

--bun:split

CREATE TRIGGER requests_summary_delete AFTER DELETE ON requests
BEGIN
    INSERT INTO request_day_counts (tenant_id, day, received)
    SELECT OLD.tenant_id, OLD.received_on, -1 WHERE OLD.state <> 'submitted' AND OLD.received_on IS NOT NULL
    ON CONFLICT (tenant_id, day) DO UPDATE SET received = received + excluded.received;
    INSERT INTO request_day_counts (tenant_id, day, replied, on_time)
    SELECT OLD.tenant_id, OLD.replied_on, -1, CASE WHEN OLD.due_on IS NOT NULL AND OLD.replied_on <= OLD.due_on THEN -1 ELSE 0 END
    WHERE OLD.state <> 'submitted' AND OLD.replied_on IS NOT NULL
    ON CONFLICT (tenant_id, day) DO UPDATE SET replied = replied + excluded.replied, on_time = on_time + excluded.on_time;
    INSERT INTO request_day_counts (tenant_id, day, g0, g1, g2, g3, g4, g5)
    SELECT OLD.tenant_id, OLD.outcome_on, CASE WHEN OLD.outcome IN ('granted') THEN -1 ELSE 0 END, CASE WHEN OLD.outcome IN ('partially_granted') THEN -1 ELSE 0 END, CASE WHEN OLD.outcome IN ('refused_state_secret', 'refused_prohibited_by_law', 'refused_security_stability', 'refused_third_party', 'refused_internal_affairs', 'refused_process_information', 'refused_enforcement_file', 'refused_administrative_inquiry') THEN -1 ELSE 0 END, CASE WHEN OLD.outcome IN ('unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear_after_supplement') THEN -1 ELSE 0 END, CASE WHEN OLD.outcome IN ('not_processed_petition', 'not_processed_repeated', 'not_processed_publication', 'not_processed_excessive', 'not_processed_confirmation') THEN -1 ELSE 0 END, CASE WHEN OLD.outcome IN ('other_no_supplement', 'other_fee_unpaid', 'other') THEN -1 ELSE 0 END
    WHERE OLD.state <> 'submitted' AND OLD.outcome_on IS NOT NULL AND OLD.outcome IN ('granted', 'partially_granted', 'refused_state_secret', 'refused_prohibited_by_law', 'refused_security_stability', 'refused_third_party', 'refused_internal_affairs', 'refused_process_information', 'refused_enforcement_file', 'refused_administrative_inquiry', 'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear_after_supplement', 'not_processed_petition', 'not_processed_repeated', 'not_processed_publication', 'not_processed_excessive', 'not_processed_confirmation', 'other_no_supplement', 'other_fee_unpaid', 'other')
    ON CONFLICT (tenant_id, day) DO UPDATE SET g0 = g0 + excluded.g0, g1 = g1 + excluded.g1, g2 = g2 + excluded.g2,
        g3 = g3 + excluded.g3, g4 = g4 + excluded.g4, g5 = g5 + excluded.g5;
    INSERT INTO request_reply_days (tenant_id, month, days, n)
    SELECT OLD.tenant_id, date(OLD.replied_on, 'start of month'), b.cum - a.cum, -1
    FROM workday_index AS a, workday_index AS b WHERE a.day = OLD.received_on AND b.day = OLD.replied_on
    ON CONFLICT (tenant_id, month, days) DO UPDATE SET n = n + excluded.n;
END;

--bun:split

-- Updates only when a column the summary reads changed.
CREATE TRIGGER requests_summary_update AFTER UPDATE ON requests
WHEN OLD.tenant_id IS NOT NEW.tenant_id
    OR (OLD.state = 'submitted') IS NOT (NEW.state = 'submitted')
    OR OLD.received_on IS NOT NEW.received_on
    OR OLD.replied_on IS NOT NEW.replied_on
    OR (NEW.replied_on IS NOT NULL AND OLD.due_on IS NOT NEW.due_on)
    OR OLD.outcome IS NOT NEW.outcome
    OR OLD.outcome_on IS NOT NEW.outcome_on
BEGIN
    INSERT INTO request_day_counts (tenant_id, day, received)
    SELECT OLD.tenant_id, OLD.received_on, -1 WHERE OLD.state <> 'submitted' AND OLD.received_on IS NOT NULL
    ON CONFLICT (tenant_id, day) DO UPDATE SET received = received + excluded.received;
    INSERT INTO request_day_counts (tenant_id, day, replied, on_time)
    SELECT OLD.tenant_id, OLD.replied_on, -1, CASE WHEN OLD.due_on IS NOT NULL AND OLD.replied_on <= OLD.due_on THEN -1 ELSE 0 END
    WHERE OLD.state <> 'submitted' AND OLD.replied_on IS NOT NULL
    ON CONFLICT (tenant_id, day) DO UPDATE SET replied = replied + excluded.replied, on_time = on_time + excluded.on_time;
    INSERT INTO request_day_counts (tenant_id, day, g0, g1, g2, g3, g4, g5)
    SELECT OLD.tenant_id, OLD.outcome_on, CASE WHEN OLD.outcome IN ('granted') THEN -1 ELSE 0 END, CASE WHEN OLD.outcome IN ('partially_granted') THEN -1 ELSE 0 END, CASE WHEN OLD.outcome IN ('refused_state_secret', 'refused_prohibited_by_law', 'refused_security_stability', 'refused_third_party', 'refused_internal_affairs', 'refused_process_information', 'refused_enforcement_file', 'refused_administrative_inquiry') THEN -1 ELSE 0 END, CASE WHEN OLD.outcome IN ('unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear_after_supplement') THEN -1 ELSE 0 END, CASE WHEN OLD.outcome IN ('not_processed_petition', 'not_processed_repeated', 'not_processed_publication', 'not_processed_excessive', 'not_processed_confirmation') THEN -1 ELSE 0 END, CASE WHEN OLD.outcome IN ('other_no_supplement', 'other_fee_unpaid', 'other') THEN -1 ELSE 0 END
    WHERE OLD.state <> 'submitted' AND OLD.outcome_on IS NOT NULL AND OLD.outcome IN ('granted', 'partially_granted', 'refused_state_secret', 'refused_prohibited_by_law', 'refused_security_stability', 'refused_third_party', 'refused_internal_affairs', 'refused_process_information', 'refused_enforcement_file', 'refused_administrative_inquiry', 'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear_after_supplement', 'not_processed_petition', 'not_processed_repeated', 'not_processed_publication', 'not_processed_excessive', 'not_processed_confirmation', 'other_no_supplement', 'other_fee_unpaid', 'other')
    ON CONFLICT (tenant_id, day) DO UPDATE SET g0 = g0 + excluded.g0, g1 = g1 + excluded.g1, g2 = g2 + excluded.g2,
        g3 = g3 + excluded.g3, g4 = g4 + excluded.g4, g5 = g5 + excluded.g5;
    INSERT INTO request_reply_days (tenant_id, month, days, n)
    SELECT OLD.tenant_id, date(OLD.replied_on, 'start of month'), b.cum - a.cum, -1
    FROM workday_index AS a, workday_index AS b WHERE a.day = OLD.received_on AND b.day = OLD.replied_on
    ON CONFLICT (tenant_id, month, days) DO UPDATE SET n = n + excluded.n;
    INSERT INTO request_day_counts (tenant_id, day, received)
    SELECT NEW.tenant_id, NEW.received_on, 1 WHERE NEW.state <> 'submitted' AND NEW.received_on IS NOT NULL
    ON CONFLICT (tenant_id, day) DO UPDATE SET received = received + excluded.received;
    INSERT INTO request_day_counts (tenant_id, day, replied, on_time)
    SELECT NEW.tenant_id, NEW.replied_on, 1, CASE WHEN NEW.due_on IS NOT NULL AND NEW.replied_on <= NEW.due_on THEN 1 ELSE 0 END
    WHERE NEW.state <> 'submitted' AND NEW.replied_on IS NOT NULL
    ON CONFLICT (tenant_id, day) DO UPDATE SET replied = replied + excluded.replied, on_time = on_time + excluded.on_time;
    INSERT INTO request_day_counts (tenant_id, day, g0, g1, g2, g3, g4, g5)
    SELECT NEW.tenant_id, NEW.outcome_on, CASE WHEN NEW.outcome IN ('granted') THEN 1 ELSE 0 END, CASE WHEN NEW.outcome IN ('partially_granted') THEN 1 ELSE 0 END, CASE WHEN NEW.outcome IN ('refused_state_secret', 'refused_prohibited_by_law', 'refused_security_stability', 'refused_third_party', 'refused_internal_affairs', 'refused_process_information', 'refused_enforcement_file', 'refused_administrative_inquiry') THEN 1 ELSE 0 END, CASE WHEN NEW.outcome IN ('unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear_after_supplement') THEN 1 ELSE 0 END, CASE WHEN NEW.outcome IN ('not_processed_petition', 'not_processed_repeated', 'not_processed_publication', 'not_processed_excessive', 'not_processed_confirmation') THEN 1 ELSE 0 END, CASE WHEN NEW.outcome IN ('other_no_supplement', 'other_fee_unpaid', 'other') THEN 1 ELSE 0 END
    WHERE NEW.state <> 'submitted' AND NEW.outcome_on IS NOT NULL AND NEW.outcome IN ('granted', 'partially_granted', 'refused_state_secret', 'refused_prohibited_by_law', 'refused_security_stability', 'refused_third_party', 'refused_internal_affairs', 'refused_process_information', 'refused_enforcement_file', 'refused_administrative_inquiry', 'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear_after_supplement', 'not_processed_petition', 'not_processed_repeated', 'not_processed_publication', 'not_processed_excessive', 'not_processed_confirmation', 'other_no_supplement', 'other_fee_unpaid', 'other')
    ON CONFLICT (tenant_id, day) DO UPDATE SET g0 = g0 + excluded.g0, g1 = g1 + excluded.g1, g2 = g2 + excluded.g2,
        g3 = g3 + excluded.g3, g4 = g4 + excluded.g4, g5 = g5 + excluded.g5;
    INSERT INTO request_reply_days (tenant_id, month, days, n)
    SELECT NEW.tenant_id, date(NEW.replied_on, 'start of month'), b.cum - a.cum, 1
    FROM workday_index AS a, workday_index AS b WHERE a.day = NEW.received_on AND b.day = NEW.replied_on
    ON CONFLICT (tenant_id, month, days) DO UPDATE SET n = n + excluded.n;
END;

--bun:split

-- Backfill the day counts from the requests already there (the reply-day
-- histogram needs the calendar: the oversight service fills it).
INSERT INTO request_day_counts (tenant_id, day, received, replied, on_time, g0, g1, g2, g3, g4, g5)
SELECT tenant_id, day, sum(received), sum(replied), sum(on_time), sum(g0), sum(g1), sum(g2), sum(g3), sum(g4), sum(g5) FROM (
    SELECT tenant_id, received_on AS day, 1 AS received, 0 AS replied, 0 AS on_time, 0 AS g0, 0 AS g1, 0 AS g2, 0 AS g3, 0 AS g4, 0 AS g5
    FROM requests WHERE state <> 'submitted' AND received_on IS NOT NULL
    UNION ALL
    SELECT tenant_id, replied_on, 0, 1, CASE WHEN due_on IS NOT NULL AND replied_on <= due_on THEN 1 ELSE 0 END, 0, 0, 0, 0, 0, 0
    FROM requests WHERE state <> 'submitted' AND replied_on IS NOT NULL
    UNION ALL
    SELECT tenant_id, outcome_on, 0, 0, 0, CASE WHEN outcome IN ('granted') THEN 1 ELSE 0 END, CASE WHEN outcome IN ('partially_granted') THEN 1 ELSE 0 END, CASE WHEN outcome IN ('refused_state_secret', 'refused_prohibited_by_law', 'refused_security_stability', 'refused_third_party', 'refused_internal_affairs', 'refused_process_information', 'refused_enforcement_file', 'refused_administrative_inquiry') THEN 1 ELSE 0 END, CASE WHEN outcome IN ('unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear_after_supplement') THEN 1 ELSE 0 END, CASE WHEN outcome IN ('not_processed_petition', 'not_processed_repeated', 'not_processed_publication', 'not_processed_excessive', 'not_processed_confirmation') THEN 1 ELSE 0 END, CASE WHEN outcome IN ('other_no_supplement', 'other_fee_unpaid', 'other') THEN 1 ELSE 0 END
    FROM requests WHERE state <> 'submitted' AND outcome_on IS NOT NULL AND outcome IN ('granted', 'partially_granted', 'refused_state_secret', 'refused_prohibited_by_law', 'refused_security_stability', 'refused_third_party', 'refused_internal_affairs', 'refused_process_information', 'refused_enforcement_file', 'refused_administrative_inquiry', 'unavailable_not_held', 'unavailable_needs_creation', 'unavailable_unclear_after_supplement', 'not_processed_petition', 'not_processed_repeated', 'not_processed_publication', 'not_processed_excessive', 'not_processed_confirmation', 'other_no_supplement', 'other_fee_unpaid', 'other')
) GROUP BY tenant_id, day;
