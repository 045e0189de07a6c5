//! The marketplace (SPEC §3.12) for staff: service requests, contracts (open disputes first, and
//! resolving one), providers (verifying one). Three entries of the menu, one file each; every
//! read and write goes through the marketplace parts' own fronts (`requests::staff_list`,
//! `contracts::{staff_list, find_visible, apply_move}`, `providers::{staff_page, set_verified}`).

mod contracts;
mod providers;
mod requests;

use axum::{
    routing::{get, post},
    Router,
};

use crate::state::AppState;

/// This section's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard/requests/", get(requests::list_requests))
        .route("/dashboard/contracts/", get(contracts::list_contracts))
        .route("/dashboard/contracts/{id}/", get(contracts::show_contract))
        .route(
            "/dashboard/contracts/{id}/resolve/",
            post(contracts::resolve_dispute),
        )
        .route("/dashboard/providers/", get(providers::list_providers))
        .route("/dashboard/providers/{id}/verify/", post(providers::verify))
        .route(
            "/dashboard/providers/{id}/unverify/",
            post(providers::unverify),
        )
}

/// This section's templates.
pub const TEMPLATES: &[(&str, &str)] = &[
    template!("requests/list.html"),
    template!("contracts/list.html"),
    template!("contracts/detail.html"),
    template!("providers/list.html"),
];

/// `?status=` if it is one of `choices` (anything else: no filter, and the page says so).
fn status_of<'a>(raw: &str, choices: &[&'a str]) -> (Option<&'a str>, Option<&'static str>) {
    if raw.is_empty() {
        return (None, None);
    }
    match choices.iter().find(|choice| **choice == raw) {
        Some(found) => (Some(*found), None),
        None => (None, Some("Choose a status from the list.")),
    }
}
