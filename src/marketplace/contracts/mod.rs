//! Contracts (SPEC §3.12): the work agreed when a client accepts a proposal (`proposals` opens
//! them through [`open`]), moved along the machine in `status.rs` by its parties and staff,
//! every move kept in its status history.

mod handlers;
mod request;
pub mod status;
mod store;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

pub use store::{find_visible, open, Contract, NewContract};
pub use views::{ContractView, StatusChangeView};

use crate::state::AppState;

/// The contract routes (`contracts/...`).
pub fn router() -> OpenApiRouter<AppState> {
    use handlers as h;
    OpenApiRouter::new()
        .routes(routes!(h::list_contracts))
        .routes(routes!(h::get_contract))
        .routes(routes!(h::update_contract_status))
}
