//! The dashboard's statements: a handful whatever the period. Each figure reads, in one
//! statement, the monthly roll-ups of the period's whole months, the daily roll-ups of its other
//! rolled days and the raw rows of its live days, as the `Plan` says.

use sqlx::AnyConnection;

use super::{push_live, push_rolled, rollup::Marks, COUNTED};
use crate::{
    analytics::{
        period::{day_key, Period, DAY_MICROS},
        plan::{Changed, Sources},
    },
    db::SqlBuilder,
};

/// A rolled day of the period.
#[derive(Debug, sqlx::FromRow)]
pub struct RolledDayRow {
    pub day: String,
    pub revenue_cents: i64,
    pub orders: i64,
    pub new_users: i64,
    pub viewing_sessions: i64,
    pub pruned_at: Option<i64>,
}

/// The rolled days of `period`.
pub async fn rolled_days(
    conn: &mut AnyConnection,
    period: Period,
) -> Result<Vec<RolledDayRow>, sqlx::Error> {
    let mut sql = SqlBuilder::new(
        "SELECT day, revenue_cents, orders, new_users, viewing_sessions, pruned_at \
         FROM analytics_daily WHERE day >= ",
    );
    sql.push_bind(day_key(period.first()))
        .push(" AND day <= ")
        .push_bind(day_key(period.last()));
    sql.query_as().fetch_all(conn).await
}

/// The days of the rows past `marks`: events (by id), orders (new by id, or whose status changed
/// past the mark) and users (by id). Few rows: the marks trail the newest rows by about one roll-up.
pub async fn changed_days(conn: &mut AnyConnection, marks: &Marks) -> Result<Changed, sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT 'events' AS part, occurred_at / {DAY_MICROS} AS day FROM analytics_events \
         WHERE id > $1 \
         UNION SELECT 'orders', created_at / {DAY_MICROS} FROM orders WHERE id > $2 \
         UNION SELECT 'orders', o.created_at / {DAY_MICROS} FROM order_status_history h \
             JOIN orders o ON o.id = h.order_id WHERE h.id > $3 \
         UNION SELECT 'orders', date_joined / {DAY_MICROS} FROM users WHERE id > $4"
    ))
    .bind(marks.events)
    .bind(marks.orders)
    .bind(marks.status_changes)
    .bind(marks.users)
    .fetch_all(conn)
    .await?;
    let mut changed = Changed::default();
    for (part, day) in rows {
        match part.as_str() {
            "events" => changed.events.insert(day),
            _ => changed.orders.insert(day),
        };
    }
    Ok(changed)
}

/// Per live day: sessions with a product view.
pub async fn live_viewing_sessions(
    conn: &mut AnyConnection,
    days: &[i64],
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let mut sql = SqlBuilder::new(&format!(
        "SELECT occurred_at / {DAY_MICROS} AS day, COUNT(DISTINCT session_key) AS sessions \
         FROM analytics_events WHERE kind = 'product_view' AND "
    ));
    push_live(&mut sql, "occurred_at", days);
    sql.push(&format!(" GROUP BY occurred_at / {DAY_MICROS}"));
    sql.query_as().fetch_all(conn).await
}

/// Per live day: counted orders and their revenue in cents.
pub async fn live_orders(
    conn: &mut AnyConnection,
    days: &[i64],
) -> Result<Vec<(i64, i64, i64)>, sqlx::Error> {
    let mut sql = SqlBuilder::new(&format!(
        "SELECT o.created_at / {DAY_MICROS} AS day, COUNT(*) AS orders, \
         CAST(SUM(o.total_cents) AS BIGINT) AS revenue_cents FROM orders o WHERE {COUNTED} AND "
    ));
    push_live(&mut sql, "o.created_at", days);
    sql.push(&format!(" GROUP BY o.created_at / {DAY_MICROS}"));
    sql.query_as().fetch_all(conn).await
}

/// Per live day: users who joined.
pub async fn live_new_users(
    conn: &mut AnyConnection,
    days: &[i64],
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    let mut sql = SqlBuilder::new(&format!(
        "SELECT date_joined / {DAY_MICROS} AS day, COUNT(*) AS joined FROM users WHERE "
    ));
    push_live(&mut sql, "date_joined", days);
    sql.push(&format!(" GROUP BY date_joined / {DAY_MICROS}"));
    sql.query_as().fetch_all(conn).await
}

/// The signed-in users with an event or an order in `events` (its rolled users and its live
/// days' events) or on `orders_live` days. A day whose order half alone is live adds its live
/// orders' users to the rolled ones (whose order part can only have grown since); a whole month
/// with such a day likewise.
pub async fn active_user_ids(
    conn: &mut AnyConnection,
    events: &Sources,
    orders_live: &[i64],
) -> Result<Vec<i64>, sqlx::Error> {
    if events.is_empty() && orders_live.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = SqlBuilder::new("");
    push_rolled(&mut sql, "user_id", "users", events);
    sql.push(" UNION SELECT user_id FROM analytics_events WHERE user_id IS NOT NULL AND ");
    push_live(&mut sql, "occurred_at", &events.live);
    sql.push(" UNION SELECT user_id FROM orders WHERE ");
    push_live(&mut sql, "created_at", orders_live);
    sql.query_as::<(i64,)>()
        .fetch_all(conn)
        .await
        .map(|rows| rows.into_iter().map(|(id,)| id).collect())
}

/// A product's sales over some days: revenue in cents and units.
#[derive(Debug, sqlx::FromRow)]
pub struct SalesRow {
    pub product_id: i64,
    pub revenue_cents: i64,
    pub units: i64,
}

/// Revenue and units per product from the counted orders of `sources`.
pub async fn sales_by_product(
    conn: &mut AnyConnection,
    sources: &Sources,
) -> Result<Vec<SalesRow>, sqlx::Error> {
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = SqlBuilder::new(
        "SELECT product_id, CAST(SUM(revenue_cents) AS BIGINT) AS revenue_cents, \
         CAST(SUM(units) AS BIGINT) AS units FROM (",
    );
    push_rolled(
        &mut sql,
        "product_id, revenue_cents, units",
        "sales",
        sources,
    );
    sql.push(&format!(
        " UNION ALL SELECT i.product_id, i.quantity * i.unit_price_cents, i.quantity \
         FROM order_items i JOIN orders o ON o.id = i.order_id WHERE {COUNTED} AND "
    ));
    push_live(&mut sql, "o.created_at", &sources.live);
    sql.push(") r GROUP BY product_id");
    sql.query_as().fetch_all(conn).await
}

/// Product views per product over `sources`.
pub async fn views_by_product(
    conn: &mut AnyConnection,
    sources: &Sources,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = SqlBuilder::new("SELECT product_id, CAST(SUM(views) AS BIGINT) FROM (");
    push_rolled(&mut sql, "product_id, views", "views", sources);
    sql.push(
        " UNION ALL SELECT product_id, 1 FROM analytics_events \
         WHERE kind = 'product_view' AND product_id IS NOT NULL AND ",
    );
    push_live(&mut sql, "occurred_at", &sources.live);
    sql.push(") r GROUP BY product_id");
    sql.query_as().fetch_all(conn).await
}

/// A normalised search query over some days: how often it was searched, and how often that
/// found nothing.
#[derive(Debug, sqlx::FromRow)]
pub struct SearchRow {
    pub query: String,
    pub searches: i64,
    pub zero_results: i64,
}

/// Searches per query over `sources` (queries with a text only).
pub async fn searches_by_query(
    conn: &mut AnyConnection,
    sources: &Sources,
) -> Result<Vec<SearchRow>, sqlx::Error> {
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = SqlBuilder::new(
        "SELECT query, CAST(SUM(searches) AS BIGINT) AS searches, \
         CAST(SUM(zero_results) AS BIGINT) AS zero_results FROM (",
    );
    push_rolled(
        &mut sql,
        "query, searches, zero_results",
        "searches",
        sources,
    );
    sql.push(
        " UNION ALL SELECT query, 1, CASE WHEN result_count = 0 THEN 1 ELSE 0 END \
         FROM analytics_events WHERE kind = 'search' AND query IS NOT NULL AND query <> '' AND ",
    );
    push_live(&mut sql, "occurred_at", &sources.live);
    sql.push(") q GROUP BY query");
    sql.query_as().fetch_all(conn).await
}

/// The current titles of those of `product_ids` that still exist.
pub async fn product_titles(
    conn: &mut AnyConnection,
    product_ids: &[i64],
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    if product_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = SqlBuilder::new("SELECT id, title FROM products WHERE id IN (");
    sql.push_list(product_ids.iter().copied()).push(")");
    sql.query_as().fetch_all(conn).await
}

/// Where the rows the dashboard reads stand: the newest ids of the raw rows (any new event,
/// order, status change or user moves one), how many users there are (a deleted user clears
/// their events' `user_id` without moving an id), and how many of them the roll-ups may name:
/// those at or below the users mark, as every rolled row was written while no higher id existed
/// (a deleted user's rows leave the user roll-ups without a roll-up run).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, sqlx::FromRow)]
pub struct Versions {
    pub events: i64,
    pub orders: i64,
    pub status_changes: i64,
    pub users: i64,
    pub user_count: i64,
    pub rolled_users: i64,
}

/// The [`Versions`] now, given the roll-ups' users mark.
pub async fn versions(conn: &mut AnyConnection, users_mark: i64) -> Result<Versions, sqlx::Error> {
    sqlx::query_as(
        "SELECT COALESCE((SELECT MAX(id) FROM analytics_events), 0) AS events, \
         COALESCE((SELECT MAX(id) FROM orders), 0) AS orders, \
         COALESCE((SELECT MAX(id) FROM order_status_history), 0) AS status_changes, \
         COALESCE((SELECT MAX(id) FROM users), 0) AS users, \
         (SELECT COUNT(*) FROM users) AS user_count, \
         (SELECT COUNT(*) FROM users WHERE id <= $1) AS rolled_users",
    )
    .bind(users_mark)
    .fetch_one(conn)
    .await
}
