-- Analytics monthly roll-ups (issue 18, SPEC §3.7: a year-long dashboard in < 50 ms): each UTC
-- calendar month of the per-product, per-query and per-user daily roll-ups (migration 0012)
-- summed, so a year-long dashboard reads about twelve rows per product, query and user instead of
-- one per day. `analytics_daily` (one row per day) needs no monthly level: the dashboard's daily
-- series reads every day anyway. Months are 'YYYY-MM'. docs/analytics.md, "Figures".
--
-- A month's rows are always the sum of its days' rows: the transaction that rolls a day takes the
-- day's old rows out of its month and adds its new ones (src/analytics/store/rollup.rs), and the
-- dashboard reads a month from here only when every day of it is rolled and none is computed live.

CREATE TABLE analytics_monthly_views (
    month TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    views BIGINT NOT NULL,
    PRIMARY KEY (month, product_id)
);

CREATE TABLE analytics_monthly_sales (
    month TEXT NOT NULL,
    product_id BIGINT NOT NULL,
    units BIGINT NOT NULL,
    revenue_cents BIGINT NOT NULL,
    PRIMARY KEY (month, product_id)
);

CREATE TABLE analytics_monthly_searches (
    month TEXT NOT NULL,
    query TEXT NOT NULL,
    searches BIGINT NOT NULL,
    zero_results BIGINT NOT NULL,
    PRIMARY KEY (month, query)
);

-- Who was active in the month, so active users over a period of whole months stay an exact
-- COUNT(DISTINCT user_id); `days` is on how many of its days, which lets a re-rolled day take its
-- users out again. Deleting a user deletes their rows, as it does their daily ones.
CREATE TABLE analytics_monthly_users (
    month TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    days BIGINT NOT NULL,
    PRIMARY KEY (month, user_id)
);
CREATE INDEX analytics_monthly_users_user_idx ON analytics_monthly_users (user_id);

-- The months rolled before this migration, from their days.
INSERT INTO analytics_monthly_views (month, product_id, views)
    SELECT substr(day, 1, 7), product_id, SUM(views) FROM analytics_daily_views
    GROUP BY substr(day, 1, 7), product_id;
INSERT INTO analytics_monthly_sales (month, product_id, units, revenue_cents)
    SELECT substr(day, 1, 7), product_id, SUM(units), SUM(revenue_cents) FROM analytics_daily_sales
    GROUP BY substr(day, 1, 7), product_id;
INSERT INTO analytics_monthly_searches (month, query, searches, zero_results)
    SELECT substr(day, 1, 7), query, SUM(searches), SUM(zero_results) FROM analytics_daily_searches
    GROUP BY substr(day, 1, 7), query;
INSERT INTO analytics_monthly_users (month, user_id, days)
    SELECT substr(day, 1, 7), user_id, COUNT(*) FROM analytics_daily_users
    GROUP BY substr(day, 1, 7), user_id;
