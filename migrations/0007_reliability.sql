-- Reliability, round three: the ledger columns PostgreSQL's purge uses, kept on both stores so
-- the ledgers stay alike (`costwh copy`, the schema tests). SQLite deletes a replaced load's
-- rows in the replacing transaction, so here they stay NULL.
--   ReaderHorizon: PostgreSQL: the virtual transactions open when this load was replaced.
--   PurgeNote: PostgreSQL: why this replaced load's rows are still there; a later run retries.
ALTER TABLE loads ADD COLUMN ReaderHorizon TEXT;
ALTER TABLE loads ADD COLUMN PurgeNote TEXT;
