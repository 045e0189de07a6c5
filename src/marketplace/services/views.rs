//! Services, likes and comments as the API shows them.

use serde::Serialize;
use utoipa::ToSchema;

use crate::{money::Money, reviews::Rating};

/// A service.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceView {
    #[schema(value_type = String, format = Uuid)]
    pub id: String,
    /// The provider's id.
    #[schema(value_type = String, format = Uuid)]
    pub provider: String,
    /// The service category's id, or null.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub category: Option<String>,
    pub title: String,
    pub description: String,
    #[schema(value_type = String, example = "150.00")]
    pub price_from: Money,
    /// `fixed`, `hour` or `day`.
    pub price_unit: String,
    pub duration_minutes: Option<i64>,
    pub is_active: bool,
    /// The average comment rating, two places; `0` without comments.
    pub rating: Rating,
    pub reviews_count: i64,
    pub likes_count: i64,
    #[schema(example = "2025-08-07T12:00:00.000000Z")]
    pub created_at: String,
}

/// The caller's like after a toggle.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LikeView {
    pub liked: bool,
    pub likes_count: i64,
}

/// A client's comment (with a rating) on a service.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentView {
    #[schema(value_type = String, format = Uuid)]
    pub id: String,
    #[schema(value_type = String, format = Uuid)]
    pub service: String,
    /// The completed contract the comment is about.
    #[schema(value_type = String, format = Uuid)]
    pub contract: String,
    /// The commenting client's user id.
    pub user: i64,
    pub rating: i64,
    pub comment: String,
    #[schema(example = "2025-08-07T12:00:00.000000Z")]
    pub created_at: String,
}
