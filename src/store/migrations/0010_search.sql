-- complaint-desk schema: migration 10 built the first search index (a bigram table with
-- positions and a unigram table, keyed by (received_at << 30) | id). Migration 11 replaced
-- it before it had to last: a file still at version 9 goes through this step unchanged, and
-- 11 builds the index it keeps.
SELECT 1;
