-- complaint-desk schema, version 13: the reply clock runs from the complaint's receipt, and
-- an unreached revisit is tried again. Revisits count their failed attempts like callbacks.
-- The open first replies and chasers not yet attempted are listed to have their due time
-- counted again from the receipt: that needs the configuration (severity hours, business
-- hours), so the desk does it on its next opening, in short transactions, emptying the list.
ALTER TABLE revisits ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;   -- failed attempts
CREATE TABLE reply_clock_moves (callback_id INTEGER PRIMARY KEY);
INSERT INTO reply_clock_moves (callback_id)
    SELECT id FROM callbacks INDEXED BY callbacks_open
    WHERE done_at IS NULL AND kind IN ('first_reply', 'chaser') AND attempts = 0;
