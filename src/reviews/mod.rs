//! Reviews: one per user and product, helpful votes, reports and staff moderation, keeping each
//! product's `average_rating`/`reviews_count` exact (SPEC §3.5, §5; decisions in docs/reviews.md).
//!
//! `store.rs` holds every statement; `request.rs` the bodies and their rules; `views.rs` the
//! answers; the handlers are split by use case (CRUD, lists, feedback, moderation).

mod feedback;
mod handlers;
mod lists;
mod moderation;
mod rating;
mod request;
mod store;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

pub use moderation::{reported_reviews, set_hidden};
pub use rating::Rating;
pub use store::recount_all_ratings;
pub use views::{ReasonCount, ReportedReview, ReviewView};

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
