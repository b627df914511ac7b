-- complaint-desk schema, version 14: waiting is never silent. While a case waits on the
-- responsible party (referred out of scope, or waiting on it) or on the customer, calls stay
-- owed: a chaser to the party and a progress call to the customer, every few business days.
-- The cases waiting already are listed to be given theirs: the due time needs the
-- configuration (business hours, the interval), so the desk does it on its next opening, in
-- short transactions, emptying the list (the table stays, empty, as this version's mark).
CREATE TABLE waiting_calls_owed (complaint_id INTEGER PRIMARY KEY);
INSERT INTO waiting_calls_owed (complaint_id)
    SELECT id FROM complaints INDEXED BY complaints_open
    WHERE closed_at IS NULL
      AND (stage IN ('referred', 'waiting_on_party')
           OR json_extract(handling, '$.waiting_on_customer') = 1);
