//! The `idempotency_keys` statements of checkout (the rules are in `checkout/idempotency.rs`).

use sqlx::AnyConnection;

use crate::db::now_micros;

/// What an earlier request with the same key left behind.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredKey {
    pub fingerprint: String,
    pub status: String,
    pub order_id: Option<i64>,
    pub response_status: Option<i64>,
}

/// Records `key` for `user_id` as answered by `order_id`, on `conn` (the checkout transaction,
/// after the order was written). `false` means the key was taken by an earlier request: the
/// caller rolls back and replays that one ([`find_key`]). On PostgreSQL a concurrent insert of
/// the same key waits here, on the unique index, until the first transaction ends.
pub async fn record_key(
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
pub async fn find_key<'c, E>(
    executor: E,
    user_id: i64,
    key: &str,
) -> Result<Option<StoredKey>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query_as(
        "SELECT fingerprint, status, order_id, response_status FROM idempotency_keys \
         WHERE user_id = $1 AND idempotency_key = $2",
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(executor)
    .await
}
