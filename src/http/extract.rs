//! Extractors whose rejections use the SPEC error format instead of axum's plain-text ones.

use axum::{
    body::Bytes,
    extract::{rejection::PathRejection, FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, Method, StatusCode},
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{
    error::{ApiError, FieldErrors},
    validation::{self, messages, Draft, FromForm},
};

/// A JSON request body as a `Value`, with the SPEC's errors: malformed JSON is a `parse_error`,
/// another content type a `415`, text holding U+0000 a `400`. Handlers read typed requests
/// through [`Valid`]; this raw form is for the rare handler that also needs the body as sent
/// (checkout fingerprints it for its idempotency key).
#[derive(Debug)]
pub struct Json(pub Value);

impl<S: Send + Sync> FromRequest<S> for Json {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::payload_too_large()
                } else {
                    ApiError::bad_request("parse_error", "Could not read the request body.")
                }
            })?;
        let value: Value = match content_type.as_deref() {
            Some(ct) if is_json(ct) => {
                serde_json::from_slice(&bytes).map_err(ApiError::parse_error)?
            }
            // No body and no content type: an empty form, as DRF treats it.
            None if bytes.iter().all(u8::is_ascii_whitespace) => Value::Object(Default::default()),
            Some(ct) => {
                return Err(ApiError::unsupported_media_type(
                    ct.split(';').next().unwrap_or(ct).trim(),
                ))
            }
            None => return Err(ApiError::unsupported_media_type("")),
        };
        if let Some(field) = null_character_field(&value) {
            return Err(FieldErrors::single(&field, NULL_CHARACTERS));
        }
        Ok(Json(value))
    }
}

/// A request body read into the typed request `T` ([`crate::validation`]): every bad field is
/// named in one `400`. A PATCH body is partial (missing fields are left as they are).
#[derive(Debug)]
pub struct Valid<T>(pub T);

impl<S: Send + Sync, T: FromForm> FromRequest<S> for Valid<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let partial = request.method() == Method::PATCH;
        let Json(body) = Json::from_request(request, state).await?;
        validation::parse(body, partial).map(Valid)
    }
}

/// A request body read into `T` with its field errors held back for the handler's own checks
/// ([`validation::Draft`]). A PATCH body is partial.
impl<S: Send + Sync, T: FromForm> FromRequest<S> for Draft<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let partial = request.method() == Method::PATCH;
        let Json(body) = Json::from_request(request, state).await?;
        Draft::read(body, partial)
    }
}

/// DRF's message for text holding U+0000 (its `ProhibitNullCharactersValidator`). PostgreSQL
/// can't store that character in text, so it is refused at the edge on both engines (SPEC §5).
pub const NULL_CHARACTERS: &str = "Null characters are not allowed.";

/// Where a JSON document holds U+0000, in any key or string at any depth: the top-level field
/// it sits under, or `non_field_errors` for a top-level key or a body that isn't an object.
fn null_character_field(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => map.iter().find_map(|(key, value)| {
            if key.contains('\0') {
                Some("non_field_errors".to_owned())
            } else {
                has_null_character(value).then(|| key.clone())
            }
        }),
        other => has_null_character(other).then(|| "non_field_errors".to_owned()),
    }
}

/// True when U+0000 appears in any key or string of `value`. Recursion is bounded: serde_json
/// refuses documents nested deeper than 128 levels.
fn has_null_character(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(has_null_character),
        Value::Object(map) => map
            .iter()
            .any(|(key, value)| key.contains('\0') || has_null_character(value)),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}

fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Path parameters; a value that doesn't parse (`/orders/abc/`) is simply not found.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|rejection: PathRejection| {
                tracing::debug!(%rejection, "unparseable path parameter");
                ApiError::not_found()
            })
    }
}

/// Query parameters as raw pairs, for handlers that parse their own filters.
#[derive(Debug, Default, Clone)]
pub struct QueryPairs(pub Vec<(String, String)>);

impl QueryPairs {
    /// The first non-blank value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim())
    }

    /// `key` parsed as an integer; a malformed value is a `400` under that name.
    pub fn int(&self, key: &str) -> Result<Option<i64>, ApiError> {
        self.get(key)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| FieldErrors::single(key, messages::INVALID_INTEGER))
            })
            .transpose()
    }

    /// `key` as a boolean flag (`true`/`1`/`yes`); anything else is false.
    pub fn flag(&self, key: &str) -> bool {
        matches!(
            self.get(key).map(str::to_ascii_lowercase).as_deref(),
            Some("true" | "1" | "yes" | "on")
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for QueryPairs {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        Ok(QueryPairs(
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_characters_are_found_anywhere_and_named_by_their_top_level_field() {
        use serde_json::json;
        assert_eq!(
            null_character_field(&json!({"a": "fine", "b": [1, {"c": "x\0"}]})).as_deref(),
            Some("b")
        );
        assert_eq!(
            null_character_field(&json!({"a": {"k\0": 1}})).as_deref(),
            Some("a")
        );
        assert_eq!(
            null_character_field(&json!({"k\0": 1})).as_deref(),
            Some("non_field_errors")
        );
        assert_eq!(
            null_character_field(&json!(["\0"])).as_deref(),
            Some("non_field_errors")
        );
        assert_eq!(
            null_character_field(&json!({"a": "\\0 spelled out", "n": 0})),
            None
        );
    }

    #[test]
    fn json_content_types_are_recognised() {
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/vnd.api+json"));
        assert!(!is_json("text/plain"));
    }
}
