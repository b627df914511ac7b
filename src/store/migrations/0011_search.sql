-- complaint-desk schema: the search index, rebuilt smaller (filled for existing complaints
-- by the migration code, then kept in step by every write; see store/search.rs).
-- complaints.search_key: the complaint's place in received order, the index's rowid.
-- complaints_search: contentless, without positions (detail=none); its words are those of
-- src/domain/search.rs: the lowercase hex of the UTF-8 of every folded character, every two
-- neighbouring ones in a field, and every three in a run of ASCII digits and punctuation.
-- In the sqlite3 shell (3.44 or later), the complaints holding 漏水:
-- SELECT c.number FROM complaints_search JOIN complaints c ON c.search_key = complaints_search.rowid
--  WHERE complaints_search MATCH lower(hex('漏水'));
DROP TABLE IF EXISTS complaints_search;
DROP TABLE IF EXISTS complaints_search_uni;
ALTER TABLE complaints ADD COLUMN search_key INTEGER;
CREATE VIRTUAL TABLE complaints_search USING fts5 (
    words,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'ascii'
);
-- Bulk writes (the demo, this build): up to 16 MiB of words are gathered in memory before a
-- flush (the default 1 MiB makes many small segments, each merged again and again), and
-- segments are merged 8 at a time instead of 4 (fewer rewrites of each word).
INSERT INTO complaints_search (complaints_search, rank) VALUES ('hashsize', 16777216);
INSERT INTO complaints_search (complaints_search, rank) VALUES ('automerge', 8);
