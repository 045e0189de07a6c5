//! The dashboard's figures for a period: which days are read from roll-ups and which computed
//! live (`plan`), the statements that read them (`store`), the per-key totals behind the top
//! lists (`totals`), and the arithmetic that turns the rows into the answer (below, with its
//! tests).

use std::collections::{BTreeMap, BTreeSet};

use sqlx::AnyConnection;

use super::{
    figures::{FiguresCache, LiveDays},
    period::{date_of, day_number, Period},
    plan::Plan,
    store::{self, RolledDayRow},
    totals,
    views::{DashboardView, DayView, ProductRevenueView, ProductViewsView, SearchCountView},
};
use crate::{db::Backend, error::ApiError, money::Money};

/// Reads and computes the dashboard of `period`, on one snapshot: the rolled days and the plan,
/// then the costly figures (kept in `cache` per state of the rows they read) and the top
/// products' current titles.
pub async fn dashboard(
    conn: &mut AnyConnection,
    backend: Backend,
    cache: &FiguresCache,
    period: Period,
) -> Result<DashboardView, ApiError> {
    let mut tx = store::begin_snapshot(conn, backend).await?;
    let rolled = store::rolled_days(&mut tx, period).await?;
    let marks = store::marks(&mut tx).await?;
    let changed = store::changed_days(&mut tx, &marks).await?;
    let pruned: BTreeMap<i64, bool> = rolled
        .iter()
        .filter_map(|row| Some((day_of_key(&row.day)?, row.pruned_at.is_some())))
        .collect();
    let plan = Plan::new(period, &pruned, &changed, marks.unrolled_from);
    let versions = store::versions(&mut tx, marks.users).await?;
    let figures = cache.get(&mut tx, marks, versions, &plan).await?;
    let days = series(period, &rolled, &plan, &figures.live_days);
    let by_revenue = totals::titled(&mut tx, &figures.sales).await?;
    let by_views = totals::titled(&mut tx, &figures.views).await?;
    // Read only: nothing to keep, but ending it here returns the connection clean.
    tx.commit().await?;
    let revenue: i64 = days.iter().map(|(_, day)| day.revenue_cents).sum();
    let orders: i64 = days.iter().map(|(_, day)| day.orders).sum();
    let viewing_sessions: i64 = days.iter().map(|(_, day)| day.viewing_sessions).sum();
    let search_counts = |searches: &[(String, i64)]| {
        searches
            .iter()
            .map(|(query, count)| SearchCountView {
                query: query.clone(),
                count: *count,
            })
            .collect()
    };
    Ok(DashboardView {
        from: period.from.format("%Y-%m-%d").to_string(),
        to: period.to.format("%Y-%m-%d").to_string(),
        revenue: Money::from_cents(revenue),
        orders,
        average_order_value: average(revenue, orders),
        new_users: days.iter().map(|(_, day)| day.new_users).sum(),
        active_users: figures.active_users,
        conversion_rate: conversion_rate(orders, viewing_sessions),
        top_products_by_revenue: by_revenue
            .into_iter()
            .map(|(product_id, title, sales)| ProductRevenueView {
                product_id,
                title,
                revenue: Money::from_cents(sales.revenue_cents),
                units: sales.units,
            })
            .collect(),
        top_products_by_views: by_views
            .into_iter()
            .map(|(product_id, title, views)| ProductViewsView {
                product_id,
                title,
                views,
            })
            .collect(),
        top_searches: search_counts(&figures.top_searches),
        zero_result_searches: search_counts(&figures.zero_result_searches),
        daily: days
            .iter()
            .map(|(day, figures)| DayView {
                date: date_of(*day).format("%Y-%m-%d").to_string(),
                revenue: Money::from_cents(figures.revenue_cents),
                orders: figures.orders,
                new_users: figures.new_users,
            })
            .collect(),
    })
}

/// A rolled day's key back to its number.
fn day_of_key(key: &str) -> Option<i64> {
    key.parse().ok().map(day_number)
}

/// One day's figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct DayFigures {
    revenue_cents: i64,
    orders: i64,
    new_users: i64,
    viewing_sessions: i64,
}

/// Every day of the period, ascending, zeros included: each half of a day from its roll-up
/// unless the plan has that half live.
fn series(
    period: Period,
    rolled: &[RolledDayRow],
    plan: &Plan,
    live: &LiveDays,
) -> Vec<(i64, DayFigures)> {
    let mut days: BTreeMap<i64, DayFigures> = (period.first()..=period.last())
        .map(|day| (day, DayFigures::default()))
        .collect();
    let events_live: BTreeSet<i64> = plan.events.live.iter().copied().collect();
    let orders_live: BTreeSet<i64> = plan.orders.live.iter().copied().collect();
    for row in rolled {
        let Some(day) = day_of_key(&row.day) else {
            continue;
        };
        let Some(figures) = days.get_mut(&day) else {
            continue;
        };
        if !events_live.contains(&day) {
            figures.viewing_sessions = row.viewing_sessions;
        }
        if !orders_live.contains(&day) {
            figures.revenue_cents = row.revenue_cents;
            figures.orders = row.orders;
            figures.new_users = row.new_users;
        }
    }
    for &(day, sessions) in &live.viewing_sessions {
        if let Some(figures) = days.get_mut(&day) {
            figures.viewing_sessions = sessions;
        }
    }
    for &(day, orders, revenue_cents) in &live.orders {
        if let Some(figures) = days.get_mut(&day) {
            figures.orders = orders;
            figures.revenue_cents = revenue_cents;
        }
    }
    for &(day, joined) in &live.new_users {
        if let Some(figures) = days.get_mut(&day) {
            figures.new_users = joined;
        }
    }
    days.into_iter().collect()
}

/// `total / count` to the nearest cent, halves away from zero; zero when `count` is.
pub fn average(total_cents: i64, count: i64) -> Money {
    if count == 0 {
        return Money::default();
    }
    let (total, count) = (i128::from(total_cents), i128::from(count));
    let rounded = (2 * total + count * total.signum()) / (2 * count);
    Money::from_cents(i64::try_from(rounded).unwrap_or(i64::MAX))
}

/// `orders / sessions` rounded to 4 decimal places; 0 without sessions.
fn conversion_rate(orders: i64, sessions: i64) -> f64 {
    if sessions == 0 {
        return 0.0;
    }
    #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
    let rate = orders as f64 / sessions as f64;
    (rate * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::plan::Sources;

    fn period(first: &str, last: &str) -> Period {
        Period {
            from: first.parse().unwrap(),
            to: last.parse().unwrap(),
        }
    }

    fn rolled(day: &str, revenue_cents: i64, orders: i64, sessions: i64) -> RolledDayRow {
        RolledDayRow {
            day: day.to_owned(),
            revenue_cents,
            orders,
            new_users: 1,
            viewing_sessions: sessions,
            pruned_at: None,
        }
    }

    #[test]
    fn averages_round_to_the_nearest_cent() {
        assert_eq!(average(1000, 3).to_string(), "3.33");
        assert_eq!(average(1001, 2).to_string(), "5.01");
        assert_eq!(average(2000, 3).to_string(), "6.67");
        assert_eq!(average(0, 0).to_string(), "0.00");
        assert_eq!(average(5, 0).to_string(), "0.00");
    }

    #[test]
    fn conversion_is_rounded_to_four_places_and_zero_without_sessions() {
        assert_eq!(conversion_rate(2, 3), 0.6667);
        assert_eq!(conversion_rate(1, 8), 0.125);
        assert_eq!(conversion_rate(3, 0), 0.0);
        assert_eq!(conversion_rate(5, 4), 1.25);
    }

    #[test]
    fn the_series_has_every_day_and_takes_each_half_from_where_the_plan_says() {
        let period = period("2025-03-01", "2025-03-04");
        let first = period.first();
        let rows = [
            rolled("2025-03-01", 500, 1, 4),
            rolled("2025-03-02", 700, 2, 5),
        ];
        // Day 2's order half is live (an order changed); days 3 and 4 are not rolled.
        let plan = Plan {
            events: Sources {
                live: vec![first + 2, first + 3],
                ..Sources::default()
            },
            orders: Sources {
                live: vec![first + 1, first + 2, first + 3],
                ..Sources::default()
            },
        };
        let live = LiveDays {
            viewing_sessions: vec![(first + 2, 9)],
            orders: vec![(first + 1, 1, 300), (first + 2, 2, 250)],
            new_users: vec![(first + 3, 2)],
        };
        let days = series(period, &rows, &plan, &live);
        let figures: Vec<(i64, i64, i64, i64)> = days
            .iter()
            .map(|(_, f)| (f.revenue_cents, f.orders, f.new_users, f.viewing_sessions))
            .collect();
        assert_eq!(
            figures,
            [(500, 1, 1, 4), (300, 1, 0, 5), (250, 2, 0, 9), (0, 0, 2, 0)]
        );
        assert_eq!(days.first().unwrap().0, first);
    }
}
