-- complaint-desk schema, version 5: callback attempts and escalation levels, and the
-- indexes the callback queue and the revisit agenda page through.
ALTER TABLE callbacks ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;   -- failed attempts
ALTER TABLE callbacks ADD COLUMN level    INTEGER NOT NULL DEFAULT 0;   -- 0 agent, 1, 2, …
-- Escalation looks only at open callbacks not yet at the top level.
CREATE INDEX callbacks_escalation ON callbacks (due_at) WHERE done_at IS NULL AND level < 2;
-- The queue pages by (due time, id); the revisit agenda likewise.
DROP INDEX callbacks_open;
CREATE INDEX callbacks_open ON callbacks (due_at, id) WHERE done_at IS NULL;
DROP INDEX revisits_open;
CREATE INDEX revisits_open  ON revisits (due_at, id) WHERE done_at IS NULL;
