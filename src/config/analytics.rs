//! Analytics settings (`ANALYTICS_*`, SPEC §3.7), read by `analytics`.

use std::time::Duration;

use anyhow::{bail, Context};

use super::values::{parse_bool, positive_number};

/// The longest retention accepted: ten years of raw events is already far past any roll-up's need.
pub const MAX_RETENTION_DAYS: u32 = 3650;

/// What this instance records and how long raw events are kept.
#[derive(Clone, Debug)]
pub struct AnalyticsSettings {
    /// `ANALYTICS_ENABLED` (default `true`): `false` records nothing and runs no capture task
    /// (the analytics endpoints still answer from what exists).
    pub enabled: bool,
    /// `ANALYTICS_RETENTION_DAYS` (default 90, 1–3650): raw events older than this are deleted by
    /// the scheduled retention job; daily roll-ups are kept for ever.
    pub retention_days: u32,
    /// `ANALYTICS_FLUSH_INTERVAL_MS` (default 1000): how often buffered events are written when
    /// fewer than a batch are waiting (SPEC: every second or 500 events, whichever comes first).
    pub flush_interval: Duration,
}

impl AnalyticsSettings {
    /// Reads the `ANALYTICS_*` variables through `var`.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        Ok(Self {
            enabled: parse_bool(var("ANALYTICS_ENABLED").as_deref(), true)
                .context("ANALYTICS_ENABLED")?,
            retention_days: retention_days(var("ANALYTICS_RETENTION_DAYS"))?,
            flush_interval: Duration::from_millis(positive_number(
                "ANALYTICS_FLUSH_INTERVAL_MS",
                var("ANALYTICS_FLUSH_INTERVAL_MS"),
                1000,
            )?),
        })
    }
}

/// `ANALYTICS_RETENTION_DAYS`: a whole number of days from 1 to [`MAX_RETENTION_DAYS`].
fn retention_days(value: Option<String>) -> anyhow::Result<u32> {
    let Some(value) = value else { return Ok(90) };
    match value.trim().parse::<u32>() {
        Ok(days) if (1..=MAX_RETENTION_DAYS).contains(&days) => Ok(days),
        _ => bail!(
            "ANALYTICS_RETENTION_DAYS must be a whole number of days from 1 to \
             {MAX_RETENTION_DAYS}, not {value:?}"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::values::lookup_in;

    fn read(pairs: &[(&str, &str)]) -> anyhow::Result<AnalyticsSettings> {
        AnalyticsSettings::from_lookup(lookup_in(pairs))
    }

    #[test]
    fn defaults_follow_the_spec() {
        let s = read(&[]).unwrap();
        assert!(s.enabled);
        assert_eq!(s.retention_days, 90);
        assert_eq!(s.flush_interval, Duration::from_secs(1));
    }

    #[test]
    fn analytics_can_be_turned_off_and_a_bad_switch_is_refused() {
        assert!(!read(&[("ANALYTICS_ENABLED", "false")]).unwrap().enabled);
        assert!(read(&[("ANALYTICS_ENABLED", "maybe")]).is_err());
    }

    #[test]
    fn retention_is_one_day_to_ten_years() {
        assert_eq!(
            read(&[("ANALYTICS_RETENTION_DAYS", "1")])
                .unwrap()
                .retention_days,
            1
        );
        assert_eq!(
            read(&[("ANALYTICS_RETENTION_DAYS", "3650")])
                .unwrap()
                .retention_days,
            3650
        );
        for bad in ["0", "3651", "-5", "ninety", "1.5", ""] {
            let error = read(&[("ANALYTICS_RETENTION_DAYS", bad)]).unwrap_err();
            assert!(
                error.to_string().contains("ANALYTICS_RETENTION_DAYS"),
                "{bad}: {error}"
            );
        }
    }

    #[test]
    fn the_flush_interval_is_a_positive_number_of_milliseconds() {
        let s = read(&[("ANALYTICS_FLUSH_INTERVAL_MS", "50")]).unwrap();
        assert_eq!(s.flush_interval, Duration::from_millis(50));
        assert!(read(&[("ANALYTICS_FLUSH_INTERVAL_MS", "0")]).is_err());
    }
}
