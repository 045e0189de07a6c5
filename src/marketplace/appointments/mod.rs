//! Appointments (SPEC §3.12): a contract's two parties meet at agreed times. One party proposes,
//! the other confirms; either cancels, and either marks a confirmed one done. A provider's
//! confirmed appointments never overlap: confirmations of one provider are serialised on the
//! provider's row and checked against the others in the same transaction (`service::confirm`).

mod filters;
mod handlers;
mod request;
mod rules;
mod service;
mod store;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

/// The appointment routes (`appointments/...`).
pub fn router() -> OpenApiRouter<AppState> {
    use handlers as h;
    OpenApiRouter::new()
        .routes(routes!(h::list_appointments, h::create_appointment))
        .routes(routes!(
            h::get_appointment,
            h::patch_appointment,
            h::delete_appointment
        ))
}
