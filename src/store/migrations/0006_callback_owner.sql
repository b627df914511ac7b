-- complaint-desk schema, version 6: the "mine" view of the callback queue pages through
-- the callbacks of one owner (or of nobody: still at the desk) in due order.
CREATE INDEX callbacks_owner ON callbacks (owner, due_at, id) WHERE done_at IS NULL;
