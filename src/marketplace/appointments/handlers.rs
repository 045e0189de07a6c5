//! Appointment routes (`appointments/...`): the contract's two parties and staff read; the
//! parties propose and move.

use axum::{extract::State, http::StatusCode, Json};
use uuid::Uuid;

use super::{
    filters::AppointmentFilters,
    request::{AppointmentChange, NewAppointment},
    rules::Status,
    service,
    views::AppointmentView,
};
use crate::{
    accounts::CurrentUser,
    error::ApiError,
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    marketplace::ids,
    state::AppState,
    validation::Draft,
};

/// The caller's appointments (staff: everyone's), by `starts_at` unless `ordering` says otherwise.
#[utoipa::path(get, path = "/appointments/", tag = "marketplace", security(("bearer" = [])),
    params(("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query),
        ("contract" = Option<String>, Query, format = Uuid, description = "only this contract's"),
        ("status" = Option<String>, Query, description = "proposed, confirmed, cancelled or done"),
        ("search" = Option<String>, Query, description = "in the location and notes"),
        ("ordering" = Option<String>, Query, description = "starts_at (default) or created_at; `-` for descending")),
    responses((status = 200, body = Page<AppointmentView>), (status = 400, description = "malformed filter"),
        (status = 401), (status = 404, description = "Invalid page.")))]
pub async fn list_appointments(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    query: QueryPairs,
    page: PageRequest,
) -> Result<Json<Page<AppointmentView>>, ApiError> {
    let filters = AppointmentFilters::parse(&user, &query)?;
    Ok(Json(service::list(&state, &filters, &page).await?))
}

/// Propose an appointment on a contract the caller is a party of (active or delivered); the
/// other party is notified and confirms.
#[utoipa::path(post, path = "/appointments/", tag = "marketplace", request_body = NewAppointment,
    security(("bearer" = [])),
    responses((status = 201, body = AppointmentView),
        (status = 400, description = "invalid field, ends_at not after starts_at, or a contract the caller is no party of"),
        (status = 401), (status = 409, description = "invalid_state: the contract is not active or delivered")))]
pub async fn create_appointment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    draft: Draft<NewAppointment>,
) -> Result<(StatusCode, Json<AppointmentView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::propose(&state, &user, draft).await?),
    ))
}

/// One appointment (its parties and staff).
#[utoipa::path(get, path = "/appointments/{id}/", tag = "marketplace", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = AppointmentView), (status = 401), (status = 404)))]
pub async fn get_appointment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<Json<AppointmentView>, ApiError> {
    Ok(Json(service::get(&state, &user, &ids::stored(id)).await?))
}

/// Move an appointment (`confirmed` by the party who didn't propose it, `cancelled` by either,
/// `done` once confirmed) or, while proposed, let its proposer change the times, location or
/// notes. A confirmation that would overlap another of the provider's confirmed appointments is
/// refused.
#[utoipa::path(patch, path = "/appointments/{id}/", tag = "marketplace", request_body = AppointmentChange,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = AppointmentView), (status = 400), (status = 401),
        (status = 403, description = "staff who are no party, or an edit by the party who didn't propose it"),
        (status = 404),
        (status = 409, description = "invalid_transition (with `allowed`), invalid_state or appointment_overlap")))]
pub async fn patch_appointment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
    draft: Draft<AppointmentChange>,
) -> Result<Json<AppointmentView>, ApiError> {
    Ok(Json(
        service::change(&state, &user, &ids::stored(id), draft).await?,
    ))
}

/// Cancel an appointment (either party), from proposed or confirmed.
#[utoipa::path(delete, path = "/appointments/{id}/", tag = "marketplace",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401), (status = 403, description = "staff who are no party"),
        (status = 404), (status = 409, description = "invalid_transition: already cancelled or done")))]
pub async fn delete_appointment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let cancel = Draft {
        request: AppointmentChange::status(Status::Cancelled),
        errors: Default::default(),
    };
    service::change(&state, &user, &ids::stored(id), cancel).await?;
    Ok(StatusCode::NO_CONTENT)
}
