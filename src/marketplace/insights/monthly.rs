//! A provider's last twelve months, bucketed here rather than in SQL: the two engines name a
//! timestamp's month differently, and a provider's rows over a year are few.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};

use super::views::ProviderMonth;
use crate::money::Money;

/// How many months the series covers, the current one included.
pub const MONTHS: u32 = 12;

/// What happened when (epoch micros), as the store reads it.
#[derive(Debug, Default)]
pub struct Activity {
    /// Each proposal sent: when, and whether it was accepted.
    pub proposals: Vec<(i64, bool)>,
    /// Each contract completed: when, and its price in cents.
    pub completions: Vec<(i64, i64)>,
}

/// The first moment (epoch micros) of the month `MONTHS - 1` months before `now`'s: where the
/// series starts, so the store reads nothing older.
pub fn series_start(now: DateTime<Utc>) -> i64 {
    first_of_month(now.date_naive())
        .checked_sub_months(Months::new(MONTHS - 1))
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map_or(0, |start| start.and_utc().timestamp_micros())
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The month (`YYYY-MM`) of an epoch-micros time.
fn month_of(micros: i64) -> Option<String> {
    DateTime::from_timestamp_micros(micros).map(|at| at.format("%Y-%m").to_string())
}

/// The month of `months` that `micros` falls in, if any.
fn bucket(months: &mut [ProviderMonth], micros: i64) -> Option<&mut ProviderMonth> {
    let month = month_of(micros)?;
    months.iter_mut().find(|m| m.month == month)
}

/// The twelve months ending with `now`'s, oldest first, with `activity` counted into them
/// (anything outside them is left out) and months without activity at zero.
pub fn series(activity: &Activity, now: DateTime<Utc>) -> Vec<ProviderMonth> {
    let start = first_of_month(now.date_naive());
    let mut months: Vec<ProviderMonth> = (0..MONTHS)
        .rev()
        .filter_map(|back| start.checked_sub_months(Months::new(back)))
        .map(|day| ProviderMonth {
            month: day.format("%Y-%m").to_string(),
            proposals_sent: 0,
            proposals_won: 0,
            contracts_completed: 0,
            revenue: Money::from_cents(0),
        })
        .collect();
    for &(at, won) in &activity.proposals {
        if let Some(month) = bucket(&mut months, at) {
            month.proposals_sent += 1;
            month.proposals_won += i64::from(won);
        }
    }
    for &(at, cents) in &activity.completions {
        if let Some(month) = bucket(&mut months, at) {
            month.contracts_completed += 1;
            month.revenue = Money::from_cents(month.revenue.cents() + cents);
        }
    }
    months
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(year: i32, month: u32, day: u32) -> i64 {
        Utc.with_ymd_and_hms(year, month, day, 12, 0, 0)
            .unwrap()
            .timestamp_micros()
    }

    #[test]
    fn twelve_months_oldest_first_with_the_empty_ones_at_zero() {
        let now = Utc.with_ymd_and_hms(2026, 3, 15, 8, 0, 0).unwrap();
        let activity = Activity {
            proposals: vec![
                (at(2026, 3, 1), true),
                (at(2026, 3, 2), false),
                (at(2025, 4, 30), false),
            ],
            completions: vec![(at(2026, 3, 10), 12_500), (at(2026, 3, 11), 500)],
        };
        let months = series(&activity, now);
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].month, "2025-04");
        assert_eq!(months[11].month, "2026-03");
        assert_eq!((months[0].proposals_sent, months[0].proposals_won), (1, 0));
        let march = &months[11];
        assert_eq!((march.proposals_sent, march.proposals_won), (2, 1));
        assert_eq!(march.contracts_completed, 2);
        assert_eq!(march.revenue, Money::from_cents(13_000));
        assert!(months[1..11]
            .iter()
            .all(|m| m.proposals_sent == 0 && m.contracts_completed == 0));
    }

    #[test]
    fn activity_before_the_series_is_left_out_and_the_start_is_its_first_moment() {
        let now = Utc.with_ymd_and_hms(2026, 1, 31, 23, 59, 59).unwrap();
        let start = series_start(now);
        assert_eq!(
            start,
            Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0)
                .unwrap()
                .timestamp_micros()
        );
        let activity = Activity {
            proposals: vec![(start - 1, true)],
            completions: vec![(start, 100)],
        };
        let months = series(&activity, now);
        assert_eq!(months[0].month, "2025-02");
        assert_eq!(months.iter().map(|m| m.proposals_sent).sum::<i64>(), 0);
        assert_eq!(months[0].contracts_completed, 1);
    }
}
