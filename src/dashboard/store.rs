//! The `dashboard_sessions` statements.

use sqlx::{AnyConnection, AnyPool};

use crate::{accounts::Role, db::Flag};

/// A session with what the pages need of its user.
#[derive(Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub email: String,
    pub role: Role,
    pub is_active: Flag,
    pub csrf_token: String,
    pub last_seen_at: i64,
}

/// Stores a new session of `user_id`; `token_hash` is what its cookie's token hashes to.
pub async fn insert(
    pool: &AnyPool,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO dashboard_sessions (token_hash, user_id, csrf_token, created_at, \
         last_seen_at) VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// The session whose token hashes to `token_hash`, with its user.
pub async fn find(pool: &AnyPool, token_hash: &str) -> Result<Option<SessionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, s.user_id, u.email, u.role, u.is_active, s.csrf_token, s.last_seen_at \
         FROM dashboard_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await
}

/// Marks session `id` as used at `now`.
pub async fn touch(pool: &AnyPool, id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE dashboard_sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Ends session `id`.
pub async fn delete(pool: &AnyPool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM dashboard_sessions WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes the sessions last used before `before` (the cleanup job); returns how many.
pub async fn delete_idle(conn: &mut AnyConnection, before: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM dashboard_sessions WHERE last_seen_at < $1")
        .bind(before)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
