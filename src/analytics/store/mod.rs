//! Every SQL statement of analytics: the dashboard's reads (`dashboard.rs`), the roll-up and
//! retention writes (`rollup.rs`) and a customer's own figures (`me.rs`), with the fragments they
//! share below. Days are grouped by `micros / DAY_MICROS`, integer division on both engines.

mod dashboard;
mod me;
mod rollup;

pub use self::{
    dashboard::{
        active_users, changed_days, live_new_users, live_orders, live_viewing_sessions,
        rolled_days, top_products_by_revenue, top_products_by_views, top_searches, RolledDayRow,
        SearchRow,
    },
    me::{favourite_categories, own_orders},
    rollup::{advance_marks, event_days_before, marks, prune_day, readings, roll_day},
};

use super::{
    period::{day_key, Period, DAY_MICROS},
    plan::runs,
};
use crate::db::SqlBuilder;

/// An order that counts (SPEC §3.7, docs/analytics.md): neither cancelled nor failed, nor
/// refunded. `o` is the orders table's alias.
const COUNTED: &str = "o.status NOT IN ('cancelled', 'failed') AND o.payment_status <> 'refunded'";

/// `(column >= $a AND column < $b) OR …` over the runs of `days` (a day's first microsecond to
/// the next day's); a condition nothing meets when there are no days.
fn push_live(sql: &mut SqlBuilder, column: &str, days: &[i64]) {
    let runs = runs(days);
    if runs.is_empty() {
        sql.push("1 = 0");
        return;
    }
    sql.push("(");
    for (i, (first, last)) in runs.into_iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push(&format!("({column} >= "))
            .push_bind(first * DAY_MICROS)
            .push(&format!(" AND {column} < "))
            .push_bind((last + 1) * DAY_MICROS)
            .push(")");
    }
    sql.push(")");
}

/// The period's rolled rows (`column` holds the day key) except the `live` days'.
fn push_rolled(sql: &mut SqlBuilder, column: &str, period: Period, live: &[i64]) {
    sql.push(&format!("{column} >= "))
        .push_bind(day_key(period.first()))
        .push(&format!(" AND {column} <= "))
        .push_bind(day_key(period.last()));
    if !live.is_empty() {
        sql.push(&format!(" AND {column} NOT IN ("))
            .push_list(live.iter().map(|&day| day_key(day)))
            .push(")");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_days_become_time_ranges_and_rolled_days_exclude_them() {
        let mut sql = SqlBuilder::new("");
        push_live(&mut sql, "t", &[1, 2, 5]);
        assert_eq!(sql.sql(), "((t >= $1 AND t < $2) OR (t >= $3 AND t < $4))");
        let mut none = SqlBuilder::new("");
        push_live(&mut none, "t", &[]);
        assert_eq!(none.sql(), "1 = 0");
        let period = Period {
            from: "1970-01-02".parse().unwrap(),
            to: "1970-01-06".parse().unwrap(),
        };
        let mut rolled = SqlBuilder::new("");
        push_rolled(&mut rolled, "day", period, &[5]);
        assert_eq!(rolled.sql(), "day >= $1 AND day <= $2 AND day NOT IN ($3)");
    }
}
