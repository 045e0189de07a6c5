-- Analytics events (SPEC §3.7): appended in batches by the capture task (src/track/capture.rs), read by the
-- daily roll-ups, deleted after ANALYTICS_RETENTION_DAYS. Timestamps are epoch micros (UTC).
-- No raw IP and no raw user-chosen id here: `session_key` is a keyed hash (see src/track/session.rs) and
-- `ip_prefix` the truncated address (IPv4 /24, IPv6 /48).
CREATE TABLE analytics_events (
    id {{pk}},
    kind TEXT NOT NULL CHECK (kind IN ('product_view', 'search', 'register', 'login', 'add_to_cart',
        'order', 'review')),
    occurred_at BIGINT NOT NULL,
    session_key TEXT NOT NULL,
    -- The signed-in user, if any. Deleting a user clears it (privacy, issue 18).
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    ip_prefix TEXT,
    -- product_view, add_to_cart, review: the product; order: NULL.
    product_id BIGINT,
    -- order: the order placed.
    order_id BIGINT,
    -- search: the normalised query (trimmed, lower-cased, inner whitespace collapsed), the filters as a
    -- JSON object, and how many results the search returned (0 for a zero-result search).
    query TEXT,
    filters TEXT,
    result_count BIGINT
);
-- Roll-ups and retention read by time.
CREATE INDEX analytics_events_time_idx ON analytics_events (occurred_at);
-- ON DELETE SET NULL finds a user's events through this.
CREATE INDEX analytics_events_user_idx ON analytics_events (user_id);
