-- complaint-desk schema, version 3: what the handling method records beyond the
-- classification columns (motive, facts, plan, reply, referrals, summary), as JSON.
ALTER TABLE complaints ADD COLUMN handling TEXT NOT NULL DEFAULT '{}';
