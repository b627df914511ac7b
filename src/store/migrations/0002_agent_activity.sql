-- complaint-desk schema, version 2: who sat at the desk last, so the app starts as them.
ALTER TABLE agents ADD COLUMN last_active_at INTEGER;
