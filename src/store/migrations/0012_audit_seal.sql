-- complaint-desk schema, version 12: every event commits to the form an erasure leaves of
-- its detail (erased_digest, covered by its hash; NULL on the rows written before, which the
-- migration code seals all at once with a `chain_sealed` event). The append-only triggers
-- are created again by the code (store/audit.rs GUARDS), the update guard now keeping
-- erased_digest too.
ALTER TABLE events ADD COLUMN erased_digest BLOB;
DROP TRIGGER IF EXISTS events_no_update;
DROP TRIGGER IF EXISTS events_no_delete;
