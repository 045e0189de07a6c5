//! Marketplace figures (SPEC §3.12): `analytics/provider/` for a provider, `analytics/client/`
//! for any user. Read from the marketplace's own rows (all time) and, for views and searches,
//! from the analytics events (kept `ANALYTICS_RETENTION_DAYS`; docs/marketplace.md).

mod handlers;
mod monthly;
mod store;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

/// `analytics/provider/` and `analytics/client/`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::get_provider_figures))
        .routes(routes!(handlers::get_client_figures))
}
