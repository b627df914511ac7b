-- complaint-desk schema, version 20: spreadsheet imports (`import FILE`). An import's rows
-- are staged first, invisible to every queue, in short transactions; once all are staged the
-- import is marked `publishing` (its commit point) and its rows become complaints, again in
-- short transactions. An import found `publishing` and idle is finished by the next import.
CREATE TABLE imports (
    id           INTEGER PRIMARY KEY,
    file         TEXT    NOT NULL,               -- the file's name, without its folder
    agent        TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,
    touched_at   INTEGER NOT NULL,               -- the last transaction that worked on it
    state        TEXT    NOT NULL CHECK (state IN ('staging', 'publishing', 'done', 'abandoned')),
    staged       INTEGER NOT NULL DEFAULT 0,
    published    INTEGER NOT NULL DEFAULT 0
);
-- The rows of an import not yet published: the validated row as JSON.
CREATE TABLE import_staged (
    import_id    INTEGER NOT NULL REFERENCES imports (id),
    line         INTEGER NOT NULL,
    row_hash     TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    PRIMARY KEY (import_id, line)
);
-- Every source row imported, by the digest of its normalised cells: a second import of the
-- same row is a duplicate.
CREATE TABLE imported_rows (
    row_hash     TEXT    PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints (id),
    import_id    INTEGER NOT NULL REFERENCES imports (id),
    line         INTEGER NOT NULL
);
