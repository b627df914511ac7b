-- complaint-desk schema, version 23: the case library (典型案例). A card is made from a closed
-- case with the person removed (src/domain/redact.rs): it holds no name, phone or unit, and
-- erasing a complainant leaves it as it is. complaint_id names the case it came from (one
-- card per case; no foreign key: the card outlives whatever happens to the case). words are
-- the card's search words (src/domain/search.rs, as the complaints'), kept for ranking similar
-- cards; library_search is their FTS5 index, rowid = the card's id.
CREATE TABLE library_cards (
    id            INTEGER PRIMARY KEY,
    complaint_id  INTEGER UNIQUE,
    category      TEXT    NOT NULL,
    party         TEXT    NOT NULL DEFAULT '',
    facts         TEXT    NOT NULL DEFAULT '',
    plan          TEXT    NOT NULL DEFAULT '',
    reply         TEXT    NOT NULL DEFAULT '',
    outcome       TEXT    NOT NULL DEFAULT '',
    root_cause    TEXT    NOT NULL DEFAULT '',
    lesson        TEXT    NOT NULL DEFAULT '',
    status        TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    INTEGER NOT NULL,
    created_by    TEXT    NOT NULL,
    updated_at    INTEGER NOT NULL,
    published_at  INTEGER,
    words         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX library_cards_status ON library_cards (status, category, id);
CREATE INDEX library_cards_category ON library_cards (category, id);
CREATE VIRTUAL TABLE library_search USING fts5 (
    words,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'ascii'
);
