//! Analytics settings (`ANALYTICS_ENABLED`, `ANALYTICS_RETENTION_DAYS`), read by `analytics`.

use anyhow::Context;

use super::values::{parse_bool, positive_number};

/// How analytics are recorded and kept (SPEC §3.7).
#[derive(Clone, Debug)]
pub struct AnalyticsSettings {
    /// `ANALYTICS_ENABLED` (default `true`): `false` records no events; the endpoints still answer
    /// from what exists.
    pub enabled: bool,
    /// `ANALYTICS_RETENTION_DAYS` (default 90): raw events older than this many days are deleted
    /// once their day is rolled up; the daily roll-ups are kept for ever.
    pub retention_days: u32,
}

impl AnalyticsSettings {
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let retention = positive_number(
            "ANALYTICS_RETENTION_DAYS",
            var("ANALYTICS_RETENTION_DAYS"),
            90,
        )?;
        Ok(Self {
            enabled: parse_bool(var("ANALYTICS_ENABLED").as_deref(), true)
                .context("ANALYTICS_ENABLED")?,
            retention_days: u32::try_from(retention)
                .context("ANALYTICS_RETENTION_DAYS is too large")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pairs: &[(&str, &str)]) -> anyhow::Result<AnalyticsSettings> {
        AnalyticsSettings::from_lookup(|key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn analytics_are_on_and_raw_events_kept_ninety_days_by_default() {
        let s = read(&[]).unwrap();
        assert!(s.enabled);
        assert_eq!(s.retention_days, 90);
    }

    #[test]
    fn retention_must_be_a_positive_number_of_days() {
        assert!(!read(&[("ANALYTICS_ENABLED", "false")]).unwrap().enabled);
        assert_eq!(
            read(&[("ANALYTICS_RETENTION_DAYS", "7")])
                .unwrap()
                .retention_days,
            7
        );
        assert!(read(&[("ANALYTICS_RETENTION_DAYS", "0")]).is_err());
        assert!(read(&[("ANALYTICS_RETENTION_DAYS", "a week")]).is_err());
        assert!(read(&[("ANALYTICS_RETENTION_DAYS", "99999999999")]).is_err());
    }
}
