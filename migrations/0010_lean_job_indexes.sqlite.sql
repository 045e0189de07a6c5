-- A checkout writes an email job in its transaction, so every index on `jobs` is written on the
-- hot path, and again at each claim and outcome. SQLite flavour; the PostgreSQL flavour
-- (0010_lean_job_indexes.postgres.sql) says why each index goes.
--
-- SQLite can't drop a column's UNIQUE constraint, so the table is rebuilt without it (the
-- documented twelve-step way: create, copy, drop, rename) and the keyed jobs get a partial unique
-- index, the same one PostgreSQL has, so `ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL`
-- reads the same on both engines.

CREATE TABLE jobs_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    due_at BIGINT NOT NULL,
    locked_by TEXT,
    last_error TEXT,
    unique_key TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
INSERT INTO jobs_rebuilt (id, kind, payload, state, attempts, due_at, locked_by, last_error,
                          unique_key, created_at, finished_at)
    SELECT id, kind, payload, state, attempts, due_at, locked_by, last_error, unique_key,
           created_at, finished_at
    FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_rebuilt RENAME TO jobs;

CREATE INDEX jobs_claimable_idx ON jobs (due_at) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_failed_idx ON jobs (id) WHERE state = 'failed';
CREATE UNIQUE INDEX jobs_unique_key_idx ON jobs (unique_key) WHERE unique_key IS NOT NULL;
