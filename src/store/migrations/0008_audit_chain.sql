-- complaint-desk schema, version 8: the timeline becomes a hash-chained audit trail that
-- also records what happened outside a complaint (sign-ins, denials, agent management).
-- The rows are copied into this table by the migration code, which computes each hash.
CREATE TABLE events_chained (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER REFERENCES complaints (id),   -- NULL: about an agent or the desk
    at            INTEGER NOT NULL,
    agent         TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    from_stage    TEXT,
    to_stage      TEXT,
    detail        TEXT    NOT NULL DEFAULT '{}',        -- JSON object; may hold personal text
    nonce         BLOB,                                 -- 16 random bytes; NULL once erased
    digest        BLOB    NOT NULL,                     -- sha256(nonce || detail)
    prev_hash     BLOB    NOT NULL,                     -- hash of the row before
    hash          BLOB    NOT NULL                      -- sha256(prev_hash, row, digest)
);
