-- complaint-desk schema, version 7: failed sign-ins, the account lockout they lead to.
ALTER TABLE agents ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;  -- in a row
ALTER TABLE agents ADD COLUMN last_failed_at  INTEGER;
ALTER TABLE agents ADD COLUMN locked          INTEGER NOT NULL DEFAULT 0 CHECK (locked IN (0, 1));
