//! Who is asking, as the deals (requests, proposals, contracts) see it: a user, staff or not,
//! with or without a provider profile. Every visibility rule of the three parts reads this.

use crate::{accounts::AuthUser, db::Db, error::ApiError, marketplace::provider_id_of};

/// The signed-in caller of a deals endpoint.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: i64,
    pub is_staff: bool,
    /// Their provider profile, if they created one.
    pub provider_id: Option<String>,
}

impl Caller {
    /// Looks up `user`'s provider profile (one query).
    pub async fn of(db: &Db, user: &AuthUser) -> Result<Self, ApiError> {
        Ok(Self {
            user_id: user.id,
            is_staff: user.role.is_staff(),
            provider_id: provider_id_of(db, user.id).await?,
        })
    }

    /// True when this caller is the provider `provider_id`.
    pub fn is_provider(&self, provider_id: &str) -> bool {
        self.provider_id.as_deref() == Some(provider_id)
    }
}
