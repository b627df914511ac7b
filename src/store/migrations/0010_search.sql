-- complaint-desk schema: the search index (filled for existing complaints by the migration
-- code, then kept in step by every write). One row per complaint, its rowid the complaint's
-- place in received order ((received_at << 30) | id; see store/search.rs). Contentless: it
-- holds no text, only the words of src/domain/search.rs: the lowercase hex of the UTF-8 of
-- every folded character (uni), of every two neighbouring ones (bi) and of every three in a
-- run of ASCII digits and punctuation (tri). In the sqlite3 shell (3.44 or later):
-- SELECT rowid & 1073741823 FROM complaints_search WHERE bi MATCH lower(hex('漏水'));
CREATE VIRTUAL TABLE complaints_search USING fts5 (
    uni, bi, tri,
    content = '',
    contentless_delete = 1,
    tokenize = 'ascii'
);
