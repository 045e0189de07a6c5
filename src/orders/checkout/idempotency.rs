//! `Idempotency-Key` for checkout: the key is recorded inside the checkout transaction, with the
//! order it produced, so the key, the order and the stock changes commit or vanish together,
//! and the unique constraint on `(user_id, idempotency_key)` makes a racing duplicate wait for
//! the first to finish and then replay its order. At most one order can ever exist per key.

use axum::http::HeaderMap;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use crate::{db::now_micros, error::ApiError};

const HEADER: &str = "idempotency-key";
const MAX_KEY_CHARS: usize = 255;

/// The request's key, if any; a key that is blank, too long or not printable ASCII is a `400`.
pub fn key_from(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(HEADER) else {
        return Ok(None);
    };
    let key = value.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty()
        || key.len() > MAX_KEY_CHARS
        || !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
    {
        return Err(ApiError::bad_request(
            "invalid_idempotency_key",
            format!("Idempotency-Key must be 1 to {MAX_KEY_CHARS} printable ASCII characters."),
        ));
    }
    Ok(Some(key.to_owned()))
}

/// sha256 (hex) of the body with object keys sorted, so key order and whitespace don't matter.
pub fn fingerprint(body: &Map<String, Value>) -> String {
    let canonical = canonical(&Value::Object(body.clone())).to_string();
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            // serde_json keeps insertion order here (preserve_order), so insert sorted.
            Value::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), canonical(&map[k])))
                    .collect(),
            )
        }
        Value::Array(list) => Value::Array(list.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// What an earlier request with the same key left behind.
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub fingerprint: String,
    pub status: String,
    pub order_id: Option<i64>,
    pub response_status: Option<i64>,
}

/// Records `key` for `user_id` as answered by `order_id`, on `conn` (the checkout transaction,
/// after the order was written). `false` means the key was taken by an earlier request: the
/// caller rolls back and replays that one ([`find`]). On PostgreSQL a concurrent insert of the
/// same key waits here, on the unique index, until the first transaction ends.
pub async fn record(
    conn: &mut AnyConnection,
    user_id: i64,
    key: &str,
    fingerprint: &str,
    order_id: i64,
) -> Result<bool, sqlx::Error> {
    let inserted: Option<i64> = sqlx::query_scalar(
        "INSERT INTO idempotency_keys \
         (user_id, idempotency_key, fingerprint, status, order_id, response_status, created_at) \
         VALUES ($1, $2, $3, 'completed', $4, 201, $5) \
         ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(user_id)
    .bind(key)
    .bind(fingerprint)
    .bind(order_id)
    .bind(now_micros())
    .fetch_optional(conn)
    .await?;
    Ok(inserted.is_some())
}

/// The stored record of `key` for `user_id`, if a request with it committed.
pub async fn find<'c, E>(
    executor: E,
    user_id: i64,
    key: &str,
) -> Result<Option<StoredKey>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let row: Option<(String, String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT fingerprint, status, order_id, response_status FROM idempotency_keys \
         WHERE user_id = $1 AND idempotency_key = $2",
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(executor)
    .await?;
    Ok(row.map(
        |(fingerprint, status, order_id, response_status)| StoredKey {
            fingerprint,
            status,
            order_id,
            response_status,
        },
    ))
}

/// What a replay answers: the original order and status code, or a `409`.
pub fn replay(stored: &StoredKey, fingerprint: &str) -> Result<(i64, u16), ApiError> {
    if stored.fingerprint != fingerprint {
        return Err(ApiError::conflict(
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different request body.",
        ));
    }
    match (
        stored.status.as_str(),
        stored.order_id,
        stored.response_status,
    ) {
        ("completed", Some(order_id), Some(status)) => {
            Ok((order_id, u16::try_from(status).unwrap_or(201)))
        }
        // Only a row written by an older version (which claimed first and completed later) can
        // be anything but completed.
        _ => Err(ApiError::conflict(
            "idempotency_in_progress",
            "A request with this Idempotency-Key is still being processed.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fingerprints_ignore_key_order_but_not_values() {
        let a = json!({"items": [{"product_id": 1, "quantity": 2}], "notes": "x"});
        let b = json!({"notes": "x", "items": [{"quantity": 2, "product_id": 1}]});
        let c = json!({"notes": "x", "items": [{"quantity": 3, "product_id": 1}]});
        let fp = |v: Value| fingerprint(v.as_object().unwrap());
        assert_eq!(fp(a.clone()), fp(b));
        assert_ne!(fp(a), fp(c));
    }

    #[test]
    fn keys_must_be_printable() {
        let mut headers = HeaderMap::new();
        assert!(key_from(&headers).unwrap().is_none());
        headers.insert(HEADER, "abc-123".parse().unwrap());
        assert_eq!(key_from(&headers).unwrap().as_deref(), Some("abc-123"));
        headers.insert(HEADER, "   ".parse().unwrap());
        assert!(key_from(&headers).is_err());
    }
}
