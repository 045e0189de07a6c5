//! The in-process backend: one keyed `governor` GCRA limiter per rule.
//!
//! Login account budgets must be *checked* before the password is verified and *spent* only when
//! it was wrong (SPEC §5), so besides governor's own check-and-spend a check can be a dry run. A
//! dry run goes through the same `governor` decision (the same GCRA arithmetic, on the stored
//! state) through a state store that writes the old state back instead of the new one.

use std::{collections::HashMap, num::NonZeroU32};

use governor::{
    clock::{Clock, DefaultClock},
    nanos::Nanos,
    state::{keyed::ShrinkableKeyedStateStore, StateStore},
    Quota,
};

use super::{Rate, Rule, Throttled};

/// A limiter key and whether the check only looks.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Probe {
    key: String,
    dry_run: bool,
}

/// `governor`'s keyed store (a `DashMap` of per-key GCRA states), keyed by [`Probe`]: a dry
/// run leaves the state as it found it.
#[derive(Debug, Default)]
struct PeekableStore(governor::state::keyed::DashMapStateStore<String>);

impl StateStore for PeekableStore {
    type Key = Probe;

    fn measure_and_replace<T, F, E>(&self, probe: &Probe, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        if !probe.dry_run {
            return self.0.measure_and_replace(&probe.key, f);
        }
        if !self.0.contains_key(&probe.key) {
            // A key never seen is a full bucket; don't create an entry just to look.
            return f(None).map(|(outcome, _)| outcome);
        }
        self.0.measure_and_replace(&probe.key, |state| {
            f(state).map(|(outcome, _)| (outcome, state.unwrap_or_else(|| Nanos::from(0))))
        })
    }
}

impl ShrinkableKeyedStateStore<Probe> for PeekableStore {
    fn retain_recent(&self, drop_below: Nanos) {
        ShrinkableKeyedStateStore::retain_recent(&self.0, drop_below);
    }

    fn shrink_to_fit(&self) {
        ShrinkableKeyedStateStore::shrink_to_fit(&self.0);
    }

    fn len(&self) -> usize {
        ShrinkableKeyedStateStore::len(&self.0)
    }

    fn is_empty(&self) -> bool {
        ShrinkableKeyedStateStore::is_empty(&self.0)
    }
}

type KeyedGcra = governor::RateLimiter<Probe, PeekableStore, DefaultClock>;

/// In-process GCRA: one keyed `governor` limiter per rule.
pub(super) struct LocalLimiter {
    limiters: HashMap<Rule, KeyedGcra>,
}

impl LocalLimiter {
    pub(super) fn new(rates: &HashMap<Rule, Rate>) -> Self {
        let limiters = rates
            .iter()
            .map(|(rule, rate)| {
                let burst = NonZeroU32::new(rate.limit).expect("rates are parsed non-zero");
                let quota = Quota::with_period(rate.interval())
                    .unwrap_or_else(|| Quota::per_second(burst))
                    .allow_burst(burst);
                let limiter =
                    KeyedGcra::new(quota, PeekableStore::default(), DefaultClock::default());
                (*rule, limiter)
            })
            .collect();
        Self { limiters }
    }

    /// Counts one request against `rule` for `key`, or with `dry_run` only says whether one more
    /// would be allowed now.
    pub(super) fn check(&self, rule: Rule, key: &str, dry_run: bool) -> Result<(), Throttled> {
        let Some(limiter) = self.limiters.get(&rule) else {
            return Ok(());
        };
        let probe = Probe {
            key: key.to_owned(),
            dry_run,
        };
        limiter.check_key(&probe).map_err(|not_until| Throttled {
            retry_after: not_until.wait_time_from(limiter.clock().now()),
        })
    }

    /// Forgets keys whose state is back to "full": keeps memory bounded.
    pub(super) fn retain_recent(&self) {
        for limiter in self.limiters.values() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_limiter_allows_the_burst_then_says_when_to_retry() {
        let rates = HashMap::from([(Rule::LoginIp, Rate::new(3, 60))]);
        let local = LocalLimiter::new(&rates);
        for _ in 0..3 {
            assert!(local.check(Rule::LoginIp, "1.2.3.4", false).is_ok());
        }
        let refused = local.check(Rule::LoginIp, "1.2.3.4", false).unwrap_err();
        // One request comes back every 20 s.
        assert!(
            (19..=20).contains(&refused.retry_after_secs()),
            "{refused:?}"
        );
        assert!(
            local.check(Rule::LoginIp, "5.6.7.8", false).is_ok(),
            "keys are separate"
        );
        assert!(
            local.check(Rule::Anon, "1.2.3.4", false).is_ok(),
            "unconfigured rules pass"
        );
    }

    #[test]
    fn a_dry_run_spends_nothing_and_sees_a_spent_budget() {
        let rates = HashMap::from([(Rule::LoginAccount, Rate::new(2, 60))]);
        let local = LocalLimiter::new(&rates);
        for _ in 0..10 {
            assert!(local.check(Rule::LoginAccount, "k", true).is_ok());
        }
        assert!(local.check(Rule::LoginAccount, "k", false).is_ok());
        for _ in 0..10 {
            assert!(local.check(Rule::LoginAccount, "k", true).is_ok());
        }
        assert!(local.check(Rule::LoginAccount, "k", false).is_ok());
        let refused = local.check(Rule::LoginAccount, "k", true).unwrap_err();
        assert!(
            (29..=30).contains(&refused.retry_after_secs()),
            "{refused:?}"
        );
        assert!(local.check(Rule::LoginAccount, "other", true).is_ok());
    }
}
