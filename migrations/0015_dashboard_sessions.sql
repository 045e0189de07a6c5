-- The staff dashboard's sign-ins (SPEC §3.9, docs/dashboard.md): one row per session, found by
-- the SHA-256 of the random token in its cookie (the token itself is never stored), with the
-- CSRF token its forms carry and when it was last used (12 hours idle ends it).
CREATE TABLE dashboard_sessions (
    id {{pk}},
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX dashboard_sessions_user_idx ON dashboard_sessions (user_id);
