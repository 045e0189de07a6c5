//! The request being served on this task (its id, client IP, route and span), kept in a
//! task-local so that log lines, error bodies and the security log emitted deep inside a request
//! can name it without every function passing it along.
//!
//! It lives here rather than in `http` because the edge error (`error::ApiError`) renders the id
//! into every body while `http`'s extractors return that error: owned by neither, both read it.
//! `http::request_id::assign` fills it in for each request.

use std::{future::Future, net::IpAddr};

use axum::extract::MatchedPath;

/// What is known about the request being served, for log lines emitted deep inside it.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub id: String,
    /// The client's address (through trusted proxies), when known.
    pub client_ip: Option<IpAddr>,
    /// The route template; `None` when no route matched.
    route: Option<MatchedPath>,
    span: tracing::Span,
}

tokio::task_local! {
    static REQUEST: RequestContext;
}

impl RequestContext {
    /// The context of a request whose lines are logged inside `span` (which has a `user_id`
    /// field for [`record_user`]).
    pub fn new(
        id: String,
        client_ip: Option<IpAddr>,
        route: Option<MatchedPath>,
        span: tracing::Span,
    ) -> Self {
        Self {
            id,
            client_ip,
            route,
            span,
        }
    }

    /// The route template, or `unmatched`.
    pub fn route(&self) -> &str {
        self.route.as_ref().map_or(
            crate::telemetry::metrics::UNMATCHED_ROUTE,
            MatchedPath::as_str,
        )
    }

    /// Runs `future` (the request) with this context as the current one.
    pub async fn scope<F: Future>(self, future: F) -> F::Output {
        REQUEST.scope(self, future).await
    }
}

/// The id of the request being served on this task, if any.
pub fn current() -> Option<String> {
    REQUEST.try_with(|r| r.id.clone()).ok()
}

/// The client's address for the request being served on this task (through trusted proxies,
/// as logged and rate limited), if known.
pub fn client_ip() -> Option<IpAddr> {
    REQUEST.try_with(|r| r.client_ip).ok().flatten()
}

/// The request being served on this task, if any.
pub fn context() -> Option<RequestContext> {
    REQUEST.try_with(Clone::clone).ok()
}

/// Puts the authenticated user's id on the request's span, so the access line (and every other
/// line of the request) names who made it. Called by the auth extractors.
pub fn record_user(user_id: i64) {
    let _ = REQUEST.try_with(|r| {
        r.span.record("user_id", user_id);
    });
}
