//! Proposals (SPEC §3.12): a provider's offer on an open request, one pending per provider and
//! request (a partial unique index). The request's client accepts one (`accept.rs`), which
//! opens a contract.

mod accept;
mod handlers;
mod request;
mod store;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

pub use views::ProposalView;

use crate::state::AppState;

/// The proposal routes (`proposals/...` and `requests/{id}/proposals/`).
pub fn router() -> OpenApiRouter<AppState> {
    use handlers as h;
    OpenApiRouter::new()
        .routes(routes!(h::list_proposals, h::create_proposal))
        .routes(routes!(
            h::get_proposal,
            h::patch_proposal,
            h::withdraw_proposal
        ))
        .routes(routes!(h::list_request_proposals))
        .routes(routes!(accept::accept_proposal))
}
