//! A provider profile as the API shows it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::{marketplace::taxonomy::SkillView, money::Money, reviews::Rating};

/// A provider profile: `user` is the user's id; `rating` the average of the comments on the
/// provider's services (two places, `0` when none).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProviderView {
    #[schema(value_type = String, format = Uuid)]
    pub id: String,
    pub user: i64,
    pub display_name: String,
    pub bio: String,
    /// By name.
    pub skills: Vec<SkillView>,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub company: Option<String>,
    #[schema(value_type = Option<String>, example = "45.00")]
    pub hourly_rate: Option<Money>,
    pub rating: Rating,
    pub reviews_count: i64,
    pub is_verified: bool,
    pub created_at: String,
}
