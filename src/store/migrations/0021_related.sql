-- complaint-desk schema, version 21: related cases (关联投诉). The complaints of a category at
-- a site, by location (a building is a prefix of it), with when they came in and closed: the
-- open or recent cases at the same building and category are read from a short range of it,
-- filtered in the index.
CREATE INDEX complaints_related ON complaints (category, site, location, received_at, closed_at);
