-- complaint-desk schema, version 19: the report's summary (src/domain/summary.rs). Each
-- complaint's summary as of its last write, and the sums of every summary by dimension,
-- local day, site and key; both kept in the transaction of every write and rebuilt from
-- the tables by `report --rebuild`. `report_state` says under which basis (zone, business
-- calendar, building patterns) the sums were built: `basis` is its fingerprint, or `stale`;
-- `cursor` is there while a rebuild runs (the last complaint id it has summed).
CREATE TABLE report_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE report_cases (
    complaint_id    INTEGER PRIMARY KEY,
    first_reply_due INTEGER,               -- the running first reply's due time
    summary         TEXT NOT NULL          -- JSON
);
CREATE INDEX report_cases_due ON report_cases (first_reply_due) WHERE first_reply_due IS NOT NULL;
CREATE TABLE report_days (
    dim         TEXT    NOT NULL,
    day         INTEGER NOT NULL,          -- days from the Common Era, local
    site        TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    received    INTEGER NOT NULL DEFAULT 0,
    closed      INTEGER NOT NULL DEFAULT 0,
    open        INTEGER NOT NULL DEFAULT 0,
    untriaged   INTEGER NOT NULL DEFAULT 0,
    waiting     INTEGER NOT NULL DEFAULT 0,
    pending     INTEGER NOT NULL DEFAULT 0,
    in_scope    INTEGER NOT NULL DEFAULT 0,
    out_scope   INTEGER NOT NULL DEFAULT 0,
    fr_met      INTEGER NOT NULL DEFAULT 0,
    fr_late     INTEGER NOT NULL DEFAULT 0,
    reopened    INTEGER NOT NULL DEFAULT 0,
    escalations INTEGER NOT NULL DEFAULT 0,
    n           INTEGER NOT NULL DEFAULT 0,
    amount      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dim, day, site, key)
) WITHOUT ROWID;
-- The timeline's events the figures count, by complaint.
CREATE INDEX events_counted ON events (complaint_id) WHERE kind IN ('reopened', 'escalated', 'revisited');
-- A file with complaints already must be summed before the sums are read.
INSERT INTO report_state (key, value) SELECT 'basis', 'stale' WHERE EXISTS (SELECT 1 FROM complaints);
