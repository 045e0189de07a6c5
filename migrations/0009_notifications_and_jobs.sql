-- The durable job queue (SPEC §3.11) and notifications (SPEC §3.6). Timestamps are epoch micros.

-- One row per unit of background work: an email to send, a digest to plan, a retention sweep.
-- A job is inserted in the transaction that causes it, so it exists exactly when its cause does.
-- `due_at` is when a worker may take it: for a queued job its (re)try time, for a running one the
-- end of its lease, after which another worker takes it over (the instance holding it died).
-- Claims lock rows with FOR UPDATE SKIP LOCKED on PostgreSQL and go through the single writer on
-- SQLite (src/jobs/store.rs).
CREATE TABLE jobs (
    id {{pk}},
    kind TEXT NOT NULL,
    -- JSON, read by the kind's handler.
    payload TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
    -- Claims so far, counted when claimed: a job that kills its worker still runs out of attempts
    -- (JOBS_MAX_ATTEMPTS).
    attempts BIGINT NOT NULL DEFAULT 0,
    due_at BIGINT NOT NULL,
    -- The worker holding a running job's lease; finishing checks it, so a worker whose lease ran
    -- out and was taken over can't also record the outcome.
    locked_by TEXT,
    last_error TEXT,
    -- Planned jobs (a digest for one period) carry a key naming their period: every instance plans
    -- them, the unique key lets one insert win. NULL for ordinary jobs.
    unique_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
-- Workers look only at the jobs they could take.
CREATE INDEX jobs_claimable_idx ON jobs (due_at) WHERE state IN ('queued', 'running');
CREATE INDEX jobs_kind_state_idx ON jobs (kind, state);

CREATE TABLE notifications (
    id {{pk}},
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('info', 'success', 'warning', 'error', 'order', 'payment',
        'review', 'stock', 'security', 'proposal', 'contract', 'message')),
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    action_url TEXT NOT NULL DEFAULT '',
    is_read {{bool}} NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
-- A user's list, newest first, and a stream's replay (id > Last-Event-ID) read this index.
CREATE INDEX notifications_user_idx ON notifications (user_id, id);

-- One row per user who changed a default; no row means every default (all on, digest none).
CREATE TABLE notification_preferences (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    email_enabled {{bool}} NOT NULL DEFAULT TRUE,
    in_app_enabled {{bool}} NOT NULL DEFAULT TRUE,
    order_updates {{bool}} NOT NULL DEFAULT TRUE,
    review_updates {{bool}} NOT NULL DEFAULT TRUE,
    marketing {{bool}} NOT NULL DEFAULT TRUE,
    digest TEXT NOT NULL DEFAULT 'none' CHECK (digest IN ('none', 'daily', 'weekly')),
    updated_at BIGINT NOT NULL
);

-- One-time tickets for EventSource, which can't send an Authorization header. Only a hash of the
-- ticket is kept; redeeming deletes the row, so a ticket works once, on any instance.
CREATE TABLE stream_tickets (
    ticket_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);
