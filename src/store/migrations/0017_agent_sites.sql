-- complaint-desk schema, version 17: the sites an agent belongs to (configured sites' keys).
-- An agent with sites sees and acts on those sites' complaints (and those naming no site);
-- an agent with none, or whose role sees every site (head office), is not scoped.
CREATE TABLE agent_sites (
    agent         TEXT    NOT NULL,              -- the agent's name
    site          TEXT    NOT NULL,              -- a configured site's key
    PRIMARY KEY (agent, site)
);
