//! Rates as written in settings (`100/hour`, `5/5minutes`) and the refusal they produce.

use std::time::Duration;

use anyhow::{bail, Context};

/// `limit` requests per `period`, as written in settings (`100/hour`, `5/5minutes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub limit: u32,
    pub period: Duration,
}

impl Rate {
    /// `limit` per `period_secs` seconds.
    pub const fn new(limit: u32, period_secs: u64) -> Self {
        Self {
            limit,
            period: Duration::from_secs(period_secs),
        }
    }

    /// Parses `N/unit` or `N/Munit`; units: `s|sec|second`, `m|min|minute`, `h|hour`, `d|day`
    /// (plural `s` allowed).
    pub fn parse(value: &str) -> anyhow::Result<Self> {
        let (count, per) = value
            .trim()
            .split_once('/')
            .with_context(|| format!("{value:?} is not a rate like 100/hour"))?;
        let limit: u32 = count
            .trim()
            .parse()
            .with_context(|| format!("{value:?}: {count:?} is not a whole number"))?;
        if limit == 0 {
            bail!("{value:?}: the limit must be at least 1");
        }
        let per = per.trim().to_ascii_lowercase();
        let digits_end = per.find(|c: char| !c.is_ascii_digit()).unwrap_or(per.len());
        let multiplier: u64 = if digits_end == 0 {
            1
        } else {
            per[..digits_end].parse().context("period multiplier")?
        };
        let unit_secs = match &per[digits_end..] {
            "s" | "sec" | "second" | "seconds" => 1,
            "m" | "min" | "minute" | "minutes" => 60,
            "h" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            other => bail!("{value:?}: unknown unit {other:?} (use second, minute, hour or day)"),
        };
        if multiplier == 0 {
            bail!(
                "{value:?}: the period must be at least one {}",
                &per[digits_end..]
            );
        }
        Ok(Self {
            limit,
            period: Duration::from_secs(multiplier * unit_secs),
        })
    }

    /// The GCRA emission interval: one request is replenished every `period / limit`.
    pub(super) fn interval(&self) -> Duration {
        self.period / self.limit
    }
}

/// A refused request: when to come back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after: Duration,
}

impl Throttled {
    /// Whole seconds, at least 1 (the `Retry-After` value).
    pub fn retry_after_secs(&self) -> u64 {
        let secs = self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0);
        secs.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_counts_units_and_multipliers() {
        assert_eq!(Rate::parse("100/hour").unwrap(), Rate::new(100, 3600));
        assert_eq!(Rate::parse("5/5minutes").unwrap(), Rate::new(5, 300));
        assert_eq!(Rate::parse(" 60 / minute ").unwrap(), Rate::new(60, 60));
        assert_eq!(Rate::parse("3/30s").unwrap(), Rate::new(3, 30));
        assert_eq!(Rate::parse("10/day").unwrap(), Rate::new(10, 86_400));
        assert_eq!(Rate::parse("2/2h").unwrap(), Rate::new(2, 7200));
        for bad in [
            "",
            "100",
            "0/hour",
            "x/hour",
            "5/fortnight",
            "5/0minutes",
            "-1/hour",
        ] {
            assert!(Rate::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn retry_after_is_whole_seconds_and_at_least_one() {
        let t = |ms| Throttled {
            retry_after: Duration::from_millis(ms),
        };
        assert_eq!(t(1).retry_after_secs(), 1);
        assert_eq!(t(0).retry_after_secs(), 1);
        assert_eq!(t(1000).retry_after_secs(), 1);
        assert_eq!(t(1001).retry_after_secs(), 2);
    }
}
