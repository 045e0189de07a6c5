//! Services (SPEC §3.12): what providers sell. Anyone reads active services (inactive ones only
//! their provider and staff), the provider writes them, signed-in users like them, and clients
//! with a completed contract for one comment on it with a rating, which the service and the
//! provider keep as a sum and a count. Search is full text per engine (`search`).
//!
//! The front for other parts: [`owned_by`] (a proposal may name only its provider's own
//! service) and [`find_visible`] (the [`ServiceView`] reader).

mod actions;
mod engagement;
mod filters;
mod handlers;
mod request;
mod search;
mod store;
mod viewer;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

pub use request::{CommentWrite, ServiceWrite};
pub use viewer::Viewer;
pub use views::{CommentView, LikeView, ServiceView};

use crate::{db::Db, error::ApiError, state::AppState};

/// True when service `service_id` exists and belongs to provider `provider_id`.
pub async fn owned_by(db: &Db, service_id: &str, provider_id: &str) -> Result<bool, ApiError> {
    store::owned_by(db, service_id, provider_id).await
}

/// Service `service_id` as `viewer` may see it, else `404`.
pub async fn find_visible(
    db: &Db,
    viewer: &Viewer,
    service_id: &str,
) -> Result<ServiceView, ApiError> {
    actions::get(db, viewer, service_id).await
}

/// The service routes, and the provider's services and reviews.
pub fn router() -> OpenApiRouter<AppState> {
    use handlers as h;
    OpenApiRouter::new()
        .routes(routes!(h::list_services, h::create_service))
        .routes(routes!(
            h::get_service,
            h::update_service,
            h::patch_service,
            h::delete_service
        ))
        .routes(routes!(h::like_service))
        .routes(routes!(h::list_comments, h::create_comment))
        .routes(routes!(h::provider_services))
        .routes(routes!(h::provider_reviews))
}
