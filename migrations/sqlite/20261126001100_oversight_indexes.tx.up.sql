-- Indexes for the city oversight dashboard (internal/oversight).
--
-- The dashboard counts every bureau's requests in one pass grouped by
-- bureau, reading only the state and the legal dates (received, due,
-- replied, outcome) with the outcome: SQLite has no INCLUDE, so a
-- composite index carrying those columns lets it answer from the index
-- alone (a covering index) instead of reading every row of the table.
CREATE INDEX requests_oversight_idx ON requests (tenant_id, state, received_on, due_on, replied_on, outcome, outcome_on);

--bun:split

-- Extensions in a period (metric extended, Art. 33): a small partial index
-- over the 'extended' events only, instead of a scan of every event.
CREATE INDEX request_events_extended_idx ON request_events (day, tenant_id, request_id) WHERE kind = 'extended';
