//! Django's values as the source database hands them over as text: money (`numeric(10,2)` on
//! PostgreSQL, a `decimal` REAL on SQLite) and timestamps (`timestamptz` read in UTC on
//! PostgreSQL, `YYYY-MM-DD HH:MM:SS[.ffffff]` UTC text on SQLite).

use chrono::{DateTime, NaiveDateTime};

/// The largest amount Django's `DecimalField(max_digits=10, decimal_places=2)` holds, in cents.
const MAX_CENTS: i64 = 9_999_999_999;

/// Cents of a decimal amount (`"19.99"`, `"-5"`, `"10.5"`), rounded half away from zero past the
/// second place (a SQLite REAL can print as `19.990000000000002`); `None` when it is not a plain
/// decimal number or is beyond `numeric(10,2)`.
pub fn cents(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    if whole.len() > 12 {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let digit = |i: usize| i64::from(fraction.as_bytes().get(i).map_or(0, |b| b - b'0'));
    let mut cents = whole * 100 + digit(0) * 10 + digit(1);
    if digit(2) >= 5 {
        cents += 1;
    }
    if cents > MAX_CENTS {
        return None;
    }
    Some(if negative { -cents } else { cents })
}

/// Microseconds since the Unix epoch of a UTC timestamp: `2025-08-07 12:00:00.123456`,
/// optionally with `T`, an offset (`+00`, `+02:00`) or `Z`. `None` when unreadable.
pub fn micros(text: &str) -> Option<i64> {
    let text = text.trim().replacen('T', " ", 1);
    let text = match text.strip_suffix('Z') {
        Some(rest) => format!("{rest}+00"),
        None => text,
    };
    if let Ok(at) = DateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f%#z") {
        return Some(at.timestamp_micros());
    }
    NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f")
        .ok()
        .map(|at| at.and_utc().timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_become_exact_cents() {
        assert_eq!(cents("19.99"), Some(1999));
        assert_eq!(cents("1234.56"), Some(123_456));
        assert_eq!(cents("10.5"), Some(1050));
        assert_eq!(cents("10"), Some(1000));
        assert_eq!(cents("0.00"), Some(0));
        assert_eq!(cents("-5.00"), Some(-500));
        assert_eq!(cents(".5"), Some(50));
        assert_eq!(cents("99999999.99"), Some(9_999_999_999));
    }

    #[test]
    fn a_real_printed_with_noise_rounds_to_the_cent() {
        assert_eq!(cents("19.990000000000002"), Some(1999));
        assert_eq!(cents("19.989999999999998"), Some(1999));
        assert_eq!(cents("0.125"), Some(13));
    }

    #[test]
    fn anything_else_is_not_an_amount() {
        for text in [
            "",
            "-",
            ".",
            "abc",
            "1e3",
            "1.2.3",
            "12,50",
            "100000000.00",
            "NaN",
        ] {
            assert_eq!(cents(text), None, "{text:?}");
        }
    }

    #[test]
    fn timestamps_from_both_engines_read_as_utc() {
        let at = 1_754_568_000_000_000; // 2025-08-07 12:00:00 UTC
        assert_eq!(micros("2025-08-07 12:00:00"), Some(at));
        assert_eq!(micros("2025-08-07 12:00:00.123456"), Some(at + 123_456));
        assert_eq!(micros("2025-08-07 12:00:00.5+00"), Some(at + 500_000));
        assert_eq!(micros("2025-08-07T12:00:00Z"), Some(at));
        assert_eq!(micros("2025-08-07 14:00:00+02:00"), Some(at));
        assert_eq!(micros("yesterday"), None);
        assert_eq!(micros("2025-08-07"), None);
    }
}
