//! The `refresh_tokens` table: every issued refresh token, grouped in families (one per login).
//!
//! Rotation revokes the presented token with a conditional update, so of two requests racing
//! with the same token exactly one wins; the loser is treated as a reuse and the family dies.

use sqlx::{Any, Executor};

use crate::db::now_micros;

/// Who a recorded token belongs to.
#[derive(Debug, sqlx::FromRow)]
pub struct TokenOwner {
    pub user_id: i64,
    pub family_id: String,
}

/// Records a freshly signed refresh token `jti` in `family_id`, expiring at `expires_at`
/// (epoch microseconds).
pub async fn insert<'e, E>(
    executor: E,
    jti: &str,
    user_id: i64,
    family_id: &str,
    expires_at: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "INSERT INTO refresh_tokens (jti, user_id, family_id, expires_at, revoked_at, created_at) \
         VALUES ($1, $2, $3, $4, NULL, $5)",
    )
    .bind(jti)
    .bind(user_id)
    .bind(family_id)
    .bind(expires_at)
    .bind(now_micros())
    .execute(executor)
    .await?;
    Ok(())
}

/// Revokes the token `jti` if it is still live; returns its owner when this call was the one
/// that revoked it.
pub async fn revoke<'e, E>(executor: E, jti: &str) -> Result<Option<TokenOwner>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE jti = $2 AND revoked_at IS NULL \
         RETURNING user_id, family_id",
    )
    .bind(now_micros())
    .bind(jti)
    .fetch_optional(executor)
    .await
}

/// The owner and family of a recorded token, revoked or not.
pub async fn find<'e, E>(executor: E, jti: &str) -> Result<Option<TokenOwner>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as("SELECT user_id, family_id FROM refresh_tokens WHERE jti = $1")
        .bind(jti)
        .fetch_optional(executor)
        .await
}

/// True when `jti` is recorded and revoked.
pub async fn is_revoked<'e, E>(executor: E, jti: &str) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let revoked_at: Option<Option<i64>> =
        sqlx::query_scalar("SELECT revoked_at FROM refresh_tokens WHERE jti = $1")
            .bind(jti)
            .fetch_optional(executor)
            .await?;
    Ok(matches!(revoked_at, Some(Some(_))))
}

/// Revokes every live token of a family (a detected reuse, or a logout).
pub async fn revoke_family<'e, E>(executor: E, family_id: &str) -> Result<u64, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_micros())
    .bind(family_id)
    .execute(executor)
    .await?;
    Ok(done.rows_affected())
}

/// Revokes every live token of a user (password change or reset, deactivation, promotion).
pub async fn revoke_all_for_user<'e, E>(executor: E, user_id: i64) -> Result<u64, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_micros())
    .bind(user_id)
    .execute(executor)
    .await?;
    Ok(done.rows_affected())
}
