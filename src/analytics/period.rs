//! The dashboard's period: `?from=&to=` as UTC dates (`YYYY-MM-DD`, both inclusive), and the day
//! and month arithmetic the roll-ups share. A day is also numbered (days since 1970-01-01, what
//! `micros / DAY_MICROS` gives in SQL), so the store can group by it on both engines; so is a
//! calendar month (months since January 1970), which the monthly roll-ups key as `YYYY-MM`.

use chrono::{Datelike, Days, NaiveDate, Utc};

use crate::{error::FieldErrors, validation::messages};

/// Microseconds in a UTC day.
pub const DAY_MICROS: i64 = 24 * 3600 * 1_000_000;

/// The longest period the dashboard answers: a leap year.
pub const MAX_DAYS: i64 = 366;

/// The days shown when the query names neither end: the last 30, today included.
pub const DEFAULT_DAYS: u64 = 30;

/// `from` after `to`.
pub const FROM_AFTER_TO: &str = "`from` must be on or before `to`.";

/// A period over [`MAX_DAYS`].
pub const TOO_LONG: &str = "The period can be at most 366 days.";

/// The first and last day of a dashboard period, both inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Parses the query's `from` and `to` on `today`: `to` defaults to today and `from` to the
    /// 30 days ending at `to`. A malformed date, `from` after `to` or a period over 366 days is
    /// a `400` naming every problem found.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        today: NaiveDate,
    ) -> Result<Period, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut date = |key: &str, raw: Option<&str>| {
            let parsed = raw.map(parse_date).transpose();
            parsed.unwrap_or_else(|()| {
                errors.add(key, messages::INVALID_DATE);
                None
            })
        };
        let (given_from, given_to) = (date("from", from), date("to", to));
        if !errors.is_empty() {
            return Err(errors);
        }
        let to = given_to.unwrap_or(today);
        let from = given_from.unwrap_or_else(|| {
            to.checked_sub_days(Days::new(DEFAULT_DAYS - 1))
                .unwrap_or(NaiveDate::MIN)
        });
        let period = Period { from, to };
        if from > to {
            errors.add("non_field_errors", FROM_AFTER_TO);
        } else if period.days() > MAX_DAYS {
            errors.add("non_field_errors", TOO_LONG);
        }
        if errors.is_empty() {
            Ok(period)
        } else {
            Err(errors)
        }
    }

    /// How many days the period has.
    pub fn days(self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The first day's number.
    pub fn first(self) -> i64 {
        day_number(self.from)
    }

    /// The last day's number.
    pub fn last(self) -> i64 {
        day_number(self.to)
    }
}

/// `YYYY-MM-DD` exactly (DRF's `DateField` format): no time, no other separators.
fn parse_date(raw: &str) -> Result<NaiveDate, ()> {
    let shaped = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return Err(());
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(drop)
}

/// Today's UTC date.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A date's day number (days since 1970-01-01).
pub fn day_number(date: NaiveDate) -> i64 {
    (date - NaiveDate::default()).num_days()
}

/// The date of a day number.
pub fn date_of(day: i64) -> NaiveDate {
    NaiveDate::default()
        .checked_add_signed(chrono::TimeDelta::days(day))
        .unwrap_or(NaiveDate::MAX)
}

/// A day as the roll-up tables key it (`2025-03-31`).
pub fn day_key(day: i64) -> String {
    date_of(day).format("%Y-%m-%d").to_string()
}

/// The number of the month day `day` falls in (months since January 1970).
pub fn month_of(day: i64) -> i64 {
    let date = date_of(day);
    (i64::from(date.year()) - 1970) * 12 + i64::from(date.month0())
}

/// The first day (by number) of month number `month`.
pub fn month_first_day(month: i64) -> i64 {
    let year = i32::try_from(1970 + month.div_euclid(12)).unwrap_or(i32::MAX);
    // `rem_euclid(12)` is 0..12: the month always exists.
    let month0 = u32::try_from(month.rem_euclid(12)).unwrap_or(0);
    NaiveDate::from_ymd_opt(year, month0 + 1, 1).map_or(i64::MAX, day_number)
}

/// A month as the monthly roll-up tables key it (`2025-03`).
pub fn month_key(month: i64) -> String {
    date_of(month_first_day(month)).format("%Y-%m").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn parse(from: Option<&str>, to: Option<&str>) -> Result<Period, serde_json::Value> {
        Period::parse(from, to, date("2025-03-31"))
            .map_err(|errors| serde_json::to_value(errors).unwrap())
    }

    #[test]
    fn no_dates_mean_the_thirty_days_ending_today() {
        let period = parse(None, None).unwrap();
        assert_eq!(
            (period.from, period.to),
            (date("2025-03-02"), date("2025-03-31"))
        );
        assert_eq!(period.days(), 30);
    }

    #[test]
    fn one_missing_end_takes_its_default() {
        let to_only = parse(None, Some("2025-01-31")).unwrap();
        assert_eq!(
            (to_only.from, to_only.to),
            (date("2025-01-02"), date("2025-01-31"))
        );
        let from_only = parse(Some("2025-03-01"), None).unwrap();
        assert_eq!(
            (from_only.from, from_only.to),
            (date("2025-03-01"), date("2025-03-31"))
        );
        let one_day = parse(Some("2025-02-28"), Some("2025-02-28")).unwrap();
        assert_eq!(one_day.days(), 1);
    }

    #[test]
    fn malformed_dates_are_field_errors_naming_each_parameter() {
        let message = messages::INVALID_DATE;
        for bad in [
            "2025-3-1",
            "2025-02-30",
            "31/03/2025",
            "2025-03-31T00:00:00",
            "",
            "today",
        ] {
            assert_eq!(
                parse(Some(bad), None).unwrap_err(),
                serde_json::json!({"from": [message]}),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse(Some("x"), Some("y")).unwrap_err(),
            serde_json::json!({"from": [message], "to": [message]})
        );
    }

    #[test]
    fn from_after_to_and_periods_over_a_leap_year_are_refused() {
        assert_eq!(
            parse(Some("2025-03-02"), Some("2025-03-01")).unwrap_err(),
            serde_json::json!({"non_field_errors": [FROM_AFTER_TO]})
        );
        let leap_year = parse(Some("2024-01-01"), Some("2024-12-31")).unwrap();
        assert_eq!(leap_year.days(), 366);
        assert_eq!(
            parse(Some("2024-01-01"), Some("2025-01-01")).unwrap_err(),
            serde_json::json!({"non_field_errors": [TOO_LONG]})
        );
    }

    #[test]
    fn day_numbers_count_from_the_epoch_and_key_back_to_dates() {
        assert_eq!(day_number(date("1970-01-01")), 0);
        assert_eq!(day_number(date("2025-03-31")), 20178);
        assert_eq!(date_of(20178), date("2025-03-31"));
        assert_eq!(day_key(20178), "2025-03-31");
        // 2025-03-31T23:59:59.999999Z is the last microsecond of day 20178.
        let last = date("2025-04-01")
            .and_hms_opt(0, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_micros()
            - 1;
        assert_eq!(last / DAY_MICROS, 20178);
        assert_eq!((last + 1) / DAY_MICROS, 20179);
    }

    #[test]
    fn months_number_from_the_epoch_and_key_back_to_their_first_day() {
        assert_eq!(month_of(0), 0);
        let march = month_of(day_number(date("2025-03-31")));
        assert_eq!(march, 55 * 12 + 2);
        assert_eq!(month_first_day(march), day_number(date("2025-03-01")));
        assert_eq!(
            month_first_day(march + 1) - 1,
            day_number(date("2025-03-31"))
        );
        assert_eq!(month_key(march), "2025-03");
        // A leap February, and December into January.
        let february = month_of(day_number(date("2024-02-10")));
        assert_eq!(
            month_first_day(february + 1) - month_first_day(february),
            29
        );
        let december = month_of(day_number(date("2024-12-31")));
        assert_eq!(month_key(december + 1), "2025-01");
    }
}
