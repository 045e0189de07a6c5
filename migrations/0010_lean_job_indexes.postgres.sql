-- A checkout writes an email job in its transaction, so every index on `jobs` is written on the
-- hot path, and again at each claim and outcome (each changes `state`, so none is a HOT update).
-- PostgreSQL flavour; the SQLite flavour is 0010_lean_job_indexes.sqlite.sql. docs/PERFORMANCE.md,
-- log 29, has the WAL measured before and after.
--
-- * `(kind, state)` indexed every job for two rare readers: the failed list (`nexus jobs`) and
--   the queue-depth gauge. Failed jobs get a partial index of their own; the gauge counts the
--   claimable jobs through `jobs_claimable_idx` and the failed ones through this one.
-- * A UNIQUE constraint indexes NULLs too, and only planned jobs (digests) have a key. A partial
--   unique index holds the keyed ones only; `ON CONFLICT (unique_key) WHERE unique_key IS NOT
--   NULL` infers it.

DROP INDEX jobs_kind_state_idx;
CREATE INDEX jobs_failed_idx ON jobs (id) WHERE state = 'failed';

ALTER TABLE jobs DROP CONSTRAINT jobs_unique_key_key;
CREATE UNIQUE INDEX jobs_unique_key_idx ON jobs (unique_key) WHERE unique_key IS NOT NULL;
