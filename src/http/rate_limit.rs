//! Rate limiting (SPEC §3.8): GCRA per client IP for anonymous callers and per user id when
//! authenticated, plus stricter rules for login, registration and password reset.
//!
//! Two backends share one interface: in-process keyed limiters from `governor` (the default), and
//! Redis running a GCRA Lua script atomically (when `REDIS_URL` is set), so the limits hold across
//! instances. A Redis failure never becomes an error: the request is checked by the in-process
//! limiter instead and Redis is retried a few seconds later. See docs/rate-limits.md.

use std::{
    collections::HashMap,
    net::SocketAddr,
    num::NonZeroU32,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use anyhow::{bail, Context};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota};
use secrecy::{ExposeSecret, SecretString};

use crate::{
    accounts::tokens::{TokenKeys, TokenType},
    error::ApiError,
    http::origin::{client_ip_from, TrustedProxies},
};

/// `limit` requests per `period`, as written in settings (`100/hour`, `5/5minutes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub limit: u32,
    pub period: Duration,
}

impl Rate {
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
    fn interval(&self) -> Duration {
        self.period / self.limit
    }
}

/// The rules, one limiter each (SPEC §3.8 defaults).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Anonymous callers, per IP.
    Anon,
    /// Authenticated callers, per user id.
    User,
    /// Short-term burst, per IP or user.
    Burst,
    /// `POST auth/jwt/create/`, per IP.
    LoginIp,
    /// `POST auth/jwt/create/`, per account (the email, checked in the login handler).
    LoginAccount,
    /// `POST auth/users/`, per IP.
    Register,
    /// `POST auth/password/reset/`, per IP.
    PasswordReset,
}

impl Rule {
    pub const ALL: [Rule; 7] = [
        Rule::Anon,
        Rule::User,
        Rule::Burst,
        Rule::LoginIp,
        Rule::LoginAccount,
        Rule::Register,
        Rule::PasswordReset,
    ];

    /// The name used in Redis keys and logs.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Anon => "anon",
            Rule::User => "user",
            Rule::Burst => "burst",
            Rule::LoginIp => "login_ip",
            Rule::LoginAccount => "login_account",
            Rule::Register => "register",
            Rule::PasswordReset => "password_reset",
        }
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
    /// SPEC §3.8 defaults.
    pub fn defaults() -> HashMap<Rule, Rate> {
        HashMap::from([
            (Rule::Anon, Rate::new(100, 3600)),
            (Rule::User, Rate::new(1000, 3600)),
            (Rule::Burst, Rate::new(60, 60)),
            (Rule::LoginIp, Rate::new(5, 300)),
            (Rule::LoginAccount, Rate::new(5, 300)),
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
            Rule::LoginIp | Rule::LoginAccount => "RATE_LIMIT_LOGIN",
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

/// In-process GCRA: one keyed `governor` limiter per rule.
struct LocalLimiter {
    limiters: HashMap<Rule, DefaultKeyedRateLimiter<String>>,
}

impl LocalLimiter {
    fn new(rates: &HashMap<Rule, Rate>) -> Self {
        let limiters = rates
            .iter()
            .map(|(rule, rate)| {
                let burst = NonZeroU32::new(rate.limit).expect("rates are parsed non-zero");
                let quota = Quota::with_period(rate.interval())
                    .unwrap_or_else(|| Quota::per_second(burst))
                    .allow_burst(burst);
                (*rule, DefaultKeyedRateLimiter::keyed(quota))
            })
            .collect();
        Self { limiters }
    }

    fn check(&self, rule: Rule, key: &str) -> Result<(), Throttled> {
        let Some(limiter) = self.limiters.get(&rule) else {
            return Ok(());
        };
        limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| Throttled {
                retry_after: not_until.wait_time_from(limiter.clock().now()),
            })
    }

    /// Forgets keys whose state is back to "full": keeps memory bounded.
    fn retain_recent(&self) {
        for limiter in self.limiters.values() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// GCRA in one atomic script: the stored value is the theoretical arrival time (TAT) in
/// microseconds; the key expires when the bucket would be full again.
/// KEYS[1] = key, ARGV[1] = emission interval (µs), ARGV[2] = period (µs, = interval × limit).
/// Returns 0 when allowed, else the wait in microseconds.
const GCRA_SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - period
if allow_at > now then
  return math.ceil(allow_at - now)
end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1)
return 0
";

/// How long Redis is left alone after a failure before it is tried again.
const REDIS_RETRY_AFTER: Duration = Duration::from_secs(5);

struct RedisLimiter {
    connection: redis::aio::ConnectionManager,
    script: redis::Script,
    prefix: String,
    rates: HashMap<Rule, Rate>,
    /// Unix milliseconds before which Redis is skipped (after a failure).
    down_until_ms: AtomicU64,
    /// Whether the "Redis unavailable" warning was logged for the current outage.
    warned: AtomicBool,
}

impl RedisLimiter {
    fn new(url: &str, prefix: String, rates: HashMap<Rule, Rate>) -> anyhow::Result<Self> {
        // Lazy: the server starts (and limits in-process) even when Redis is down.
        let connection = crate::redis_client::lazy_connection(url, Duration::from_millis(500))?;
        Ok(Self {
            connection,
            script: redis::Script::new(GCRA_SCRIPT),
            prefix,
            rates,
            down_until_ms: AtomicU64::new(0),
            warned: AtomicBool::new(false),
        })
    }

    /// `None` when Redis is unavailable (the caller falls back to the in-process limiter).
    async fn check(&self, rule: Rule, key: &str) -> Option<Result<(), Throttled>> {
        let rate = self.rates.get(&rule)?;
        if unix_millis() < self.down_until_ms.load(Ordering::Relaxed) {
            return None;
        }
        let interval = rate.interval().as_micros() as u64;
        let period = interval * u64::from(rate.limit);
        let mut connection = self.connection.clone();
        let outcome: redis::RedisResult<i64> = self
            .script
            .key(format!("{}{}:{key}", self.prefix, rule.name()))
            .arg(interval.max(1))
            .arg(period.max(1))
            .invoke_async(&mut connection)
            .await;
        match outcome {
            Ok(wait) => {
                if self.warned.swap(false, Ordering::Relaxed) {
                    tracing::info!("Redis rate limiting is available again");
                }
                Some(if wait <= 0 {
                    Ok(())
                } else {
                    Err(Throttled {
                        retry_after: Duration::from_micros(wait as u64),
                    })
                })
            }
            Err(error) => {
                self.down_until_ms.store(
                    unix_millis() + REDIS_RETRY_AFTER.as_millis() as u64,
                    Ordering::Relaxed,
                );
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(%error,
                        "Redis rate limiting failed; limiting in-process until it answers again");
                }
                None
            }
        }
    }
}

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The limiter every request goes through; shared by the middleware and the login handler.
pub struct RateLimiter {
    enabled: bool,
    local: LocalLimiter,
    redis: Option<RedisLimiter>,
    trusted_proxies: TrustedProxies,
    tokens: Arc<TokenKeys>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("enabled", &self.enabled)
            .field("redis", &self.redis.is_some())
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    /// Builds the limiter; with `REDIS_URL` set, Redis is used (lazily connected).
    pub fn new(
        settings: &RateLimitSettings,
        trusted_proxies: TrustedProxies,
        tokens: Arc<TokenKeys>,
    ) -> anyhow::Result<Arc<Self>> {
        let redis = match (&settings.redis_url, settings.enabled) {
            (Some(url), true) => Some(RedisLimiter::new(
                url.expose_secret(),
                settings.redis_prefix.clone(),
                settings.rates.clone(),
            )?),
            _ => None,
        };
        let limiter = Arc::new(Self {
            enabled: settings.enabled,
            local: LocalLimiter::new(&settings.rates),
            redis,
            trusted_proxies,
            tokens,
        });
        if settings.enabled {
            // Drop idle keys once a minute so the in-process state stays small.
            let weak = Arc::downgrade(&limiter);
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let mut tick = tokio::time::interval(Duration::from_secs(60));
                    loop {
                        tick.tick().await;
                        match weak.upgrade() {
                            Some(limiter) => limiter.local.retain_recent(),
                            None => break,
                        }
                    }
                });
            }
        }
        Ok(limiter)
    }

    /// A limiter that lets everything through (`RATE_LIMIT_ENABLED=false`).
    pub fn disabled(tokens: Arc<TokenKeys>) -> Arc<Self> {
        Arc::new(Self {
            enabled: false,
            local: LocalLimiter::new(&HashMap::new()),
            redis: None,
            trusted_proxies: TrustedProxies(Vec::new()),
            tokens,
        })
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Counts one request against `rule` for `key`.
    pub async fn check(&self, rule: Rule, key: &str) -> Result<(), Throttled> {
        if !self.enabled {
            return Ok(());
        }
        if let Some(redis) = &self.redis {
            if let Some(outcome) = redis.check(rule, key).await {
                return outcome;
            }
        }
        self.local.check(rule, key)
    }

    /// Like [`RateLimiter::check`], answering the SPEC `429` and logging the refusal.
    pub async fn enforce(&self, rule: Rule, key: &str) -> Result<(), ApiError> {
        self.check(rule, key).await.map_err(|throttled| {
            crate::http::security_log::throttled(rule.name(), key, throttled.retry_after_secs());
            metrics::counter!(crate::ops::metrics::RATE_LIMIT_REJECTIONS_TOTAL, "rule" => rule.name())
                .increment(1);
            ApiError::throttled(throttled.retry_after_secs())
        })
    }
}

/// Paths never limited: health, metrics, documentation and media files.
pub(crate) fn is_exempt(path: &str) -> bool {
    path == "/health"
        || path.starts_with("/health/")
        || path == "/metrics"
        || path.starts_with("/metrics/")
        || path.starts_with("/media/")
        || path.starts_with("/api/v1/health/")
        || path.starts_with("/api/v1/docs")
        || path.starts_with("/api/v1/redoc")
        || path.starts_with("/api/v1/schema")
}

/// The stricter per-IP rule of an endpoint (paths are canonical: aliases were rewritten).
fn endpoint_rule(method: &Method, path: &str) -> Option<Rule> {
    if method != Method::POST {
        return None;
    }
    match path.trim_end_matches('/') {
        "/api/v1/auth/jwt/create" => Some(Rule::LoginIp),
        "/api/v1/auth/users" => Some(Rule::Register),
        "/api/v1/auth/password/reset" => Some(Rule::PasswordReset),
        _ => None,
    }
}

/// Middleware: applies the endpoint rule (per IP), then the user or anonymous rule and the
/// burst rule. The user comes from the bearer token alone (no database read); an invalid token
/// counts as anonymous (the handler answers `401` anyway).
pub async fn middleware(
    State(limiter): State<Arc<RateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    if !limiter.enabled || is_exempt(request.uri().path()) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let ip = client_ip_from(&parts.headers, peer, &limiter.trusted_proxies)
        .map(|ip| ip.to_string())
        .unwrap_or_else(|| "unknown".to_owned());
    let user_id = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .and_then(|(_, token)| limiter.tokens.decode(token.trim(), TokenType::Access).ok())
        .map(|claims| claims.user_id);
    let mut checks: Vec<(Rule, String)> = Vec::with_capacity(3);
    if let Some(rule) = endpoint_rule(&parts.method, parts.uri.path()) {
        checks.push((rule, ip.clone()));
    }
    match user_id {
        Some(id) => {
            checks.push((Rule::User, id.to_string()));
            checks.push((Rule::Burst, format!("user:{id}")));
        }
        None => {
            checks.push((Rule::Anon, ip.clone()));
            checks.push((Rule::Burst, format!("ip:{ip}")));
        }
    }
    for (rule, key) in &checks {
        if let Err(error) = limiter.enforce(*rule, key).await {
            return error.into_response();
        }
    }
    next.run(Request::from_parts(parts, body)).await
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
        assert_eq!(s.rates[&Rule::LoginAccount], Rate::new(5, 300));
        assert_eq!(s.rates[&Rule::Register], Rate::new(3, 3600));
        assert_eq!(s.rates[&Rule::PasswordReset], Rate::new(3, 3600));
        let s = RateLimitSettings::from_lookup(|k| match k {
            "RATE_LIMIT_ENABLED" => Some("false".into()),
            "RATE_LIMIT_LOGIN" => Some("2/minute".into()),
            _ => None,
        })
        .unwrap();
        assert!(!s.enabled);
        assert_eq!(s.rates[&Rule::LoginIp], Rate::new(2, 60));
        assert_eq!(s.rates[&Rule::LoginAccount], Rate::new(2, 60));
        assert!(RateLimitSettings::from_lookup(
            |k| (k == "RATE_LIMIT_ANON").then(|| "lots".to_owned())
        )
        .is_err());
    }

    #[test]
    fn the_local_limiter_allows_the_burst_then_says_when_to_retry() {
        let rates = HashMap::from([(Rule::LoginIp, Rate::new(3, 60))]);
        let local = LocalLimiter::new(&rates);
        for _ in 0..3 {
            assert!(local.check(Rule::LoginIp, "1.2.3.4").is_ok());
        }
        let refused = local.check(Rule::LoginIp, "1.2.3.4").unwrap_err();
        // One request comes back every 20 s.
        assert!(
            (19..=20).contains(&refused.retry_after_secs()),
            "{refused:?}"
        );
        assert!(
            local.check(Rule::LoginIp, "5.6.7.8").is_ok(),
            "keys are separate"
        );
        assert!(
            local.check(Rule::Anon, "1.2.3.4").is_ok(),
            "unconfigured rules pass"
        );
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

    #[test]
    fn exempt_paths_and_endpoint_rules() {
        for path in [
            "/health/",
            "/health/db/",
            "/metrics",
            "/api/v1/health/",
            "/api/v1/docs/",
            "/api/v1/schema/",
            "/api/v1/redoc/",
            "/media/products/a.png",
        ] {
            assert!(is_exempt(path), "{path}");
        }
        assert!(!is_exempt("/api/v1/products/"));
        assert_eq!(
            endpoint_rule(&Method::POST, "/api/v1/auth/jwt/create/"),
            Some(Rule::LoginIp)
        );
        assert_eq!(
            endpoint_rule(&Method::POST, "/api/v1/auth/users/"),
            Some(Rule::Register)
        );
        assert_eq!(
            endpoint_rule(&Method::POST, "/api/v1/auth/password/reset/"),
            Some(Rule::PasswordReset)
        );
        assert_eq!(endpoint_rule(&Method::GET, "/api/v1/auth/users/"), None);
        assert_eq!(endpoint_rule(&Method::POST, "/api/v1/auth/users/me/"), None);
    }
}
