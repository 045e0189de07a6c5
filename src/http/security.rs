//! Response hardening and request gatekeeping (SPEC §3.8): security headers on every response,
//! `Host` checked against `ALLOWED_HOSTS`, HSTS when the client connection is TLS, the
//! `SECURE_SSL_REDIRECT` to HTTPS, and CORS for the configured origins only.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    extract::{ConnectInfo, OriginalUri, Request, State},
    http::{header, HeaderName, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::{
    error::ApiError,
    http::{origin::TrustedProxies, security_log},
};

/// What the gatekeeping middleware needs from the settings.
#[derive(Clone, Debug)]
pub struct SecurityPolicy {
    pub allowed_hosts: Vec<String>,
    pub trusted_proxies: TrustedProxies,
    /// `SECURE_SSL_REDIRECT`: answer plain-HTTP requests with `301` to their `https://` URL.
    pub ssl_redirect: bool,
}

/// The docs pages need inline styles (Swagger UI, ReDoc), `data:` images and a blob worker
/// (ReDoc's search); scripts come only from this origin.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; \
    worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; \
    form-action 'self'";

const STATIC_HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    (
        "permissions-policy",
        "geolocation=(), microphone=(), camera=()",
    ),
    ("cross-origin-opener-policy", "same-origin"),
    ("content-security-policy", CONTENT_SECURITY_POLICY),
];

const HSTS: &str = "max-age=31536000; includeSubDomains";

impl SecurityPolicy {
    /// Django's rules: `*` allows any host, `.example.com` allows it and its subdomains, anything
    /// else must match exactly (case-insensitively). The port is ignored.
    pub fn host_allowed(&self, host: &str) -> bool {
        let host = strip_port(host).to_ascii_lowercase();
        self.allowed_hosts.iter().any(|pattern| {
            let pattern = pattern.to_ascii_lowercase();
            if pattern == "*" {
                true
            } else if let Some(domain) = pattern.strip_prefix('.') {
                host == domain || host.ends_with(&format!(".{domain}"))
            } else {
                host == pattern
            }
        })
    }

    /// True when the client reached us over TLS: directly (never, today: TLS terminates at the
    /// proxy) or through a trusted proxy that says `X-Forwarded-Proto: https`.
    fn client_used_tls(&self, request: &Request) -> bool {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip());
        let trusted = peer.is_some_and(|ip| self.trusted_proxies.contains(ip));
        trusted
            && request
                .headers()
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| {
                    v.split(',')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .eq_ignore_ascii_case("https")
                })
    }
}

/// Health probes and `/metrics` stay reachable over plain HTTP: load balancers, orchestrators and
/// Prometheus reach each instance directly, not through the TLS-terminating proxy (which refuses
/// `/metrics` from outside).
fn redirect_exempt(path: &str) -> bool {
    path == "/health"
        || path.starts_with("/health/")
        || path.starts_with("/api/v1/health/")
        || path == "/metrics"
}

/// `301` to the same host and path (as the client sent it, before alias rewriting) over HTTPS.
fn https_redirect(host: &str, request: &Request) -> Response {
    let uri = request
        .extensions()
        .get::<OriginalUri>()
        .map_or(request.uri(), |OriginalUri(uri)| uri);
    let path_and_query = uri.path_and_query().map_or("/", |pq| pq.as_str());
    match HeaderValue::from_str(&format!("https://{host}{path_and_query}")) {
        Ok(location) => (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => ApiError::bad_request("invalid_host", "Invalid host header.").into_response(),
    }
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        // [::1]:8000 → [::1]
        return host
            .split_once(']')
            .map_or(host, |(addr, _)| &host[..addr.len() + 1]);
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(h, _)| h)
}

/// Middleware: rejects unknown hosts, then stamps the security headers on whatever answers.
pub async fn enforce(
    State(policy): State<Arc<SecurityPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let tls = policy.client_used_tls(&request);
    // The host is checked before redirecting, so the redirect can't point at a foreign host.
    let mut response = match host {
        Some(host) if policy.host_allowed(&host) => {
            if policy.ssl_redirect && !tls && !redirect_exempt(request.uri().path()) {
                https_redirect(&host, &request)
            } else {
                next.run(request).await
            }
        }
        _ => {
            security_log::invalid_host(host.as_deref());
            ApiError::bad_request("invalid_host", "Invalid host header.").into_response()
        }
    };
    let headers = response.headers_mut();
    for (name, value) in STATIC_HEADERS {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    if tls {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

/// CORS for `CORS_ALLOWED_ORIGINS` (exact origins, or `https://*.example.com` for subdomains),
/// with credentials; no origin is allowed when the list is empty.
pub fn cors(origins: &[String]) -> CorsLayer {
    let patterns: Vec<String> = origins
        .iter()
        .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin.to_str().is_ok_and(|origin| {
                patterns
                    .iter()
                    .any(|p| origin_matches(p, &origin.to_ascii_lowercase()))
            })
        }))
        .allow_credentials(true)
        .allow_methods([
            Method::DELETE,
            Method::GET,
            Method::OPTIONS,
            Method::PATCH,
            Method::POST,
            Method::PUT,
        ])
        .allow_headers([
            header::ACCEPT,
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([HeaderName::from_static("x-request-id"), header::RETRY_AFTER])
        .max_age(Duration::from_secs(86400))
}

fn origin_matches(pattern: &str, origin: &str) -> bool {
    match pattern.split_once("://*.") {
        Some((scheme, domain)) => origin
            .strip_prefix(&format!("{scheme}://"))
            .is_some_and(|host| strip_port(host).ends_with(&format!(".{domain}"))),
        None => pattern == origin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(hosts: &[&str]) -> SecurityPolicy {
        SecurityPolicy {
            allowed_hosts: hosts.iter().map(|h| h.to_string()).collect(),
            trusted_proxies: TrustedProxies(Vec::new()),
            ssl_redirect: false,
        }
    }

    #[test]
    fn hosts_match_like_django_ignoring_the_port() {
        let p = policy(&["shop.example", ".example.org"]);
        assert!(p.host_allowed("shop.example:8000"));
        assert!(p.host_allowed("SHOP.example"));
        assert!(p.host_allowed("example.org") && p.host_allowed("api.example.org"));
        assert!(!p.host_allowed("evil.example") && !p.host_allowed("badexample.org"));
        assert!(policy(&["*"]).host_allowed("anything:1"));
        assert!(policy(&["[::1]"]).host_allowed("[::1]:8000"));
    }

    #[test]
    fn only_health_probes_are_exempt_from_the_https_redirect() {
        for path in [
            "/health",
            "/health/",
            "/health/readiness/",
            "/api/v1/health/",
            "/metrics",
        ] {
            assert!(redirect_exempt(path), "{path}");
        }
        for path in ["/", "/healthz/", "/api/v1/products/", "/metrics/x"] {
            assert!(!redirect_exempt(path), "{path}");
        }
    }

    #[test]
    fn wildcard_origins_cover_subdomains_only() {
        assert!(origin_matches(
            "https://*.shop.example",
            "https://app.shop.example"
        ));
        assert!(!origin_matches(
            "https://*.shop.example",
            "http://app.shop.example"
        ));
        assert!(!origin_matches(
            "https://*.shop.example",
            "https://evilshop.example"
        ));
        assert!(origin_matches(
            "http://localhost:3000",
            "http://localhost:3000"
        ));
    }
}
