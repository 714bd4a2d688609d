-- Reliability, round three: the purge of replaced loads is housekeeping that waits for readers.
--
-- ReaderHorizon: the virtual transaction ids (pg_locks, readable by every role) that were open
-- when this load was replaced. Its table is dropped only once none of them is open any more,
-- so a reader in any role, in REPEATABLE READ, keeps seeing the rows its snapshot shows.
-- PurgeNote: why a replaced load's rows are still there (a lock not granted in time); a later
-- run retries, and `costwh runs` shows the note.
ALTER TABLE loads ADD COLUMN ReaderHorizon TEXT;
ALTER TABLE loads ADD COLUMN PurgeNote TEXT;
