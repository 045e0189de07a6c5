-- Analytics roll-ups (SPEC §3.7): each UTC day of raw events, orders and sign-ups summed by the
-- `analytics_rollup` job (src/analytics/rollup.rs). Kept for ever, while raw events are deleted
-- after ANALYTICS_RETENTION_DAYS, so a year-long dashboard reads these small tables. Days are
-- 'YYYY-MM-DD' (UTC), money is cents, timestamps are epoch micros. docs/analytics.md, "Figures".

-- One row per rolled day, zeros included: a day with a row here is rolled. A roll-up deletes the
-- day's rows in every table below and inserts them again, in one transaction.
CREATE TABLE analytics_daily (
    day TEXT PRIMARY KEY,
    -- From the orders created that day that count (not cancelled, failed or refunded).
    revenue_cents BIGINT NOT NULL,
    orders BIGINT NOT NULL,
    -- Users whose date_joined is that day.
    new_users BIGINT NOT NULL,
    -- From the day's raw events: distinct sessions, those with a product view, and counts.
    sessions BIGINT NOT NULL,
    viewing_sessions BIGINT NOT NULL,
    product_views BIGINT NOT NULL,
    searches BIGINT NOT NULL,
    zero_result_searches BIGINT NOT NULL,
    rolled_at BIGINT NOT NULL,
    -- Set when the retention job deleted the day's raw events: from then on a roll-up of the day
    -- recomputes only what comes from orders and users, and keeps the event figures.
    pruned_at BIGINT
);

-- Product views per day (from events) and sales per day (from the counted orders' lines) are two
-- tables so a pruned day's sales can be recomputed without touching its views.
CREATE TABLE analytics_daily_views (
    day TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    views BIGINT NOT NULL,
    PRIMARY KEY (day, product_id)
);

CREATE TABLE analytics_daily_sales (
    day TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    units BIGINT NOT NULL,
    revenue_cents BIGINT NOT NULL,
    PRIMARY KEY (day, product_id)
);

-- Searches per normalised query per day; `zero_results` of them returned nothing.
CREATE TABLE analytics_daily_searches (
    day TEXT NOT NULL,
    query TEXT NOT NULL,
    searches BIGINT NOT NULL,
    zero_results BIGINT NOT NULL,
    PRIMARY KEY (day, query)
);

-- Who was active each day (an event while signed in, or an order placed), so "active users over a
-- period" is an exact COUNT(DISTINCT user_id): a sum of daily counts would count people twice.
-- Deleting a user deletes their rows, as it clears their raw events' user_id (privacy, issue 18).
CREATE TABLE analytics_daily_users (
    day TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (day, user_id)
);
CREATE INDEX analytics_daily_users_user_idx ON analytics_daily_users (user_id);

-- How far the roll-ups have read: rows past a mark may belong to days rolled before they existed
-- (a late event, a seeded order, last week's order cancelled today), so the next roll-up rolls
-- those days again and the dashboard computes them live meanwhile.
CREATE TABLE analytics_marks (
    -- events (analytics_events.id), orders (orders.id), users (users.id), status_changes
    -- (order_status_history.id: every change that decides whether an order counts, a cancel, a
    -- failed payment, a refund, writes a history row, so no index on orders.updated_at is needed,
    -- which every checkout and status change would have to write); and unrolled_from, the day
    -- (days since 1970-01-01) the last run called today: its rows are below the marks but the day
    -- was still filling, so the next run rolls it and every day after it (0: no run yet).
    name TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO analytics_marks (name, value) VALUES
    ('events', 0), ('orders', 0), ('users', 0), ('status_changes', 0), ('unrolled_from', 0);
