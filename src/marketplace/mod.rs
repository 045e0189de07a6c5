//! The services marketplace (SPEC §3.12): providers (freelancers or companies) sell services; a
//! client posts a request, providers propose, the client accepts one, and the work runs as a
//! contract with appointments, comments and likes (docs/marketplace.md).
//!
//! Each part is a feature folder of its own shape (mod.rs router and front, handlers, request,
//! views, store); the parts reach each other only through their fronts. Ids are UUIDs (`ids`).

mod appointments;
pub mod companies;
pub mod contracts;
pub mod ids;
mod insights;
mod listing;
mod profile;
pub mod proposals;
pub mod providers;
pub mod requests;
pub mod search_text;
pub mod services;
pub mod taxonomy;

use utoipa_axum::router::OpenApiRouter;

pub use profile::provider_id_of;

use crate::state::AppState;

/// Every marketplace route under `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(taxonomy::router())
        .merge(companies::router())
        .merge(providers::router())
        .merge(services::router())
        .merge(requests::router())
        .merge(proposals::router())
        .merge(contracts::router())
        .merge(appointments::router())
        .merge(insights::router())
}
