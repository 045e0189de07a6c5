//! Rate limiting (SPEC §3.8, §5): GCRA per client IP (per /64 for IPv6) for anonymous callers
//! and per user id when authenticated, plus stricter rules for login, registration and password
//! reset, and the login account budgets spent only by failed attempts.
//!
//! Two backends share one interface: in-process keyed limiters from `governor` (the default), and
//! Redis running a GCRA Lua script atomically (when `REDIS_URL` is set), so the limits hold across
//! instances. A Redis failure never becomes an error: the request is checked by the in-process
//! limiter instead and Redis is retried a few seconds later. See docs/rate-limits.md.

mod client;
mod local;
mod login;
mod rate;
mod redis;

use std::{collections::HashMap, net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, Method},
    middleware::Next,
    response::{IntoResponse, Response},
};
use secrecy::ExposeSecret;

pub use crate::config::rate_limit::{Rate, RateLimitSettings, Rule};
pub use client::ClientKey;
pub use login::LoginBudget;
pub use rate::Throttled;

use self::{local::LocalLimiter, redis::RedisLimiter};
use crate::{
    error::ApiError,
    http::origin::{client_ip_from, TrustedProxies},
    tokens::{TokenKeys, TokenType},
};

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

    /// Whether requests are limited at all (`RATE_LIMIT_ENABLED`).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Counts one request against `rule` for `key`.
    pub async fn check(&self, rule: Rule, key: &str) -> Result<(), Throttled> {
        self.check_with(rule, key, false).await
    }

    /// [`RateLimiter::check`], or with `dry_run` whether one more would be allowed now (nothing
    /// spent). Redis first when configured, the in-process limiter when it is unavailable.
    async fn check_with(&self, rule: Rule, key: &str, dry_run: bool) -> Result<(), Throttled> {
        if !self.enabled {
            return Ok(());
        }
        if let Some(redis) = &self.redis {
            if let Some(outcome) = redis.check(rule, key, dry_run).await {
                return outcome;
            }
        }
        self.local.check(rule, key, dry_run)
    }

    /// Like [`RateLimiter::check`], answering the SPEC `429` and logging the refusal.
    pub async fn enforce(&self, rule: Rule, key: &str) -> Result<(), ApiError> {
        self.enforce_with(rule, key, false).await
    }

    /// [`RateLimiter::enforce`], or with `dry_run` a refusal only when nothing is left (nothing
    /// spent either way).
    async fn enforce_with(&self, rule: Rule, key: &str, dry_run: bool) -> Result<(), ApiError> {
        self.check_with(rule, key, dry_run).await.map_err(|throttled| {
            crate::http::security_log::throttled(rule.name(), key, throttled.retry_after_secs());
            metrics::counter!(crate::telemetry::metrics::RATE_LIMIT_REJECTIONS_TOTAL, "rule" => rule.name())
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
        // The staff dashboard's sign-in shares the API's login rules (SPEC §3.9).
        "/api/v1/auth/jwt/create" | "/dashboard/login" => Some(Rule::LoginIp),
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
    let client = ClientKey::of(client_ip_from(
        &parts.headers,
        peer,
        &limiter.trusted_proxies,
    ));
    let ip = client.0.clone();
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
    let mut request = Request::from_parts(parts, body);
    // The login handler keys its per-IP account budget the same way.
    request.extensions_mut().insert(client);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            endpoint_rule(&Method::POST, "/dashboard/login/"),
            Some(Rule::LoginIp),
            "the staff dashboard's sign-in shares the API's"
        );
        assert_eq!(endpoint_rule(&Method::GET, "/dashboard/login/"), None);
        assert_eq!(endpoint_rule(&Method::GET, "/api/v1/auth/users/"), None);
        assert_eq!(endpoint_rule(&Method::POST, "/api/v1/auth/users/me/"), None);
    }
}
