//! The security log: every event an operator may want to alert on, emitted here and only here,
//! under the one `tracing` target [`TARGET`] so it can be routed to its own sink
//! (docs/observability.md).
//!
//! Each event carries `event` (what happened), the request id, client IP and route template of
//! the request it happened in, and the user id or a hash of the email where known. Passwords and
//! tokens are never logged.

use crate::telemetry::request;

/// The `tracing` target of security events.
pub const TARGET: &str = "nexus::security";

/// Emits one warning on [`TARGET`] with the request's context plus the given fields.
macro_rules! security_event {
    ($event:literal, $message:literal $(, $($fields:tt)+)?) => {{
        let context = request::context();
        tracing::warn!(
            target: TARGET,
            event = $event,
            request_id = context.as_ref().map(|c| c.id.as_str()),
            client_ip = context.as_ref().and_then(|c| c.client_ip).map(tracing::field::display),
            route = context.as_ref().map(|c| c.route()),
            $($($fields)+,)?
            $message
        );
    }};
}

/// A login with a wrong password, an unknown email or an inactive account. `email_hash` is the
/// SHA-256 hex of the normalised email (the per-account rate-limit key); a prefix is logged.
pub fn login_failed(email_hash: &str) {
    let email_hash = email_hash.get(..16).unwrap_or(email_hash);
    security_event!("login_failed", "login failed", email_hash);
}

/// A bearer or refresh token that was refused: bad signature, expired, wrong type, unknown, or
/// its user gone or inactive.
pub fn token_rejected(token_type: &'static str, reason: &str, user_id: Option<i64>) {
    security_event!(
        "token_rejected",
        "token rejected",
        token_type,
        reason,
        user_id
    );
}

/// A signed-in user asked for something their role does not allow (`403`).
pub fn permission_denied(user_id: i64) {
    security_event!("permission_denied", "permission denied", user_id);
}

/// A request refused by a rate limit (`429`). `key` is the limiter key: an IP, a user id or an
/// email hash, never a credential.
pub fn throttled(rule: &'static str, key: &str, retry_after_secs: u64) {
    security_event!(
        "throttled",
        "request throttled",
        rule,
        key,
        retry_after = retry_after_secs
    );
}

/// A refresh token presented after it was rotated: a likely stolen token; its family is revoked.
pub fn refresh_token_reused(user_id: i64, revoked: u64) {
    security_event!(
        "refresh_token_reused",
        "refresh token reused: token family revoked",
        user_id,
        revoked
    );
}

/// A request for a host outside `ALLOWED_HOSTS`.
pub fn invalid_host(host: Option<&str>) {
    security_event!(
        "invalid_host",
        "request for a host not in ALLOWED_HOSTS",
        host
    );
}
