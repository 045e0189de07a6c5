//! Contracts (SPEC §3.12): the work agreed when a client accepts a proposal (`proposals` opens
//! them through [`open`]), moved along the machine in `status.rs` by its parties and staff
//! (`moves.rs`, which the staff dashboard calls too), every move kept in its status history.

mod handlers;
mod moves;
mod request;
pub mod status;
mod store;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

pub use moves::apply_move;
pub use request::StatusWrite;
pub use store::{
    figures, find_visible, open, staff_find, staff_list, Contract, ContractFigures, NewContract,
    StaffContractRow, TopProvider,
};
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
