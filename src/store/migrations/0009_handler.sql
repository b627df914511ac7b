-- complaint-desk schema, version 9: who handles each case (承办人), and the indexes of the
-- "mine", "waiting" and "approval" views.
ALTER TABLE complaints ADD COLUMN handler TEXT;   -- NULL before triage (handlers from classification)

-- Existing cases: the agent of their first classification, in one pass over the classified
-- events (the bare column `agent` comes from the row of min(id)). Cases never classified
-- stay NULL; with handlers from intake, the desk gives them their intake agent when it opens.
UPDATE complaints SET handler = earliest.agent
FROM (SELECT complaint_id, agent, min(id) FROM events
      WHERE kind = 'classified' AND complaint_id IS NOT NULL
      GROUP BY complaint_id) AS earliest
WHERE earliest.complaint_id = complaints.id;

-- My open cases, oldest or newest first (and the open cases nobody handles yet).
CREATE INDEX complaints_mine ON complaints (handler, received_at) WHERE closed_at IS NULL;
-- Open cases waiting on the responsible party or on the customer.
CREATE INDEX complaints_waiting ON complaints (received_at)
WHERE closed_at IS NULL
  AND (stage = 'waiting_on_party' OR json_extract(handling, '$.waiting_on_customer') = 1);
-- Open cases whose compensation awaits approval.
CREATE INDEX complaints_approval ON complaints (received_at)
WHERE closed_at IS NULL AND json_extract(handling, '$.plan.approval.state') = 'pending';
