-- complaint-desk schema, version 16: care plans (定期回访). A site on a care plan is called
-- (or visited) by the plan's role every few business days, before it complains. Each site
-- has at most one care call open; a call made records whether the site was reached, its
-- satisfaction and a note, and the next one falls due. A low score opens a complaint for the
-- site, linked here. Which sites have which plan is configuration: the desk opens and closes
-- the open calls to match it on opening.
CREATE TABLE care_calls (
    id           INTEGER PRIMARY KEY,
    site         TEXT    NOT NULL,               -- the site's key
    plan         TEXT    NOT NULL,               -- the care plan's key
    role         TEXT    NOT NULL,               -- who calls or visits
    due_at       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    done_at      INTEGER,                        -- made, or cancelled
    reached      INTEGER,                        -- 1 made, NULL open or cancelled
    satisfaction INTEGER,                        -- 1 to 5, when made
    note         TEXT    NOT NULL DEFAULT '',
    agent        TEXT,                           -- who made it
    attempts     INTEGER NOT NULL DEFAULT 0,     -- failed attempts (not reached)
    complaint_id INTEGER REFERENCES complaints (id)  -- the complaint a low score opened
);
-- The open care calls by due time (the revisit agenda, the status line).
CREATE INDEX care_calls_open ON care_calls (due_at, id) WHERE done_at IS NULL;
-- At most one open care call per site.
CREATE UNIQUE INDEX care_calls_site_open ON care_calls (site) WHERE done_at IS NULL;
-- A site's care calls, newest first.
CREATE INDEX care_calls_site ON care_calls (site, due_at);
