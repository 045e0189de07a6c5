//! Who the caller is in the marketplace: every part asks "is this user a provider, and which?".

use crate::{db::Db, error::ApiError};

/// The id of `user_id`'s provider profile, if they created one (one per user).
pub async fn provider_id_of(db: &Db, user_id: i64) -> Result<Option<String>, ApiError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM providers WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&db.pool)
            .await?,
    )
}
