-- complaint-desk schema, version 15: a complaint names its site (an estate, a client's
-- site, a client account: a configured site's key, or the text typed where free entry is
-- allowed) and may carry further categories beside its main one (a JSON array of keys).
-- Both are new: the complaints already there have no site and no further category.
ALTER TABLE complaints ADD COLUMN site TEXT;
ALTER TABLE complaints ADD COLUMN extra_categories TEXT NOT NULL DEFAULT '[]';
-- A site's complaints, newest first (the search filter and, later, a site's partition).
CREATE INDEX complaints_site ON complaints (site, received_at) WHERE site IS NOT NULL;
