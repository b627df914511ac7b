-- complaint-desk schema, version 1. Shipped migrations are never edited; add 0002_….sql.
PRAGMA application_id = 1128549169; -- 0x43444B31, "CDK1": marks the file as ours

CREATE TABLE complaints (
    id            INTEGER PRIMARY KEY,
    number        TEXT    NOT NULL UNIQUE,
    received_at   INTEGER NOT NULL,              -- unix seconds, UTC
    channel       TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    phone         TEXT    NOT NULL,              -- as typed
    phone_norm    TEXT    NOT NULL,              -- digits only, for repeat complainants
    location      TEXT    NOT NULL,
    category      TEXT    NOT NULL,
    description   TEXT    NOT NULL,
    outcome       TEXT    NOT NULL DEFAULT '',
    apologized    INTEGER NOT NULL DEFAULT 0 CHECK (apologized IN (0, 1)),
    scope         TEXT    CHECK (scope IN ('in', 'out')),   -- NULL while untriaged
    party         TEXT,
    type          TEXT,
    severity      TEXT,
    intent        TEXT    NOT NULL DEFAULT 'unclear' CHECK (intent IN ('genuine', 'venting', 'unclear')),
    spread_risk   INTEGER NOT NULL DEFAULT 0 CHECK (spread_risk IN (0, 1)),
    explained     INTEGER NOT NULL DEFAULT 0 CHECK (explained IN (0, 1)),
    stage         TEXT    NOT NULL,
    closed_at     INTEGER,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    created_by    TEXT    NOT NULL
);

-- One index per queue the panes show, each matching its query's WHERE and ORDER BY.
CREATE INDEX complaints_untriaged ON complaints (received_at) WHERE scope IS NULL AND closed_at IS NULL;
CREATE INDEX complaints_open      ON complaints (received_at) WHERE closed_at IS NULL;
CREATE INDEX complaints_closed    ON complaints (closed_at)   WHERE closed_at IS NOT NULL;
CREATE INDEX complaints_received  ON complaints (received_at);
-- Repeat complainants, looked up while the phone or location is typed.
CREATE INDEX complaints_phone     ON complaints (phone_norm, received_at);
CREATE INDEX complaints_location  ON complaints (location, received_at);

-- Per-day counters for human-friendly numbers (20261122-0007).
CREATE TABLE number_seq (
    day   TEXT    PRIMARY KEY,
    last  INTEGER NOT NULL
) WITHOUT ROWID;

-- The timeline: every change with who made it. Append-only.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaints (id),
    at            INTEGER NOT NULL,
    agent         TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    from_stage    TEXT,
    to_stage      TEXT,
    detail        TEXT    NOT NULL DEFAULT '{}'   -- JSON object
);
CREATE INDEX events_complaint ON events (complaint_id, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

-- Calls owed: first replies, promised callbacks, chasers to responsible parties, approvals.
CREATE TABLE callbacks (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaints (id),
    kind          TEXT    NOT NULL,
    due_at        INTEGER NOT NULL,
    owner         TEXT,
    note          TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    done_at       INTEGER
);
CREATE INDEX callbacks_open      ON callbacks (due_at) WHERE done_at IS NULL;
CREATE INDEX callbacks_complaint ON callbacks (complaint_id);

-- Follow-ups after a remedy, at several levels.
CREATE TABLE revisits (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER NOT NULL REFERENCES complaints (id),
    role          TEXT    NOT NULL,
    due_at        INTEGER NOT NULL,
    done_at       INTEGER,
    reached       INTEGER CHECK (reached IN (0, 1)),
    satisfaction  INTEGER CHECK (satisfaction BETWEEN 1 AND 5),
    comment       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX revisits_open      ON revisits (due_at) WHERE done_at IS NULL;
CREATE INDEX revisits_complaint ON revisits (complaint_id);

-- People who act at the desk.
CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE,
    role          TEXT    NOT NULL,
    secret_hash   TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL
);

-- Half-typed intake forms, one per agent, restored after a crash or quit.
CREATE TABLE drafts (
    agent         TEXT    PRIMARY KEY,
    form          TEXT    NOT NULL,            -- JSON
    updated_at    INTEGER NOT NULL
);
