//! Which days of a period the dashboard reads from roll-ups and which it computes live.
//!
//! SPEC §3.7 lets figures lag events by 10 s at most, so no figure waits for a roll-up: a day is
//! computed from raw rows while it is not rolled (today, always) and while rows past the roll-up
//! marks touch it (a late event, an order cancelled after its day was rolled). The two halves of
//! a day are decided apart: event figures (views, sessions, searches) and order figures (revenue,
//! orders, new users). A day whose raw events were deleted by retention keeps its rolled event
//! figures for ever, as its roll-up does (docs/analytics.md, "Figures").

use std::collections::{BTreeMap, BTreeSet};

use super::period::Period;

/// Days (by number) with rows past the roll-up marks: the events' days, and the days of orders
/// (created, or changed since) and of sign-ups.
#[derive(Debug, Default)]
pub struct Changed {
    pub events: BTreeSet<i64>,
    pub orders: BTreeSet<i64>,
}

/// The days of a period computed live; every other day of the period is read from roll-ups.
/// Event-live days are order-live too, so active users (which mix both) stay exact.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Days whose event figures come from `analytics_events`.
    pub events_live: Vec<i64>,
    /// Days whose order and sign-up figures come from `orders` and `users`.
    pub orders_live: Vec<i64>,
}

impl Plan {
    /// The plan for `period`, given its rolled days (day → whether retention pruned its raw
    /// events) and the days with changes since the roll-ups read.
    pub fn new(period: Period, rolled: &BTreeMap<i64, bool>, changed: &Changed) -> Plan {
        let mut plan = Plan::default();
        for day in period.first()..=period.last() {
            let (events_live, orders_live) = match rolled.get(&day) {
                None => (true, true),
                Some(&pruned) => {
                    let events = !pruned && changed.events.contains(&day);
                    (events, events || changed.orders.contains(&day))
                }
            };
            if events_live {
                plan.events_live.push(day);
            }
            if orders_live {
                plan.orders_live.push(day);
            }
        }
        plan
    }
}

/// Ascending days merged into inclusive runs of consecutive days (`[1, 2, 3, 7]` → `[(1, 3),
/// (7, 7)]`), so a statement filters by a few time ranges the indexes serve.
pub fn runs(days: &[i64]) -> Vec<(i64, i64)> {
    let mut runs: Vec<(i64, i64)> = Vec::new();
    for &day in days {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == day => *last = day,
            _ => runs.push((day, day)),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::period::day_number;

    fn period(first: i64, last: i64) -> Period {
        let date = |n| super::super::period::date_of(n);
        Period {
            from: date(first),
            to: date(last),
        }
    }

    #[test]
    fn unrolled_days_are_live_and_clean_rolled_days_are_read() {
        let rolled = BTreeMap::from([(10, false), (11, false), (12, false)]);
        let plan = Plan::new(period(10, 14), &rolled, &Changed::default());
        assert_eq!(plan.events_live, [13, 14]);
        assert_eq!(plan.orders_live, [13, 14]);
    }

    #[test]
    fn changes_make_their_half_of_a_rolled_day_live() {
        let rolled = BTreeMap::from([(10, false), (11, false), (12, false)]);
        let changed = Changed {
            events: BTreeSet::from([10, 99]),
            orders: BTreeSet::from([12]),
        };
        let plan = Plan::new(period(10, 12), &rolled, &changed);
        assert_eq!(plan.events_live, [10]);
        assert_eq!(
            plan.orders_live,
            [10, 12],
            "an event-live day is order-live too"
        );
    }

    #[test]
    fn a_pruned_day_keeps_its_rolled_event_figures() {
        let rolled = BTreeMap::from([(10, true), (11, true)]);
        let changed = Changed {
            events: BTreeSet::from([10, 11]),
            orders: BTreeSet::from([11]),
        };
        let plan = Plan::new(period(10, 11), &rolled, &changed);
        assert_eq!(plan.events_live, Vec::<i64>::new());
        assert_eq!(plan.orders_live, [11]);
    }

    #[test]
    fn days_merge_into_runs() {
        assert_eq!(runs(&[1, 2, 3, 7, 9, 10]), [(1, 3), (7, 7), (9, 10)]);
        assert_eq!(runs(&[]), Vec::<(i64, i64)>::new());
        let first = day_number("2025-01-01".parse().unwrap());
        assert_eq!(runs(&[first]), [(first, first)]);
    }
}
