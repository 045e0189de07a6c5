//! The one statement the auth extractors run on every signed-in request: the caller's row, narrow
//! so the hot path reads only what deciding "may this token act?" needs.

use sqlx::AnyPool;

use crate::{accounts::Role, db::Flag};

/// The caller behind an access token, as the extractors check it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Caller {
    pub id: i64,
    pub email: String,
    pub username: String,
    pub role: Role,
    pub is_active: Flag,
    /// Tokens issued before this moment (micros) are void (`createsuperuser --promote-existing`).
    pub tokens_valid_after: Option<i64>,
}

/// The user `id`'s caller row, active or not.
pub async fn find_caller(pool: &AnyPool, id: i64) -> Result<Option<Caller>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, email, username, role, is_active, tokens_valid_after FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}
