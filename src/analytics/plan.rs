//! Where each day of a period is read from: the monthly roll-ups, the daily roll-ups, or raw rows.
//!
//! SPEC §3.7 lets figures lag events by 10 s at most, so no figure waits for a roll-up: a day is
//! computed from raw rows while it is not rolled (today, always) and while rows past the roll-up
//! marks touch it (a late event, an order cancelled after its day was rolled). The two halves of
//! a day are decided apart: event figures (views, sessions, searches) and order figures (revenue,
//! orders, new users). A day whose raw events were deleted by retention keeps its rolled event
//! figures for ever, as its roll-up does (docs/analytics.md, "Figures").
//!
//! A year-long period would read a row per day and product, query or user from the daily
//! roll-ups; a calendar month wholly inside the period whose days are all read from roll-ups (none
//! live) is read from the monthly roll-ups instead, which the roll-up keeps equal to the sum of
//! the month's days. So a year reads about a dozen rows per product, and its edges (the partial
//! months at each end) and live days day by day.

use std::collections::{BTreeMap, BTreeSet};

use super::period::{month_first_day, month_of, Period};

/// Days (by number) with rows past the roll-up marks: the events' days, and the days of orders
/// (created, or changed since) and of sign-ups.
#[derive(Debug, Default)]
pub struct Changed {
    pub events: BTreeSet<i64>,
    pub orders: BTreeSet<i64>,
}

/// Where one half of a period's figures comes from. Every day of the period is in exactly one
/// place: in one of `months`, in `days` or in `live`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Sources {
    /// Whole months (by number) read from the monthly roll-ups.
    pub months: Vec<i64>,
    /// Days read from the daily roll-ups.
    pub days: Vec<i64>,
    /// Days computed from raw rows.
    pub live: Vec<i64>,
}

/// Where a period's figures come from, half by half. Event-live days are order-live too, so
/// active users (which mix both) stay exact.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Plan {
    /// Event figures: the monthly and daily views, searches and active users, or
    /// `analytics_events`.
    pub events: Sources,
    /// Order and sign-up figures: the monthly and daily sales, or `orders` and `users`.
    pub orders: Sources,
}

impl Plan {
    /// The plan for `period`, given its rolled days (day → whether retention pruned its raw
    /// events), the days with changes since the roll-ups read, and `unrolled_from`, the first
    /// day the last roll-up left unrolled (0 before the first). Every day before that one with a
    /// row at or below the marks was rolled by some run (the first run rolls every day with a
    /// row, each later one every day from where the last stopped), so a day before it that is not
    /// rolled and has no row past the marks has no row at all: its zeros are read from the
    /// roll-ups like any rolled day's, and a month with such a day can still be read whole.
    pub fn new(
        period: Period,
        rolled: &BTreeMap<i64, bool>,
        changed: &Changed,
        unrolled_from: i64,
    ) -> Plan {
        let (mut events_live, mut orders_live) = (BTreeSet::new(), BTreeSet::new());
        for day in period.first()..=period.last() {
            let (events, orders) = match rolled.get(&day) {
                None => {
                    let empty = day < unrolled_from
                        && !changed.events.contains(&day)
                        && !changed.orders.contains(&day);
                    (!empty, !empty)
                }
                Some(&pruned) => {
                    let events = !pruned && changed.events.contains(&day);
                    (events, events || changed.orders.contains(&day))
                }
            };
            if events {
                events_live.insert(day);
            }
            if orders {
                orders_live.insert(day);
            }
        }
        Plan {
            events: Sources::new(period, events_live),
            orders: Sources::new(period, orders_live),
        }
    }
}

impl Sources {
    /// The part read from the roll-ups: these months and days, no live day.
    pub fn rolled(&self) -> Sources {
        Sources {
            months: self.months.clone(),
            days: self.days.clone(),
            live: Vec::new(),
        }
    }

    /// The part computed from raw rows: the live days alone.
    pub fn live_only(&self) -> Sources {
        Sources {
            live: self.live.clone(),
            ..Sources::default()
        }
    }

    /// Nothing to read.
    pub fn is_empty(&self) -> bool {
        self.months.is_empty() && self.days.is_empty() && self.live.is_empty()
    }

    /// Every whole month of `period` without a `live` day goes to the monthly roll-ups; the
    /// other days that are not live to the daily ones.
    fn new(period: Period, live: BTreeSet<i64>) -> Sources {
        let mut sources = Sources::default();
        let (first, last) = (period.first(), period.last());
        for month in month_of(first)..=month_of(last) {
            let (start, end) = (month_first_day(month), month_first_day(month + 1) - 1);
            let whole = start >= first && end <= last;
            if whole && live.range(start..=end).next().is_none() {
                sources.months.push(month);
                continue;
            }
            sources
                .days
                .extend((start.max(first)..=end.min(last)).filter(|day| !live.contains(day)));
        }
        sources.live = live.into_iter().collect();
        sources
    }
}

/// Ascending numbers merged into inclusive runs of consecutive ones (`[1, 2, 3, 7]` → `[(1, 3),
/// (7, 7)]`), so a statement filters by a few ranges the indexes serve.
pub fn runs(numbers: &[i64]) -> Vec<(i64, i64)> {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for &number in numbers {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == number => *last = number,
            _ => runs.push((number, number)),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::{date_of, day_number};

    fn period(first: i64, last: i64) -> Period {
        Period {
            from: date_of(first),
            to: date_of(last),
        }
    }

    fn day(date: &str) -> i64 {
        day_number(date.parse().unwrap())
    }

    fn month(date: &str) -> i64 {
        month_of(day(date))
    }

    /// Every day of `first..=last` rolled (none pruned).
    fn all_rolled(first: i64, last: i64) -> BTreeMap<i64, bool> {
        (first..=last).map(|day| (day, false)).collect()
    }

    /// The days `sources` covers, each once, ascending.
    fn covered(sources: &Sources) -> Vec<i64> {
        let mut days: Vec<i64> = sources
            .months
            .iter()
            .flat_map(|&m| month_first_day(m)..month_first_day(m + 1))
            .chain(sources.days.iter().copied())
            .chain(sources.live.iter().copied())
            .collect();
        days.sort_unstable();
        days
    }

    #[test]
    fn unrolled_days_are_live_and_clean_rolled_days_are_read() {
        let rolled = BTreeMap::from([(10, false), (11, false), (12, false)]);
        let plan = Plan::new(period(10, 14), &rolled, &Changed::default(), 0);
        assert_eq!(plan.events.live, [13, 14]);
        assert_eq!(plan.orders.live, [13, 14]);
        assert_eq!(plan.events.days, [10, 11, 12]);
        assert_eq!(plan.orders.months, Vec::<i64>::new());
    }

    #[test]
    fn changes_make_their_half_of_a_rolled_day_live() {
        let rolled = BTreeMap::from([(10, false), (11, false), (12, false)]);
        let changed = Changed {
            events: BTreeSet::from([10, 99]),
            orders: BTreeSet::from([12]),
        };
        let plan = Plan::new(period(10, 12), &rolled, &changed, 0);
        assert_eq!(plan.events.live, [10]);
        assert_eq!(
            plan.orders.live,
            [10, 12],
            "an event-live day is order-live too"
        );
        assert_eq!(
            (plan.events.days, plan.orders.days),
            (vec![11, 12], vec![11])
        );
    }

    #[test]
    fn a_pruned_day_keeps_its_rolled_event_figures() {
        let rolled = BTreeMap::from([(10, true), (11, true)]);
        let changed = Changed {
            events: BTreeSet::from([10, 11]),
            orders: BTreeSet::from([11]),
        };
        let plan = Plan::new(period(10, 11), &rolled, &changed, 0);
        assert_eq!(plan.events.live, Vec::<i64>::new());
        assert_eq!(plan.orders.live, [11]);
    }

    #[test]
    fn a_year_reads_its_whole_months_monthly_and_its_edges_daily() {
        // 2024-12-06 to 2025-12-06, every day rolled but today (the last).
        let (first, today) = (day("2024-12-06"), day("2025-12-06"));
        let plan = Plan::new(
            period(first, today),
            &all_rolled(first, today - 1),
            &Changed::default(),
            today,
        );
        for sources in [&plan.events, &plan.orders] {
            let months: Vec<i64> = (month("2025-01-01")..=month("2025-11-01")).collect();
            assert_eq!(sources.months, months, "January to November 2025");
            let edges: Vec<i64> = (first..=day("2024-12-31"))
                .chain(day("2025-12-01")..today)
                .collect();
            assert_eq!(sources.days, edges);
            assert_eq!(sources.live, [today]);
            assert_eq!(covered(sources), (first..=today).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_live_day_sends_its_month_to_the_daily_roll_ups_for_its_half_only() {
        let (first, last) = (day("2025-01-01"), day("2025-03-31"));
        let late = day("2025-02-14");
        let cancelled = day("2025-03-03");
        let changed = Changed {
            events: BTreeSet::from([late]),
            orders: BTreeSet::from([cancelled]),
        };
        let plan = Plan::new(period(first, last), &all_rolled(first, last), &changed, 0);
        assert_eq!(
            plan.events.months,
            [month("2025-01-01"), month("2025-03-01")]
        );
        assert_eq!(plan.events.live, [late]);
        assert_eq!(plan.events.days.len(), 27, "February but the 14th");
        // The late event makes its day order-live too; the cancellation is an order change only.
        assert_eq!(plan.orders.months, [month("2025-01-01")]);
        assert_eq!(plan.orders.live, [late, cancelled]);
        assert_eq!(plan.orders.days.len(), 27 + 30);
        for sources in [&plan.events, &plan.orders] {
            assert_eq!(covered(sources), (first..=last).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_month_with_an_unrolled_day_is_read_day_by_day() {
        let (first, last) = (day("2025-01-01"), day("2025-02-28"));
        let mut rolled = all_rolled(first, last);
        rolled.remove(&day("2025-02-10"));
        let plan = Plan::new(period(first, last), &rolled, &Changed::default(), 0);
        assert_eq!(plan.orders.months, [month("2025-01-01")]);
        assert_eq!(plan.orders.live, [day("2025-02-10")]);
        assert_eq!(plan.orders.days.len(), 27);
    }

    #[test]
    fn an_unrolled_day_before_the_last_run_without_changes_is_empty_and_read_as_rolled() {
        let (first, last) = (day("2025-01-01"), day("2025-02-28"));
        let gap = day("2025-02-10");
        let mut rolled = all_rolled(first, last);
        rolled.remove(&gap);
        // The last run called 1 March today: it left no day before it with a row unrolled.
        let unrolled_from = day("2025-03-01");
        let plan = Plan::new(
            period(first, last),
            &rolled,
            &Changed::default(),
            unrolled_from,
        );
        for sources in [&plan.events, &plan.orders] {
            assert_eq!(sources.months, [month("2025-01-01"), month("2025-02-01")]);
            assert!(sources.days.is_empty() && sources.live.is_empty());
        }
        // A row past the marks on it (an order back-dated there) makes it live, both halves.
        let changed = Changed {
            orders: BTreeSet::from([gap]),
            ..Changed::default()
        };
        let plan = Plan::new(period(first, last), &rolled, &changed, unrolled_from);
        assert_eq!(
            (plan.events.live.clone(), plan.orders.live.clone()),
            (vec![gap], vec![gap])
        );
        // So is a day the last run left unrolled because it was still filling.
        let plan = Plan::new(period(first, last), &rolled, &Changed::default(), gap);
        assert_eq!(plan.events.live, [gap]);
    }

    #[test]
    fn a_month_cut_by_either_end_of_the_period_is_read_day_by_day() {
        let (first, last) = (day("2025-01-02"), day("2025-02-27"));
        let plan = Plan::new(
            period(first, last),
            &all_rolled(first, last),
            &Changed::default(),
            0,
        );
        assert_eq!(plan.events.months, Vec::<i64>::new());
        assert_eq!(plan.events.days, (first..=last).collect::<Vec<_>>());
        // A one-month period that is the whole month is that month.
        let (first, last) = (day("2024-02-01"), day("2024-02-29"));
        let plan = Plan::new(
            period(first, last),
            &all_rolled(first, last),
            &Changed::default(),
            0,
        );
        assert_eq!(plan.events.months, [month("2024-02-01")]);
        assert!(plan.events.days.is_empty() && plan.events.live.is_empty());
    }

    #[test]
    fn numbers_merge_into_runs() {
        assert_eq!(runs(&[1, 2, 3, 7, 9, 10]), [(1, 3), (7, 7), (9, 10)]);
        assert_eq!(runs(&[]), Vec::<(i64, i64)>::new());
        let first = day("2025-01-01");
        assert_eq!(runs(&[first]), [(first, first)]);
    }
}
