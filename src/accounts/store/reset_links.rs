//! The `password_reset_tokens` table: one row per emailed reset link, holding only a SHA-256 of
//! its token.

use sqlx::{Any, AnyConnection, AnyPool, Executor};

use crate::db::now_micros;

/// A stored reset link.
#[derive(Debug, sqlx::FromRow)]
pub struct ResetLink {
    pub user_id: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// Records a link for `user_id` that works until `expires_at` (epoch microseconds).
pub async fn insert(
    pool: &AnyPool,
    token_hash: &str,
    user_id: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO password_reset_tokens (token_hash, user_id, expires_at, used_at, created_at) \
         VALUES ($1, $2, $3, NULL, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(expires_at)
    .bind(now_micros())
    .execute(pool)
    .await?;
    Ok(())
}

/// The link whose token hashes to `token_hash`.
pub async fn find(pool: &AnyPool, token_hash: &str) -> Result<Option<ResetLink>, sqlx::Error> {
    sqlx::query_as(
        "SELECT user_id, expires_at, used_at FROM password_reset_tokens WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
}

/// Marks the link used if it is still live; true when this call claimed it. The conditional
/// update is what makes a link single-use, even for two racing requests.
pub async fn claim<'e, E>(executor: E, token_hash: &str) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let now = now_micros();
    let claimed = sqlx::query(
        "UPDATE password_reset_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(now)
    .bind(token_hash)
    .bind(now)
    .execute(executor)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Marks every unused reset link of `user_id` as used: a new password (set by a reset or a
/// change) voids the links asked for before it (SPEC §5), so a leaked reset email can't undo it.
pub async fn void_all_for_user(conn: &mut AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE password_reset_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
    )
    .bind(now_micros())
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes the links that expired before `before` (epoch microseconds); returns how many.
pub async fn delete_expired(conn: &mut AnyConnection, before: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM password_reset_tokens WHERE expires_at < $1")
        .bind(before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
