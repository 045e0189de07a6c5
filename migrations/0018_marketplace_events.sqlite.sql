-- Analytics also counts the marketplace's service views, likes and searches (SPEC §3.12):
-- three more kinds, and the service they concern (a UUID, so a column of its own beside the
-- integer `product_id`). SQLite flavour: a CHECK can't be altered, so the table is rebuilt and
-- its rows copied with their ids (the roll-up marks name event ids). The PostgreSQL flavour
-- (0018_marketplace_events.postgres.sql) alters it in place.

CREATE TABLE analytics_events_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('product_view', 'search', 'register', 'login',
        'add_to_cart', 'order', 'review', 'service_view', 'service_like', 'marketplace_search')),
    occurred_at BIGINT NOT NULL,
    session_key TEXT NOT NULL,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    ip_prefix TEXT,
    product_id BIGINT,
    order_id BIGINT,
    query TEXT,
    filters TEXT,
    result_count BIGINT,
    service_id TEXT
);

INSERT INTO analytics_events_new (id, kind, occurred_at, session_key, user_id, ip_prefix,
    product_id, order_id, query, filters, result_count)
SELECT id, kind, occurred_at, session_key, user_id, ip_prefix, product_id, order_id, query,
    filters, result_count
FROM analytics_events;

DROP TABLE analytics_events;
ALTER TABLE analytics_events_new RENAME TO analytics_events;

CREATE INDEX analytics_events_time_idx ON analytics_events (occurred_at);
CREATE INDEX analytics_events_user_idx ON analytics_events (user_id) WHERE user_id IS NOT NULL;
-- A provider's views per service: only the events that name a service are indexed.
CREATE INDEX analytics_events_service_idx ON analytics_events (service_id)
    WHERE service_id IS NOT NULL;
