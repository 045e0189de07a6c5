//! The dashboard's statements: a handful whatever the period. Each figure reads, in one
//! statement, the monthly roll-ups of the period's whole months, the daily roll-ups of its other
//! rolled days and the raw rows of its live days, as the `Plan` says.

use sqlx::AnyConnection;

use super::{push_live, push_rolled, rollup::Marks, COUNTED};
use crate::{
    analytics::{
        period::{day_key, Period, DAY_MICROS},
        plan::{Changed, Plan},
    },
    db::{Backend, SqlBuilder},
};

/// How many entries each top list has.
const TOP: i64 = 10;

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

/// Distinct signed-in users with an event or an order in the period. On a day whose order half
/// alone is live, the rolled users (whose order part can only have grown since) are joined by
/// the live orders' users; a whole month with such a day likewise.
pub async fn active_users(conn: &mut AnyConnection, plan: &Plan) -> Result<i64, sqlx::Error> {
    let mut sql = SqlBuilder::new("SELECT COUNT(DISTINCT user_id) FROM (");
    push_rolled(&mut sql, "user_id", "users", &plan.events);
    sql.push(" UNION SELECT user_id FROM analytics_events WHERE user_id IS NOT NULL AND ");
    push_live(&mut sql, "occurred_at", &plan.events.live);
    sql.push(" UNION SELECT user_id FROM orders WHERE ");
    push_live(&mut sql, "created_at", &plan.orders.live);
    sql.push(") active");
    sql.query_as::<(i64,)>().fetch_one(conn).await.map(|(n,)| n)
}

/// A product among the top sellers.
#[derive(Debug, sqlx::FromRow)]
pub struct TopRevenueRow {
    pub product_id: i64,
    pub title: String,
    pub revenue_cents: i64,
    pub units: i64,
}

/// The ten products with the most revenue from the period's counted orders (then most units,
/// then lowest id), with their current titles; products deleted since are left out.
pub async fn top_products_by_revenue(
    conn: &mut AnyConnection,
    plan: &Plan,
) -> Result<Vec<TopRevenueRow>, sqlx::Error> {
    // Summed per product first, then joined: a year has a few thousand products but hundreds of
    // thousands of rolled rows, and joining every row to its product cost more than the sum.
    let mut sql = SqlBuilder::new(
        "SELECT s.product_id, p.title, s.revenue_cents, s.units FROM (\
         SELECT product_id, CAST(SUM(revenue_cents) AS BIGINT) AS revenue_cents, \
         CAST(SUM(units) AS BIGINT) AS units FROM (",
    );
    push_rolled(
        &mut sql,
        "product_id, revenue_cents, units",
        "sales",
        &plan.orders,
    );
    sql.push(&format!(
        " UNION ALL SELECT i.product_id, i.quantity * i.unit_price_cents, i.quantity \
         FROM order_items i JOIN orders o ON o.id = i.order_id WHERE {COUNTED} AND "
    ));
    push_live(&mut sql, "o.created_at", &plan.orders.live);
    sql.push(
        ") r GROUP BY product_id) s JOIN products p ON p.id = s.product_id \
         ORDER BY s.revenue_cents DESC, s.units DESC, s.product_id LIMIT ",
    )
    .push_bind(TOP);
    sql.query_as().fetch_all(conn).await
}

/// A product among the most viewed.
#[derive(Debug, sqlx::FromRow)]
pub struct TopViewsRow {
    pub product_id: i64,
    pub title: String,
    pub views: i64,
}

/// The ten most viewed products of the period (then lowest id), with their current titles.
pub async fn top_products_by_views(
    conn: &mut AnyConnection,
    plan: &Plan,
) -> Result<Vec<TopViewsRow>, sqlx::Error> {
    // Summed per product first, then joined (as for revenue).
    let mut sql = SqlBuilder::new(
        "SELECT v.product_id, p.title, v.views FROM (\
         SELECT product_id, CAST(SUM(views) AS BIGINT) AS views FROM (",
    );
    push_rolled(&mut sql, "product_id, views", "views", &plan.events);
    sql.push(
        " UNION ALL SELECT product_id, 1 FROM analytics_events \
         WHERE kind = 'product_view' AND product_id IS NOT NULL AND ",
    );
    push_live(&mut sql, "occurred_at", &plan.events.live);
    sql.push(
        ") r GROUP BY product_id) v JOIN products p ON p.id = v.product_id \
         ORDER BY v.views DESC, v.product_id LIMIT ",
    )
    .push_bind(TOP);
    sql.query_as().fetch_all(conn).await
}

/// A search query and how often it was searched.
#[derive(Debug, sqlx::FromRow)]
pub struct SearchRow {
    pub query: String,
    pub count: i64,
}

/// The period's ten most frequent search queries (`zero_results_only`: of the searches that
/// found nothing), then alphabetical. Byte order on both engines: PostgreSQL's default collation
/// would otherwise order ties unlike SQLite.
pub async fn top_searches(
    conn: &mut AnyConnection,
    backend: Backend,
    plan: &Plan,
    zero_results_only: bool,
) -> Result<Vec<SearchRow>, sqlx::Error> {
    let (rolled_count, live_filter) = if zero_results_only {
        ("zero_results", " AND result_count = 0")
    } else {
        ("searches", "")
    };
    let mut sql = SqlBuilder::new("SELECT query, CAST(SUM(n) AS BIGINT) AS count FROM (");
    push_rolled(
        &mut sql,
        &format!("query, {rolled_count} AS n"),
        "searches",
        &plan.events,
    );
    sql.push(&format!(
        " UNION ALL SELECT query, 1 FROM analytics_events WHERE kind = 'search' \
         AND query IS NOT NULL AND query <> ''{live_filter} AND "
    ));
    push_live(&mut sql, "occurred_at", &plan.events.live);
    let collate = match backend {
        Backend::Postgres => " COLLATE \"C\"",
        Backend::Sqlite => "",
    };
    sql.push(&format!(
        ") q GROUP BY query HAVING SUM(n) > 0 ORDER BY 2 DESC, query{collate} LIMIT "
    ))
    .push_bind(TOP);
    sql.query_as().fetch_all(conn).await
}
