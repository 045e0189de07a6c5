//! The `idempotency_keys` statements of checkout (the rules are in `checkout/idempotency.rs`).

use sqlx::AnyConnection;

use crate::db::{insert_values, Param};

/// What an earlier request with the same key left behind.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredKey {
    pub fingerprint: String,
    pub status: String,
    pub order_id: Option<i64>,
    pub response_status: Option<i64>,
}

/// An `Idempotency-Key` to record with the order it answered.
#[derive(Debug)]
pub struct NewKey<'a> {
    pub user_id: i64,
    pub key: &'a str,
    pub fingerprint: &'a str,
    pub order_id: i64,
}

/// Records each key as answered by its order, on `conn` (the checkout transaction, after the
/// orders were written); answers how many were recorded. Fewer than given means a key was taken
/// by an earlier request: the caller undoes its order and replays that one ([`find_key`]). On
/// PostgreSQL a concurrent insert of the same key waits here, on the unique index, until the
/// first transaction ends.
pub async fn record_keys(
    conn: &mut AnyConnection,
    keys: &[NewKey<'_>],
    now: i64,
) -> Result<u64, sqlx::Error> {
    let rows = keys
        .iter()
        .map(|key| -> Vec<Param> {
            vec![
                key.user_id.into(),
                key.key.into(),
                key.fingerprint.into(),
                "completed".into(),
                key.order_id.into(),
                201i64.into(),
                now.into(),
            ]
        })
        .collect();
    insert_values(
        conn,
        "INSERT INTO idempotency_keys \
         (user_id, idempotency_key, fingerprint, status, order_id, response_status, created_at) \
         VALUES ",
        " ON CONFLICT (user_id, idempotency_key) DO NOTHING",
        rows,
        drop,
    )
    .await
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
