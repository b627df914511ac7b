DROP TABLE events;
ALTER TABLE events_chained RENAME TO events;
CREATE INDEX events_complaint ON events (complaint_id, id);
-- Append-only. The one change allowed is an erasure (anonymisation): the detail's text is
-- replaced and its nonce dropped; everything the chain hashes stays as it was.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN NOT (OLD.nonce IS NOT NULL AND NEW.nonce IS NULL
          AND NEW.id = OLD.id AND NEW.complaint_id IS OLD.complaint_id AND NEW.at = OLD.at
          AND NEW.agent = OLD.agent AND NEW.kind = OLD.kind
          AND NEW.from_stage IS OLD.from_stage AND NEW.to_stage IS OLD.to_stage
          AND NEW.digest = OLD.digest AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash)
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
