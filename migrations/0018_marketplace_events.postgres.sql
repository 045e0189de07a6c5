-- Analytics also counts the marketplace's service views, likes and searches (SPEC §3.12):
-- three more kinds, and the service they concern (a UUID, so a column of its own beside the
-- integer `product_id`). PostgreSQL flavour: the CHECK is replaced in place. The SQLite flavour
-- (0018_marketplace_events.sqlite.sql) must rebuild the table.

ALTER TABLE analytics_events DROP CONSTRAINT analytics_events_kind_check;
ALTER TABLE analytics_events ADD CONSTRAINT analytics_events_kind_check CHECK (kind IN
    ('product_view', 'search', 'register', 'login', 'add_to_cart', 'order', 'review',
     'service_view', 'service_like', 'marketplace_search'));
ALTER TABLE analytics_events ADD COLUMN service_id TEXT;
-- A provider's views per service: only the events that name a service are indexed.
CREATE INDEX analytics_events_service_idx ON analytics_events (service_id)
    WHERE service_id IS NOT NULL;
