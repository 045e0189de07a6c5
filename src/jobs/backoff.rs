//! How long a failed job waits before its next attempt: the base delay doubled per attempt, capped,
//! with ±20 % jitter so jobs that failed together (an SMTP outage) don't all retry at one instant.

use std::time::Duration;

use rand::Rng;

use super::JobSettings;

/// The wait after the `attempts`-th failed attempt (1 = the first).
pub(super) fn delay(settings: &JobSettings, attempts: i64) -> Duration {
    let jitter = rand::thread_rng().gen_range(0.8..=1.2);
    nominal(settings, attempts).mul_f64(jitter)
}

/// `base × 2^(attempts-1)`, at most `retry_max`.
fn nominal(settings: &JobSettings, attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(30);
    settings
        .retry_base
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(settings.retry_max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> JobSettings {
        JobSettings::from_lookup(|_| None).unwrap()
    }

    #[test]
    fn delays_double_from_one_minute_up_to_six_hours() {
        let s = settings();
        let minutes: Vec<u64> = (1..=10).map(|n| nominal(&s, n).as_secs() / 60).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 64, 128, 256, 360]);
        assert_eq!(nominal(&s, 1000), Duration::from_secs(6 * 3600));
    }

    #[test]
    fn jitter_stays_within_a_fifth_of_the_nominal_delay() {
        let s = settings();
        for attempts in 1..=10 {
            let nominal = nominal(&s, attempts).as_secs_f64();
            let actual = delay(&s, attempts).as_secs_f64();
            assert!((nominal * 0.8..=nominal * 1.2).contains(&actual));
        }
    }
}
