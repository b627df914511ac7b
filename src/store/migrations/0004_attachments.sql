-- complaint-desk schema, version 4: attachments as file references (the files stay outside
-- the database), with a hash to tell a changed or swapped file, and a confidential flag.
CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaints (id),
    path          TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    confidential  INTEGER NOT NULL DEFAULT 0 CHECK (confidential IN (0, 1)),
    added_at      INTEGER NOT NULL,
    added_by      TEXT    NOT NULL
);
CREATE INDEX attachments_complaint ON attachments (complaint_id);
