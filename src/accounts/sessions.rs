//! A session is a family of refresh tokens: a login starts one, each refresh continues it with
//! a new pair, and a reuse or a logout ends the whole family.

use sqlx::{Any, Executor};

use super::{store::refresh_tokens, views::TokenPair};
use crate::tokens::{TokenKeys, TokenType};

/// Signs a pair for `user_id` and records the refresh token in `family` (a new family when `None`).
pub async fn issue_pair<'e, E>(
    executor: E,
    keys: &TokenKeys,
    user_id: i64,
    family: Option<String>,
) -> Result<TokenPair, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let (access, _) = keys.issue(TokenType::Access, user_id);
    let (refresh, claims) = keys.issue(TokenType::Refresh, user_id);
    let family = family.unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    let expires_at = claims.exp * 1_000_000;
    refresh_tokens::insert(executor, &claims.jti, user_id, &family, expires_at).await?;
    Ok(TokenPair { access, refresh })
}
