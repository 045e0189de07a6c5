//! The HTTP side of capture: the middleware that turns a handler's [`Captured`] report into a
//! buffered [`Event`], with the request's session, user and truncated address.
//!
//! It sits outside the catalog cache, which hands back the report it stored with a cached answer:
//! a product view or search served from the cache is recorded like one served by its handler.

use axum::{
    extract::{Request, State},
    http::header::USER_AGENT,
    middleware::Next,
    response::Response,
};

use super::{
    capture::Recorder,
    event::{Captured, Event},
    session::{truncate_ip, Session, SESSION_HEADER},
};
use crate::{db::now_micros, telemetry};

/// Middleware: records the answer's [`Captured`] report, if it has one, after the handler ran.
pub async fn layer(State(recorder): State<Recorder>, request: Request, next: Next) -> Response {
    if !recorder.is_enabled() {
        return next.run(request).await;
    }
    // Cheap clones (shared bytes); read before the request is handed on.
    let session_header = request.headers().get(SESSION_HEADER).cloned();
    let user_agent = request.headers().get(USER_AGENT).cloned();
    let mut response = next.run(request).await;
    let Some(captured) = response.extensions_mut().remove::<Captured>() else {
        return response;
    };
    // The address the request is logged and rate limited under (trusted proxies honoured).
    let ip_prefix = telemetry::request::client_ip().map(truncate_ip);
    let session = Session::derive(
        session_header.as_ref(),
        captured.user_id,
        ip_prefix,
        user_agent.as_ref(),
    );
    recorder.record(Event {
        action: captured.action,
        occurred_at: now_micros(),
        user_id: captured.user_id,
        ip_prefix,
        session,
    });
    response
}
