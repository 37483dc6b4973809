-- Who gets a bureau's reminders. recipients is handler_else_officers (the
-- request's handler, else every information officer: the default) or
-- handler_and_officers (the handler and every information officer);
-- copy_to lists user ids (comma-separated) of members who always get a
-- copy. Escalation to the bureau admins stays escalate_overdue.
ALTER TABLE reminder_settings ADD COLUMN recipients TEXT NOT NULL DEFAULT 'handler_else_officers';

--bun:split

ALTER TABLE reminder_settings ADD COLUMN copy_to TEXT NOT NULL DEFAULT '';
