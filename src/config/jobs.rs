//! Background job settings (`JOBS_*`), read by `jobs` (which re-exports them).

use std::time::Duration;

use anyhow::Context;

use super::values::{parse_bool, positive_number};

/// How this instance runs the job queue (SPEC §3.11).
#[derive(Clone, Debug)]
pub struct JobSettings {
    /// `JOBS_ENABLED` (default `true`): `false` runs no workers here (a web-only instance).
    pub enabled: bool,
    /// `JOBS_POLL_INTERVAL_MS` (default 1000): how often an idle worker looks for due jobs.
    pub poll_interval: Duration,
    /// `JOBS_LEASE_SECONDS` (default 300): how long a claimed job is held before another instance
    /// may take it over.
    pub lease: Duration,
    /// `JOBS_RETRY_BASE_SECONDS` (default 60): the first retry's delay; each next one doubles.
    pub retry_base: Duration,
    /// `JOBS_RETRY_MAX_SECONDS` (default 21600, 6 h): the longest delay between two attempts.
    pub retry_max: Duration,
    /// `JOBS_MAX_ATTEMPTS` (default 10): attempts before a job is marked `failed`.
    pub max_attempts: u32,
    /// `JOBS_CONCURRENCY` (default 16): jobs one instance runs at once, and so the most one round
    /// of its worker claims. 16 kept a worker up with a burst of 1,000 orders a second on
    /// PostgreSQL, each round writing many of their emails' outcomes in one commit; 4 fell behind
    /// by 7,000 emails in 10 s (docs/PERFORMANCE.md, log 50). During a burst that is up to 16
    /// SMTP connections at once (lettre keeps 10 of them open between sends).
    pub concurrency: usize,
}

impl JobSettings {
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let number = |name: &str, default: u64| positive_number(name, var(name), default);
        Ok(Self {
            enabled: parse_bool(var("JOBS_ENABLED").as_deref(), true).context("JOBS_ENABLED")?,
            poll_interval: Duration::from_millis(number("JOBS_POLL_INTERVAL_MS", 1000)?),
            lease: Duration::from_secs(number("JOBS_LEASE_SECONDS", 300)?),
            retry_base: Duration::from_secs(number("JOBS_RETRY_BASE_SECONDS", 60)?),
            retry_max: Duration::from_secs(number("JOBS_RETRY_MAX_SECONDS", 6 * 3600)?),
            max_attempts: u32::try_from(number("JOBS_MAX_ATTEMPTS", 10)?)
                .context("JOBS_MAX_ATTEMPTS is too large")?,
            concurrency: usize::try_from(number("JOBS_CONCURRENCY", 16)?)
                .context("JOBS_CONCURRENCY is too large")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::values::lookup_in;

    fn read(pairs: &[(&str, &str)]) -> anyhow::Result<JobSettings> {
        JobSettings::from_lookup(lookup_in(pairs))
    }

    #[test]
    fn defaults_follow_the_spec() {
        let s = read(&[]).unwrap();
        assert!(s.enabled);
        assert_eq!(s.lease, Duration::from_secs(300));
        assert_eq!(s.retry_base, Duration::from_secs(60));
        assert_eq!(s.retry_max, Duration::from_secs(6 * 3600));
        assert_eq!(s.max_attempts, 10);
        assert_eq!(s.concurrency, 16);
    }

    #[test]
    fn jobs_can_be_turned_off_and_zero_is_refused() {
        assert!(!read(&[("JOBS_ENABLED", "false")]).unwrap().enabled);
        assert!(read(&[("JOBS_MAX_ATTEMPTS", "0")]).is_err());
        assert!(read(&[("JOBS_LEASE_SECONDS", "soon")]).is_err());
    }
}
