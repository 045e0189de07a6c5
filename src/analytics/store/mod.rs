//! Every SQL statement of analytics: the dashboard's reads (`dashboard.rs`), the roll-up and
//! retention writes (`rollup.rs`) and a customer's own figures (`me.rs`), with the fragments they
//! share below. Days are grouped by `micros / DAY_MICROS`, integer division on both engines.

mod dashboard;
mod me;
mod rollup;

pub use self::{
    dashboard::{
        active_user_ids, changed_days, live_new_users, live_orders, live_viewing_sessions,
        product_titles, rolled_days, sales_by_product, searches_by_query, versions,
        views_by_product, RolledDayRow, Versions,
    },
    me::{favourite_categories, own_orders},
    rollup::{
        advance_marks, event_days_before, marks, prune_day, readings, refresh_rollup_statistics,
        roll_day, Marks,
    },
};

use sqlx::{Any, AnyConnection, Connection, Transaction};

use super::{
    period::{day_key, month_key, DAY_MICROS},
    plan::{runs, Sources},
};
use crate::db::{Backend, Param, SqlBuilder};

/// An order that counts (SPEC §3.7, docs/analytics.md): neither cancelled nor failed, nor
/// refunded. `o` is the orders table's alias.
const COUNTED: &str = "o.status NOT IN ('cancelled', 'failed') AND o.payment_status <> 'refunded'";

/// A read-only transaction on one snapshot, so the dashboard's statements agree with each other:
/// the marks, the rolled days and the raw rows past the marks are read as of one instant, and a
/// roll-up committing between two statements can't count a day twice or not at all. PostgreSQL
/// needs REPEATABLE READ for that (READ COMMITTED takes a snapshot per statement); a SQLite
/// transaction reads one snapshot of the WAL from its first read on.
pub async fn begin_snapshot(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<Transaction<'_, Any>, sqlx::Error> {
    match backend {
        Backend::Postgres => {
            conn.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .await
        }
        Backend::Sqlite => conn.begin_with("BEGIN DEFERRED").await,
    }
}

/// `(column >= $a AND column < $b) OR …` over the runs of `days` (a day's first microsecond to
/// the next day's); a condition nothing meets when there are no days.
fn push_live(sql: &mut SqlBuilder, column: &str, days: &[i64]) {
    push_ranges(sql, column, days, "<", |first, last| {
        (
            Param::Int(first * DAY_MICROS),
            Param::Int((last + 1) * DAY_MICROS),
        )
    });
}

/// `(column >= $a AND column <= $b) OR …` over the runs of `numbers` (days or months), keyed as
/// the roll-up tables key them; a condition nothing meets when there are none.
fn push_keys(sql: &mut SqlBuilder, column: &str, numbers: &[i64], key: fn(i64) -> String) {
    push_ranges(sql, column, numbers, "<=", |first, last| {
        (Param::Text(key(first)), Param::Text(key(last)))
    });
}

/// One `(column >= $a AND column {upper} $b)` per run of `numbers`, joined by `OR`, its bounds
/// from `bounds(first, last)`: a few ranges an index serves, however many numbers.
fn push_ranges(
    sql: &mut SqlBuilder,
    column: &str,
    numbers: &[i64],
    upper: &str,
    bounds: impl Fn(i64, i64) -> (Param, Param),
) {
    let runs = runs(numbers);
    if runs.is_empty() {
        sql.push("1 = 0");
        return;
    }
    sql.push("(");
    for (i, (first, last)) in runs.into_iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        let (low, high) = bounds(first, last);
        sql.push(&format!("({column} >= "))
            .push_bind(low)
            .push(&format!(" AND {column} {upper} "))
            .push_bind(high)
            .push(")");
    }
    sql.push(")");
}

/// The rolled part of one figure: `columns` of the whole months from
/// `analytics_monthly_{table}`, then (`UNION ALL`) of the other rolled days from
/// `analytics_daily_{table}`. The caller adds the live days' raw rows.
fn push_rolled(sql: &mut SqlBuilder, columns: &str, table: &str, sources: &Sources) {
    sql.push(&format!(
        "SELECT {columns} FROM analytics_monthly_{table} WHERE "
    ));
    push_keys(sql, "month", &sources.months, month_key);
    sql.push(&format!(
        " UNION ALL SELECT {columns} FROM analytics_daily_{table} WHERE "
    ));
    push_keys(sql, "day", &sources.days, day_key);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::{day_number, month_of};

    #[test]
    fn live_days_become_time_ranges() {
        let mut sql = SqlBuilder::new("");
        push_live(&mut sql, "t", &[1, 2, 5]);
        assert_eq!(sql.sql(), "((t >= $1 AND t < $2) OR (t >= $3 AND t < $4))");
        let mut none = SqlBuilder::new("");
        push_live(&mut none, "t", &[]);
        assert_eq!(none.sql(), "1 = 0");
    }

    #[test]
    fn rolled_parts_read_months_then_days_by_key_ranges() {
        let day = |date: &str| day_number(date.parse().unwrap());
        let sources = Sources {
            months: vec![month_of(day("2025-01-01")), month_of(day("2025-02-01"))],
            days: vec![day("2024-12-30"), day("2024-12-31"), day("2025-03-02")],
            live: vec![day("2025-03-03")],
        };
        let mut sql = SqlBuilder::new("");
        push_rolled(&mut sql, "product_id, views", "views", &sources);
        assert_eq!(
            sql.sql(),
            "SELECT product_id, views FROM analytics_monthly_views WHERE ((month >= $1 AND \
             month <= $2)) UNION ALL SELECT product_id, views FROM analytics_daily_views WHERE \
             ((day >= $3 AND day <= $4) OR (day >= $5 AND day <= $6))"
        );
        let mut none = SqlBuilder::new("");
        push_rolled(&mut none, "query", "searches", &Sources::default());
        assert_eq!(
            none.sql(),
            "SELECT query FROM analytics_monthly_searches WHERE 1 = 0 UNION ALL SELECT query \
             FROM analytics_daily_searches WHERE 1 = 0"
        );
    }
}
