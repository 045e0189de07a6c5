//! Request ids: echo a sane inbound `X-Request-Id`, otherwise mint one; make it available to
//! logs (as a span field) and to error bodies and the security log (through
//! [`telemetry::request`](crate::telemetry::request)).

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, MatchedPath, Request},
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use tracing::Instrument;

use crate::{
    http::origin::{client_ip_from, TrustedProxies},
    telemetry::request::RequestContext,
};

/// The header carrying the id in both directions.
pub static X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// SPEC §5: 1–128 characters from `[A-Za-z0-9._-]`; anything else is replaced.
fn is_sane(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// The route template that served a request (`/api/v1/products/{key}/`), attached to the
/// response for logs, metrics and the route-coverage test; absent when no route matched.
#[derive(Clone, Debug)]
pub struct MatchedRoute(MatchedPath);

impl MatchedRoute {
    /// The template, as the router has it.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// Middleware: assigns the id, runs the request inside a span carrying it, logs one access line.
///
/// This runs for every request, so it copies as little as it can: the route template is shared
/// (`MatchedPath` is reference-counted), the id is the one string made per request, and the
/// line is formatted and written off the request path (`telemetry::init`).
pub async fn assign(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let route = request.extensions().get::<MatchedPath>().cloned();
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let client_ip = match request.extensions().get::<TrustedProxies>() {
        Some(proxies) => client_ip_from(request.headers(), peer, proxies),
        None => peer,
    };
    let route_name = route.as_ref().map_or(
        crate::telemetry::metrics::UNMATCHED_ROUTE,
        MatchedPath::as_str,
    );
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        route = route_name,
        client_ip = client_ip.map(tracing::field::display),
        user_id = tracing::field::Empty,
    );
    // Sane ids are visible ASCII, so this never fails; made before the id moves into the context.
    let id_header = HeaderValue::from_str(&id).ok();
    let context = RequestContext::new(id, client_ip, route.clone(), span.clone());
    let method = request.method().clone();
    let started = std::time::Instant::now();
    let mut response = context
        .scope(next.run(request))
        .instrument(span.clone())
        .await;
    let latency = started.elapsed();
    span.in_scope(|| {
        tracing::info!(
            status = response.status().as_u16(),
            latency_ms = latency.as_secs_f64() * 1000.0,
            "request completed"
        );
    });
    crate::telemetry::metrics::record_request(
        &method,
        route_name,
        response.status().as_u16(),
        latency,
    );
    if let Some(route) = route {
        response.extensions_mut().insert(MatchedRoute(route));
    }
    if let Some(value) = id_header {
        response.headers_mut().insert(X_REQUEST_ID.clone(), value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::is_sane;
    #[test]
    fn only_short_plain_ids_are_echoed() {
        assert!(is_sane("abc-123_X.y"));
        assert!(!is_sane(""));
        assert!(!is_sane(&"a".repeat(129)));
        assert!(!is_sane("bad id"));
        assert!(!is_sane("a\nb"));
    }
}
