//! The `refresh_tokens` table: every issued refresh token, grouped in families (one per login).
//!
//! Rotation revokes the presented token with a conditional update, so of two requests racing
//! with the same token exactly one wins; the loser is treated as a reuse and the family dies.

use serde::Serialize;
use sqlx::{Any, Executor};
use utoipa::ToSchema;

use crate::{
    accounts::tokens::{TokenKeys, TokenType},
    db::now_micros,
    error::ApiError,
};

/// A fresh access/refresh pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// Access JWT (HS256), sent as `Authorization: Bearer <access>`.
    pub access: String,
    /// Refresh JWT, exchanged at `auth/jwt/refresh/`; single-use.
    pub refresh: String,
}

/// Signs a pair for `user_id` and records the refresh token in `family` (a new family when `None`).
pub async fn issue_pair<'e, E>(
    executor: E,
    keys: &TokenKeys,
    user_id: i64,
    family: Option<String>,
) -> Result<TokenPair, ApiError>
where
    E: Executor<'e, Database = Any>,
{
    let (access, _) = keys.issue(TokenType::Access, user_id);
    let (refresh, claims) = keys.issue(TokenType::Refresh, user_id);
    let family = family.unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    sqlx::query(
        "INSERT INTO refresh_tokens (jti, user_id, family_id, expires_at, revoked_at, created_at) \
         VALUES ($1, $2, $3, $4, NULL, $5)",
    )
    .bind(&claims.jti)
    .bind(user_id)
    .bind(&family)
    .bind(claims.exp * 1_000_000)
    .bind(now_micros())
    .execute(executor)
    .await?;
    Ok(TokenPair { access, refresh })
}

/// Revokes the token `jti` if it is still live; returns its `(user_id, family_id)` when this call
/// was the one that revoked it.
pub async fn revoke<'e, E>(executor: E, jti: &str) -> Result<Option<(i64, String)>, ApiError>
where
    E: Executor<'e, Database = Any>,
{
    Ok(sqlx::query_as(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE jti = $2 AND revoked_at IS NULL \
         RETURNING user_id, family_id",
    )
    .bind(now_micros())
    .bind(jti)
    .fetch_optional(executor)
    .await?)
}

/// The owner and family of a recorded token, revoked or not.
pub async fn find<'e, E>(executor: E, jti: &str) -> Result<Option<(i64, String)>, ApiError>
where
    E: Executor<'e, Database = Any>,
{
    Ok(
        sqlx::query_as("SELECT user_id, family_id FROM refresh_tokens WHERE jti = $1")
            .bind(jti)
            .fetch_optional(executor)
            .await?,
    )
}

/// True when `jti` is recorded and revoked.
pub async fn is_revoked<'e, E>(executor: E, jti: &str) -> Result<bool, ApiError>
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
pub async fn revoke_family<'e, E>(executor: E, family_id: &str) -> Result<u64, ApiError>
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

/// Revokes every live token of a user (password change or reset, deactivation).
pub async fn revoke_all_for_user<'e, E>(executor: E, user_id: i64) -> Result<u64, ApiError>
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
