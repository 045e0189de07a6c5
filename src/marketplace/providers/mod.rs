//! Provider profiles (SPEC §3.12): `{id, user, display_name, bio, skills, company, hourly_rate,
//! rating, reviews_count, is_verified, created_at}`. A user becomes a provider by creating one
//! (one per user: `UNIQUE (user_id)`); the owner edits it; `is_verified` is staff's. Company
//! membership is the provider's own claim. The display name and skills are part of the
//! provider's services' search text, rewritten in the same transaction as they change.
//! (`providers/{id}/services/` and `providers/{id}/reviews/` belong to the services part.)

mod filters;
mod handlers;
mod request;
mod service;
mod store;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

pub use request::ProviderWrite;
pub use service::set_verified;
pub use views::ProviderView;

use crate::{
    db::Db,
    error::ApiError,
    http::pagination::{Page, PageRequest},
    state::AppState,
};

/// Provider `id` as the API shows it, if it exists.
pub async fn find(db: &Db, id: &str) -> Result<Option<ProviderView>, ApiError> {
    store::find(db, id).await
}

/// One page of every provider for the staff dashboard, newest first (the API's list and
/// order): `search` over the display name and bio, `verified` the `is_verified` filter.
pub async fn staff_page(
    db: &Db,
    search: Option<&str>,
    verified: Option<bool>,
    page: &PageRequest,
) -> Result<Page<ProviderView>, ApiError> {
    let filter = filters::ProviderFilter {
        search: search.map(str::to_owned),
        is_verified: verified,
        ..filters::ProviderFilter::default()
    };
    let (count, rows) = store::page(db, &filter, page.limit(), page.offset()).await?;
    page.page(count, rows)
}

/// The `providers/` and `providers/{id}/` routes.
pub fn router() -> OpenApiRouter<AppState> {
    use handlers as h;
    OpenApiRouter::new()
        .routes(routes!(h::list_providers, h::create_provider))
        .routes(routes!(
            h::get_provider,
            h::replace_provider,
            h::patch_provider
        ))
}
