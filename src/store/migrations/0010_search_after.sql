-- Deleted or replaced rows are removed from the index pages, not just marked (erasure).
INSERT INTO complaints_search (complaints_search, rank) VALUES ('secure-delete', 1);
INSERT INTO complaints_search_uni (complaints_search_uni, rank) VALUES ('secure-delete', 1);
