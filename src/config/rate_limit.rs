//! Rate-limit settings (`RATE_LIMIT_*`, `REDIS_URL`): the rules, their rates as written in
//! settings (`100/hour`, `5/5minutes`) and the SPEC §3.8 and §5 defaults.
//!
//! These types live in `config` rather than in `http::rate_limit` so that `config` depends on no
//! feature: the limiter reads them (and re-exports them under its own path), not the other way.

use std::{collections::HashMap, time::Duration};

use anyhow::{bail, Context};
use secrecy::SecretString;

/// The rules, one limiter each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Anonymous callers, per client IP.
    Anon,
    /// Authenticated callers, per user id.
    User,
    /// Short-term burst, per client IP or user.
    Burst,
    /// Every `POST auth/jwt/create/`, per client IP.
    LoginIp,
    /// Failed logins per account from one client IP (checked and spent in the login handler).
    LoginIpAccount,
    /// Failed logins per account from all client IPs together (checked and spent in the handler).
    LoginAccount,
    /// `POST auth/users/`, per client IP.
    Register,
    /// `POST auth/password/reset/`, per client IP.
    PasswordReset,
}

impl Rule {
    /// Every rule (the metrics register one series per rule at start-up).
    pub const ALL: [Rule; 8] = [
        Rule::Anon,
        Rule::User,
        Rule::Burst,
        Rule::LoginIp,
        Rule::LoginIpAccount,
        Rule::LoginAccount,
        Rule::Register,
        Rule::PasswordReset,
    ];

    /// The name used in Redis keys, logs and the `rule` metric label.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Anon => "anon",
            Rule::User => "user",
            Rule::Burst => "burst",
            Rule::LoginIp => "login_ip",
            Rule::LoginIpAccount => "login_ip_account",
            Rule::LoginAccount => "login_account",
            Rule::Register => "register",
            Rule::PasswordReset => "password_reset",
        }
    }
}

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
    pub fn interval(&self) -> Duration {
        self.period / self.limit
    }
}

/// Rate-limit settings (`RATE_LIMIT_*`, `REDIS_URL`).
#[derive(Clone, Debug)]
pub struct RateLimitSettings {
    pub enabled: bool,
    pub redis_url: Option<SecretString>,
    /// Prepended to every Redis key (lets several deployments or test runs share one Redis).
    pub redis_prefix: String,
    pub rates: HashMap<Rule, Rate>,
}

impl RateLimitSettings {
    /// SPEC §3.8 and §5 defaults.
    pub fn defaults() -> HashMap<Rule, Rate> {
        HashMap::from([
            (Rule::Anon, Rate::new(100, 3600)),
            (Rule::User, Rate::new(1000, 3600)),
            (Rule::Burst, Rate::new(60, 60)),
            (Rule::LoginIp, Rate::new(5, 300)),
            (Rule::LoginIpAccount, Rate::new(5, 300)),
            (Rule::LoginAccount, Rate::new(50, 3600)),
            (Rule::Register, Rate::new(3, 3600)),
            (Rule::PasswordReset, Rate::new(3, 3600)),
        ])
    }

    /// The environment variable overriding a rule's rate.
    pub fn env_name(rule: Rule) -> &'static str {
        match rule {
            Rule::Anon => "RATE_LIMIT_ANON",
            Rule::User => "RATE_LIMIT_USER",
            Rule::Burst => "RATE_LIMIT_BURST",
            Rule::LoginIp => "RATE_LIMIT_LOGIN",
            Rule::LoginIpAccount => "RATE_LIMIT_LOGIN_IP_ACCOUNT",
            Rule::LoginAccount => "RATE_LIMIT_LOGIN_ACCOUNT",
            Rule::Register => "RATE_LIMIT_REGISTER",
            Rule::PasswordReset => "RATE_LIMIT_PASSWORD_RESET",
        }
    }

    /// Reads the settings from a key lookup that already drops blank values.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let enabled = match var("RATE_LIMIT_ENABLED")
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("1" | "true" | "yes" | "on") => true,
            Some("0" | "false" | "no" | "off") => false,
            Some(other) => bail!("RATE_LIMIT_ENABLED: expected true or false, got {other:?}"),
        };
        let mut rates = Self::defaults();
        for rule in Rule::ALL {
            let key = Self::env_name(rule);
            if let Some(value) = var(key) {
                rates.insert(rule, Rate::parse(&value).with_context(|| key.to_owned())?);
            }
        }
        Ok(Self {
            enabled,
            redis_url: var("REDIS_URL").map(SecretString::from),
            redis_prefix: var("RATE_LIMIT_REDIS_PREFIX").unwrap_or_else(|| "nexus:rl:".to_owned()),
            rates,
        })
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
    fn settings_default_to_the_spec_and_read_overrides() {
        let s = RateLimitSettings::from_lookup(|_| None).unwrap();
        assert!(s.enabled);
        assert!(s.redis_url.is_none());
        assert_eq!(s.rates[&Rule::Anon], Rate::new(100, 3600));
        assert_eq!(s.rates[&Rule::User], Rate::new(1000, 3600));
        assert_eq!(s.rates[&Rule::Burst], Rate::new(60, 60));
        assert_eq!(s.rates[&Rule::LoginIp], Rate::new(5, 300));
        assert_eq!(s.rates[&Rule::LoginIpAccount], Rate::new(5, 300));
        assert_eq!(s.rates[&Rule::LoginAccount], Rate::new(50, 3600));
        assert_eq!(s.rates[&Rule::Register], Rate::new(3, 3600));
        assert_eq!(s.rates[&Rule::PasswordReset], Rate::new(3, 3600));
        let s = RateLimitSettings::from_lookup(|k| match k {
            "RATE_LIMIT_ENABLED" => Some("false".into()),
            "RATE_LIMIT_LOGIN" => Some("2/minute".into()),
            "RATE_LIMIT_LOGIN_IP_ACCOUNT" => Some("3/minute".into()),
            "RATE_LIMIT_LOGIN_ACCOUNT" => Some("7/day".into()),
            _ => None,
        })
        .unwrap();
        assert!(!s.enabled);
        assert_eq!(s.rates[&Rule::LoginIp], Rate::new(2, 60));
        assert_eq!(s.rates[&Rule::LoginIpAccount], Rate::new(3, 60));
        assert_eq!(s.rates[&Rule::LoginAccount], Rate::new(7, 86_400));
        assert!(RateLimitSettings::from_lookup(
            |k| (k == "RATE_LIMIT_ANON").then(|| "lots".to_owned())
        )
        .is_err());
    }
}
