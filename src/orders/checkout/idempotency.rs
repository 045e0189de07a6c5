//! `Idempotency-Key` for checkout: the key is recorded inside the checkout transaction, with the
//! order it produced, so the key, the order and the stock changes commit or vanish together,
//! and the unique constraint on `(user_id, idempotency_key)` makes a racing duplicate wait for
//! the first to finish and then replay its order. At most one order can ever exist per key.

use axum::http::HeaderMap;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::error::{CheckoutError, MAX_KEY_CHARS};
use crate::orders::store::StoredKey;

const HEADER: &str = "idempotency-key";

/// The request's key, if any; a key that is blank, too long or not printable ASCII is a `400`.
pub fn key_from(headers: &HeaderMap) -> Result<Option<String>, CheckoutError> {
    let Some(value) = headers.get(HEADER) else {
        return Ok(None);
    };
    let key = value.to_str().map(str::trim).unwrap_or_default();
    if key.is_empty()
        || key.len() > MAX_KEY_CHARS
        || !key.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
    {
        return Err(CheckoutError::InvalidKey);
    }
    Ok(Some(key.to_owned()))
}

/// sha256 (hex) of the body with object keys sorted, so key order and whitespace don't matter.
pub fn fingerprint(body: &Value) -> String {
    let canonical = canonical(body).to_string();
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

/// What a replay answers: the original order and status code, or a `409`.
pub fn replay(stored: &StoredKey, fingerprint: &str) -> Result<(i64, u16), CheckoutError> {
    if stored.fingerprint != fingerprint {
        return Err(CheckoutError::KeyReused);
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
        _ => Err(CheckoutError::KeyInProgress),
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
        let fp = |v: Value| fingerprint(&v);
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
