//! The one error type at the HTTP edge, rendered in the Django REST Framework format of SPEC §2.
//!
//! Handlers return `Result<_, ApiError>`; domain code builds an `ApiError` through the
//! constructors below or converts with `?`. Internal errors are logged with the request id and
//! answered with a generic message: no SQL, stack trace or internal detail reaches a client.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::telemetry::request;

/// Field name → messages, in the order the fields were checked (`{"price": ["..."]}`).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FieldErrors(Vec<(String, Vec<String>)>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a message under `field`, keeping earlier messages for that field.
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        let message = message.into();
        match self.0.iter_mut().find(|(name, _)| name == field) {
            Some((_, messages)) => messages.push(message),
            None => self.0.push((field.to_owned(), vec![message])),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Each field with its messages, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0
            .iter()
            .map(|(field, messages)| (field.as_str(), messages.as_slice()))
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(name, _)| name == field)
    }

    /// Adds every message of `other` under `prefix.field` (errors of a nested object).
    pub fn extend_prefixed(&mut self, prefix: &str, other: FieldErrors) {
        for (field, messages) in other.0 {
            for message in messages {
                self.add(&format!("{prefix}.{field}"), message);
            }
        }
    }

    /// `Ok(())` when nothing was added, the `400` otherwise.
    pub fn into_result(self) -> Result<(), ApiError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self))
        }
    }

    /// A single-field error, the common case.
    pub fn single(field: &str, message: impl Into<String>) -> ApiError {
        let mut errors = Self::new();
        errors.add(field, message);
        ApiError::Validation(errors)
    }
}

impl Serialize for FieldErrors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (field, messages) in &self.0 {
            map.serialize_entry(field, messages)?;
        }
        map.end()
    }
}

/// Every failure a handler can answer with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// `400` with a field map.
    #[error("validation failed")]
    Validation(FieldErrors),
    /// Any other client-visible failure: status, human message, machine code and optional extra keys.
    #[error("{detail}")]
    Client {
        status: StatusCode,
        detail: String,
        code: &'static str,
        extra: Option<Map<String, Value>>,
    },
    /// A bug or an outage: logged in full, answered with a generic `500`.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
    /// The database is unreachable: `503`.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Rate limited: `429` with `Retry-After` (whole seconds, at least 1).
    #[error("throttled for {retry_after} seconds")]
    Throttled { retry_after: u64 },
}

impl ApiError {
    pub fn client(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self::Client {
            status,
            detail: detail.into(),
            code,
            extra: None,
        }
    }

    /// Adds extra top-level keys to a client error body (e.g. `items` on `insufficient_stock`).
    pub fn with_extra(self, key: &str, value: Value) -> Self {
        match self {
            Self::Client {
                status,
                detail,
                code,
                extra,
            } => {
                let mut extra = extra.unwrap_or_default();
                extra.insert(key.to_owned(), value);
                Self::Client {
                    status,
                    detail,
                    code,
                    extra: Some(extra),
                }
            }
            other => other,
        }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::client(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn parse_error(reason: impl std::fmt::Display) -> Self {
        Self::bad_request("parse_error", format!("JSON parse error - {reason}"))
    }

    pub fn not_authenticated() -> Self {
        Self::client(
            StatusCode::UNAUTHORIZED,
            "not_authenticated",
            "Authentication credentials were not provided.",
        )
    }

    pub fn authentication_failed(detail: impl Into<String>) -> Self {
        Self::client(StatusCode::UNAUTHORIZED, "authentication_failed", detail)
    }

    pub fn permission_denied() -> Self {
        Self::client(
            StatusCode::FORBIDDEN,
            "permission_denied",
            "You do not have permission to perform this action.",
        )
    }

    pub fn not_found() -> Self {
        Self::client(StatusCode::NOT_FOUND, "not_found", "Not found.")
    }

    pub fn invalid_page() -> Self {
        Self::client(StatusCode::NOT_FOUND, "not_found", "Invalid page.")
    }

    pub fn method_not_allowed(method: &str) -> Self {
        Self::client(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("Method \"{method}\" not allowed."),
        )
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::client(StatusCode::CONFLICT, code, detail)
    }

    pub fn payload_too_large() -> Self {
        Self::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "Request body is too large.",
        )
    }

    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("Unsupported media type \"{content_type}\" in request."),
        )
    }

    /// `429 Too Many Requests`, DRF's message, and `Retry-After`.
    pub fn throttled(retry_after_secs: u64) -> Self {
        Self::Throttled {
            retry_after: retry_after_secs.max(1),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Validation(_) => StatusCode::BAD_REQUEST,
            Self::Client { status, .. } => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(errors: FieldErrors) -> Self {
        Self::Validation(errors)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        // The pool could not hand out a working connection: the database is down, restarting
        // or saturated. Clients get a `503` and may retry; the service resumes by itself.
        if crate::db::is_connection_error(&err) {
            Self::Unavailable(crate::db::connection_error_kind(&err))
        } else {
            Self::Internal(err.into())
        }
    }
}

/// The generic body of a `500`/`503`: a message and the request id to quote to support.
fn server_error_body(detail: &str, code: &str) -> Value {
    json!({ "detail": detail, "code": code, "request_id": request::current() })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        match self {
            Self::Validation(errors) => (status, Json(errors)).into_response(),
            Self::Client {
                detail,
                code,
                extra,
                ..
            } => {
                let mut body = Map::new();
                body.insert("detail".into(), Value::String(detail));
                body.insert("code".into(), Value::String(code.into()));
                body.extend(extra.unwrap_or_default());
                let mut response = (status, Json(Value::Object(body))).into_response();
                if status == StatusCode::UNAUTHORIZED {
                    response.headers_mut().insert(
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static("Bearer realm=\"api\""),
                    );
                }
                response
            }
            Self::Internal(err) => {
                // A lost database reached through a context-wrapped error is still an outage.
                let lost = err
                    .chain()
                    .filter_map(|e| e.downcast_ref::<sqlx::Error>())
                    .find(|e| crate::db::is_connection_error(e));
                if let Some(cause) = lost {
                    return Self::Unavailable(crate::db::connection_error_kind(cause))
                        .into_response();
                }
                tracing::error!(error = ?err, "internal error");
                (
                    status,
                    Json(server_error_body(
                        "A server error occurred.",
                        "server_error",
                    )),
                )
                    .into_response()
            }
            Self::Throttled { retry_after } => {
                let body = json!({
                    "detail": format!("Request was throttled. Expected available in {retry_after} seconds."),
                    "code": "throttled",
                });
                let mut response = (status, Json(body)).into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                response
            }
            Self::Unavailable(reason) => {
                tracing::error!(%reason, "database unavailable");
                (
                    status,
                    Json(server_error_body(
                        "Service temporarily unavailable.",
                        "service_unavailable",
                    )),
                )
                    .into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_keep_order_and_group_messages() {
        let mut errors = FieldErrors::new();
        errors.add("title", "This field is required.");
        errors.add("price", "a");
        errors.add("title", "b");
        assert_eq!(
            serde_json::to_string(&errors).unwrap(),
            r#"{"title":["This field is required.","b"],"price":["a"]}"#
        );
    }

    #[tokio::test]
    async fn throttled_answers_429_with_retry_after_and_the_drf_message() {
        let response = ApiError::throttled(0).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            body,
            json!({"detail": "Request was throttled. Expected available in 1 seconds.", "code": "throttled"})
        );
    }

    #[tokio::test]
    async fn lost_database_errors_answer_503_service_unavailable() {
        let direct = ApiError::from(sqlx::Error::PoolTimedOut);
        assert_eq!(direct.status(), StatusCode::SERVICE_UNAVAILABLE);
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let wrapped = ApiError::Internal(
            anyhow::Error::from(sqlx::Error::Io(refused)).context("loading the cart"),
        );
        let response = wrapped.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["code"], "service_unavailable");
        assert_eq!(body["detail"], "Service temporarily unavailable.");
        assert_eq!(
            ApiError::from(sqlx::Error::RowNotFound).status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }

    #[test]
    fn unauthorized_answers_carry_www_authenticate() {
        let response = ApiError::not_authenticated().into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}
