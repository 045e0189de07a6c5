//! The roll-up and retention statements. A day is rolled in one transaction: its rows are
//! deleted and inserted again from GROUP BYs over that day's raw rows, so a re-run changes
//! nothing and a late row is folded in by the next run; in the same transaction its month's rows
//! lose the day's old rows and gain its new ones, so a month always sums its days.

use sqlx::{Any, AnyConnection, Transaction};

use super::COUNTED;
use crate::{
    analytics::period::{day_key, month_key, month_of, DAY_MICROS},
    db::{now_micros, Backend, Param},
};

/// The roll-up marks (see migration 0012): ids of events, orders, users and order status changes,
/// up to which rows are folded into the roll-ups of their days, and the first day the last run
/// left unrolled because it was still filling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Marks {
    pub events: i64,
    pub orders: i64,
    pub users: i64,
    pub status_changes: i64,
    /// Day number; 0 before the first run.
    pub unrolled_from: i64,
}

/// The marks the last roll-up left: rows past them may be missing from rolled days.
pub async fn marks(conn: &mut AnyConnection) -> Result<Marks, sqlx::Error> {
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT name, value FROM analytics_marks")
        .fetch_all(conn)
        .await?;
    let mut marks = Marks::default();
    for (name, value) in rows {
        match name.as_str() {
            "events" => marks.events = value,
            "orders" => marks.orders = value,
            "users" => marks.users = value,
            "status_changes" => marks.status_changes = value,
            _ => marks.unrolled_from = value,
        }
    }
    Ok(marks)
}

/// What a roll-up starting now will have folded in: the newest ids, with `today` (a day number)
/// as the first day left unrolled. Rows of today and later are below these marks, but their
/// days are at or after `unrolled_from`, which the next run rolls whatever the marks say; so ids
/// need not follow the days of their rows (a back-dated seed, an event landing after midnight).
///
/// Read in `tx`, which waits for every transaction writing those tables to finish first (SQLite:
/// the one writer; PostgreSQL: a SHARE lock for the instant of the reading), so no id at or below
/// a reading can commit after it — ids are handed out before commit.
pub async fn readings(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    today: i64,
) -> Result<Marks, sqlx::Error> {
    if backend == Backend::Postgres {
        // A writer stuck for this long fails the job (which is retried) rather than stalling
        // every writer queued behind the lock.
        sqlx::query("SET LOCAL lock_timeout = '10s'")
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "LOCK TABLE analytics_events, orders, order_status_history, users IN SHARE MODE",
        )
        .execute(&mut **tx)
        .await?;
    }
    let (events, orders, users, status_changes): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT COALESCE((SELECT MAX(id) FROM analytics_events), 0), \
         COALESCE((SELECT MAX(id) FROM orders), 0), \
         COALESCE((SELECT MAX(id) FROM users), 0), \
         COALESCE((SELECT MAX(id) FROM order_status_history), 0)",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(Marks {
        events,
        orders,
        users,
        status_changes,
        unrolled_from: today,
    })
}

/// After a roll-up: the marks move to what it read.
pub async fn advance_marks(
    tx: &mut Transaction<'static, Any>,
    read: &Marks,
) -> Result<(), sqlx::Error> {
    for (name, reading) in [
        ("events", read.events),
        ("orders", read.orders),
        ("users", read.users),
        ("status_changes", read.status_changes),
        ("unrolled_from", read.unrolled_from),
    ] {
        sqlx::query("UPDATE analytics_marks SET value = $1 WHERE name = $2")
            .bind(reading)
            .bind(name)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The day's order and sign-up figures as subqueries: `$2`/`$3` are its first microsecond and
/// the next day's.
fn order_figures() -> [(&'static str, String); 3] {
    let orders = |what: &str| {
        format!(
            "(SELECT {what} FROM orders o \
             WHERE o.created_at >= $2 AND o.created_at < $3 AND {COUNTED})"
        )
    };
    [
        ("revenue_cents", orders("COALESCE(SUM(o.total_cents), 0)")),
        ("orders", orders("COUNT(*)")),
        (
            "new_users",
            "(SELECT COUNT(*) FROM users WHERE date_joined >= $2 AND date_joined < $3)".to_owned(),
        ),
    ]
}

/// Rolls day number `day` up in `tx`; returns whether it was pruned (then only the order and
/// sign-up figures were recomputed, from the orders and users that are never deleted).
pub async fn roll_day(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    day: i64,
) -> Result<bool, sqlx::Error> {
    let key = day_key(day);
    // The row lock keeps retention from pruning the day between this read and the inserts
    // (SQLite's write transaction holds the whole database already).
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    let pruned: Option<Option<i64>> = sqlx::query_scalar(&format!(
        "SELECT pruned_at FROM analytics_daily WHERE day = $1{lock}"
    ))
    .bind(&key)
    .fetch_optional(&mut **tx)
    .await?;
    let pruned = pruned.flatten().is_some();
    // A pruned day keeps its event figures: only its sales and users are rewritten.
    let mirrored: &[Monthly] = if pruned { &MONTHLY[1..3] } else { &MONTHLY };
    let month = month_key(month_of(day));
    add_to_month(tx, &key, &month, mirrored, Sign::TakeOut).await?;
    let statements = if pruned {
        let figures: Vec<String> = order_figures()
            .iter()
            .map(|(column, value)| format!("{column} = {value}"))
            .collect();
        vec![
            format!(
                "UPDATE analytics_daily SET {}, rolled_at = $4 WHERE day = $1",
                figures.join(", ")
            ),
            "DELETE FROM analytics_daily_sales WHERE day = $1".to_owned(),
            INSERT_SALES.replace("{COUNTED}", COUNTED),
            format!("{INSERT_ORDER_USERS} ON CONFLICT (day, user_id) DO NOTHING"),
        ]
    } else {
        let mut statements: Vec<String> = ROLLED_TABLES
            .iter()
            .map(|table| format!("DELETE FROM {table} WHERE day = $1"))
            .collect();
        statements.extend([
            insert_day(),
            INSERT_SALES.replace("{COUNTED}", COUNTED),
            INSERT_VIEWS.to_owned(),
            INSERT_SEARCHES.to_owned(),
            format!(
                "{INSERT_ORDER_USERS} UNION SELECT $1, user_id FROM analytics_events \
                 WHERE user_id IS NOT NULL AND occurred_at >= $2 AND occurred_at < $3"
            ),
        ]);
        statements
    };
    let values = [
        Param::Text(key.clone()),
        Param::Int(day * DAY_MICROS),
        Param::Int((day + 1) * DAY_MICROS),
        Param::Int(now_micros()),
    ];
    for statement in &statements {
        // PostgreSQL refuses values a statement doesn't name: bind `$1`…`$n` as used.
        let named = (1..=values.len())
            .rev()
            .find(|n| statement.contains(&format!("${n}")))
            .unwrap_or(0);
        let mut query = sqlx::query(statement);
        for value in &values[..named] {
            query = match value {
                Param::Text(text) => query.bind(text.clone()),
                Param::Int(number) => query.bind(*number),
                _ => unreachable!("roll-up values are texts and integers"),
            };
        }
        query.execute(&mut **tx).await?;
    }
    add_to_month(tx, &key, &month, mirrored, Sign::PutIn).await?;
    Ok(pruned)
}

/// A monthly roll-up table and how a day's rows add into it: `analytics_monthly_{table}` sums
/// `analytics_daily_{table}` per `key`, each `(monthly column, daily value)`; the first column
/// is positive on every row a day has, so a month row whose first column falls to 0 has no day
/// left.
#[derive(Debug)]
struct Monthly {
    table: &'static str,
    key: &'static str,
    sums: &'static [(&'static str, &'static str)],
}

/// Every monthly table. Views and searches come from events, sales from orders, users from
/// both (pruned days rewrite the middle two only).
const MONTHLY: [Monthly; 4] = [
    Monthly {
        table: "views",
        key: "product_id",
        sums: &[("views", "views")],
    },
    Monthly {
        table: "sales",
        key: "product_id",
        sums: &[("units", "units"), ("revenue_cents", "revenue_cents")],
    },
    Monthly {
        table: "users",
        key: "user_id",
        sums: &[("days", "1")],
    },
    Monthly {
        table: "searches",
        key: "query",
        sums: &[("searches", "searches"), ("zero_results", "zero_results")],
    },
];

/// Whether a day's rows go into their month or come out of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sign {
    TakeOut,
    PutIn,
}

/// Adds the rows day `key` has now in each of `tables` into month `month` (`PutIn`), or takes
/// them out (`TakeOut`, before the day is rewritten): an upsert of the day's values, signed, so
/// the work is the day's rows, not the month's. Month rows left at zero are deleted.
async fn add_to_month(
    tx: &mut Transaction<'static, Any>,
    key: &str,
    month: &str,
    tables: &[Monthly],
    sign: Sign,
) -> Result<(), sqlx::Error> {
    let minus = if sign == Sign::TakeOut { "-" } else { "" };
    for Monthly {
        table,
        key: by,
        sums,
    } in tables
    {
        let columns: Vec<&str> = sums.iter().map(|(column, _)| *column).collect();
        let values: Vec<String> = sums
            .iter()
            .map(|(_, value)| format!("{minus}{value}"))
            .collect();
        let updates: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} = analytics_monthly_{table}.{c} + excluded.{c}"))
            .collect();
        // `WHERE` before `ON CONFLICT` also keeps SQLite from reading the conflict clause as a
        // join constraint.
        let upsert = format!(
            "INSERT INTO analytics_monthly_{table} (month, {by}, {}) \
             SELECT $2, {by}, {} FROM analytics_daily_{table} WHERE day = $1 \
             ON CONFLICT (month, {by}) DO UPDATE SET {}",
            columns.join(", "),
            values.join(", "),
            updates.join(", ")
        );
        sqlx::query(&upsert)
            .bind(key)
            .bind(month)
            .execute(&mut **tx)
            .await?;
        if sign == Sign::PutIn {
            sqlx::query(&format!(
                "DELETE FROM analytics_monthly_{table} WHERE month = $1 AND {} = 0",
                columns[0]
            ))
            .bind(month)
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

/// Refreshes the planner's statistics of every roll-up table, daily and monthly (`ANALYZE`, one
/// table at a time: SQLite takes one name).
pub async fn refresh_rollup_statistics(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    let monthly = MONTHLY
        .iter()
        .map(|m| format!("analytics_monthly_{}", m.table));
    for table in ROLLED_TABLES.iter().map(|t| (*t).to_owned()).chain(monthly) {
        sqlx::query(&format!("ANALYZE {table}"))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Every roll-up table, all keyed by `day`.
const ROLLED_TABLES: [&str; 5] = [
    "analytics_daily",
    "analytics_daily_views",
    "analytics_daily_sales",
    "analytics_daily_searches",
    "analytics_daily_users",
];

/// The day's row of scalar figures.
fn insert_day() -> String {
    let events = |filter: &str, what: &str| {
        format!(
            "(SELECT {what} FROM analytics_events \
             WHERE occurred_at >= $2 AND occurred_at < $3{filter})"
        )
    };
    let [revenue, orders, new_users] = order_figures().map(|(_, value)| value);
    format!(
        "INSERT INTO analytics_daily (day, revenue_cents, orders, new_users, sessions, \
         viewing_sessions, product_views, searches, zero_result_searches, rolled_at) \
         SELECT $1, {revenue}, {orders}, {new_users}, {}, {}, {}, {}, {}, $4",
        events("", "COUNT(DISTINCT session_key)"),
        events(" AND kind = 'product_view'", "COUNT(DISTINCT session_key)"),
        events(" AND kind = 'product_view'", "COUNT(*)"),
        events(" AND kind = 'search'", "COUNT(*)"),
        events(" AND kind = 'search' AND result_count = 0", "COUNT(*)"),
    )
}

/// Units and revenue per product from the day's counted orders' lines.
const INSERT_SALES: &str =
    "INSERT INTO analytics_daily_sales (day, product_id, units, revenue_cents) \
     SELECT $1, i.product_id, SUM(i.quantity), SUM(i.quantity * i.unit_price_cents) \
     FROM order_items i JOIN orders o ON o.id = i.order_id \
     WHERE o.created_at >= $2 AND o.created_at < $3 AND {COUNTED} GROUP BY i.product_id";

/// Views per product.
const INSERT_VIEWS: &str = "INSERT INTO analytics_daily_views (day, product_id, views) \
     SELECT $1, product_id, COUNT(*) FROM analytics_events WHERE kind = 'product_view' \
     AND product_id IS NOT NULL AND occurred_at >= $2 AND occurred_at < $3 GROUP BY product_id";

/// Searches per normalised query, and how many of them found nothing.
const INSERT_SEARCHES: &str =
    "INSERT INTO analytics_daily_searches (day, query, searches, zero_results) \
     SELECT $1, query, COUNT(*), SUM(CASE WHEN result_count = 0 THEN 1 ELSE 0 END) \
     FROM analytics_events WHERE kind = 'search' AND query IS NOT NULL AND query <> '' \
     AND occurred_at >= $2 AND occurred_at < $3 GROUP BY query";

/// The users who placed an order that day (any status: placing one is activity).
const INSERT_ORDER_USERS: &str = "INSERT INTO analytics_daily_users (day, user_id) \
     SELECT $1, user_id FROM orders WHERE created_at >= $2 AND created_at < $3";

/// Numbers of the days with raw events before `before` (epoch micros): retention's candidates.
pub async fn event_days_before(
    conn: &mut AnyConnection,
    before: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT DISTINCT occurred_at / {DAY_MICROS} FROM analytics_events \
         WHERE occurred_at < $1 ORDER BY 1"
    ))
    .bind(before)
    .fetch_all(conn)
    .await
}

/// Deletes day `day`'s raw events folded into its roll-up (ids up to `events_mark`) and marks
/// the day pruned, in `tx`; `None` (nothing deleted) when the day is not rolled.
pub async fn prune_day(
    tx: &mut Transaction<'static, Any>,
    day: i64,
    events_mark: i64,
) -> Result<Option<u64>, sqlx::Error> {
    // Marking first takes the row lock a concurrent roll-up of the day waits on.
    let marked = sqlx::query(
        "UPDATE analytics_daily SET pruned_at = COALESCE(pruned_at, $1) WHERE day = $2",
    )
    .bind(now_micros())
    .bind(day_key(day))
    .execute(&mut **tx)
    .await?;
    if marked.rows_affected() == 0 {
        return Ok(None);
    }
    let deleted = sqlx::query(
        "DELETE FROM analytics_events WHERE occurred_at >= $1 AND occurred_at < $2 AND id <= $3",
    )
    .bind(day * DAY_MICROS)
    .bind((day + 1) * DAY_MICROS)
    .bind(events_mark)
    .execute(&mut **tx)
    .await?;
    Ok(Some(deleted.rows_affected()))
}
