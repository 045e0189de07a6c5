//! Reviews: one per user and product, helpful votes, reports and staff moderation, keeping each
//! product's `average_rating`/`reviews_count` exact (SPEC §3.5, §5; decisions in docs/reviews.md).

pub mod feedback;
pub mod handlers;
pub mod lists;
pub mod model;
pub mod moderation;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

/// Every review route under `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::list_reviews, handlers::create_review))
        .routes(routes!(
            handlers::get_review,
            handlers::replace_review,
            handlers::update_review,
            handlers::delete_review
        ))
        .routes(routes!(lists::list_product_reviews))
        .routes(routes!(lists::get_product_review_stats))
        .routes(routes!(lists::list_own_reviews))
        .routes(routes!(lists::list_user_reviews))
        .routes(routes!(feedback::mark_review_helpful))
        .routes(routes!(feedback::report_review))
        .routes(routes!(moderation::list_review_reports))
        .routes(routes!(moderation::hide_review))
        .routes(routes!(moderation::unhide_review))
}
