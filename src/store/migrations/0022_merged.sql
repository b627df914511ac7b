-- complaint-desk schema, version 22: merge, unmerge and split (issue 19). A duplicate merged
-- into a primary case names the primary's number here (its stage `merged`, its `closed_at`
-- the merge's time, so that the open queues' partial indexes leave it out); unmerged, it is
-- NULL again. The cases a primary absorbs are read from the partial index by its number.
ALTER TABLE complaints ADD COLUMN merged_into TEXT;
CREATE INDEX complaints_merged_into ON complaints (merged_into) WHERE merged_into IS NOT NULL;
