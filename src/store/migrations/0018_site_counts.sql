-- complaint-desk schema, version 18: the counts of an agent scoped to sites. The complaints
-- of each site (and those naming none) by when they were closed, their scope and when they
-- came in: what an agent of some sites sees untriaged (late), open, closed or at all is
-- counted from ranges of it, never by reading every row of the queue (whose index holds no
-- site).
CREATE INDEX complaints_site_closed ON complaints (site, closed_at, scope, received_at);
