-- After the build: complaints found by their key, and deleted or replaced index rows removed
-- from the index pages, not just marked (erasure).
CREATE UNIQUE INDEX complaints_search_key ON complaints (search_key);
INSERT INTO complaints_search (complaints_search, rank) VALUES ('secure-delete', 1);
