-- complaint-desk schema: the search index (filled for existing complaints by the migration
-- code, then kept in step by every write). One row per complaint in each table, its rowid the
-- complaint's place in received order ((received_at << 30) | id; see store/search.rs).
-- Contentless: they hold no text, only the words of src/domain/search.rs: the lowercase hex
-- of the UTF-8 of every two neighbouring folded characters (bi) and of every three in a run of
-- ASCII digits and punctuation (tri), with positions for phrase queries; and, without
-- positions (detail=none: a one-character query needs only the rowids), of every folded
-- character (uni). In the sqlite3 shell (3.44 or later):
-- SELECT rowid & 1073741823 FROM complaints_search WHERE bi MATCH lower(hex('漏水'));
CREATE VIRTUAL TABLE complaints_search USING fts5 (
    bi, tri,
    content = '',
    contentless_delete = 1,
    tokenize = 'ascii'
);
CREATE VIRTUAL TABLE complaints_search_uni USING fts5 (
    uni,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'ascii'
);
-- Bulk writes (the demo, the first build): up to 16 MiB of words are gathered in memory
-- before a flush (the default 1 MiB makes many small segments, each merged again and
-- again), and segments are merged 8 at a time instead of 4 (fewer rewrites of each word).
INSERT INTO complaints_search (complaints_search, rank) VALUES ('hashsize', 16777216);
INSERT INTO complaints_search (complaints_search, rank) VALUES ('automerge', 8);
INSERT INTO complaints_search_uni (complaints_search_uni, rank) VALUES ('hashsize', 16777216);
INSERT INTO complaints_search_uni (complaints_search_uni, rank) VALUES ('automerge', 8);
