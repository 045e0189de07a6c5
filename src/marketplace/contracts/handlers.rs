//! Contract routes (`contracts/...`): the two parties and staff read; `update_status` moves a
//! contract along its machine (`status.rs`).

use axum::{extract::State, Json};
use uuid::Uuid;

use super::{
    moves,
    request::StatusWrite,
    status::Status,
    store::{self, ContractFilters},
    views::ContractView,
};
use crate::{
    accounts::CurrentUser,
    error::{ApiError, FieldErrors},
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    marketplace::{ids, listing, requests::Caller},
    state::AppState,
    validation::Draft,
};

/// List the contracts the caller is a party to (staff: all), newest first.
#[utoipa::path(get, path = "/contracts/", tag = "marketplace", security(("bearer" = [])),
    params(("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query),
        ("status" = Option<String>, Query, description = "active, delivered, completed, disputed or cancelled"),
        ("ordering" = Option<String>, Query, description = "created_at or -created_at")),
    responses((status = 200, body = Page<ContractView>), (status = 400, description = "an unknown status"),
        (status = 401), (status = 404, description = "Invalid page.")))]
pub async fn list_contracts(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    query: QueryPairs,
    page: PageRequest,
) -> Result<Json<Page<ContractView>>, ApiError> {
    let mut errors = FieldErrors::new();
    let names: Vec<&'static str> = Status::ALL.into_iter().map(Status::as_str).collect();
    let status = listing::status_filter(&query, &names, &mut errors);
    errors.into_result()?;
    let filters = ContractFilters {
        status,
        ordering: listing::parse_ordering(&query, store::SORTABLE),
    };
    let caller = Caller::of(&state.db, &user).await?;
    Ok(Json(
        store::list(&state.db, &caller, &filters, &page).await?,
    ))
}

/// One contract, with its status history.
#[utoipa::path(get, path = "/contracts/{id}/", tag = "marketplace", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = ContractView), (status = 401),
        (status = 404, description = "no such contract, or the caller is neither a party nor staff")))]
pub async fn get_contract(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<Json<ContractView>, ApiError> {
    let caller = Caller::of(&state.db, &user).await?;
    store::find_visible(&state.db, &caller, &ids::stored(id))
        .await?
        .map(|contract| Json(contract.view))
        .ok_or_else(ApiError::not_found)
}

/// Move a contract's status: the provider delivers, the client completes or disputes, either
/// party cancels while active, staff resolve disputes. The move is conditional on the status it
/// was read in, so of two racing moves one wins and the other is a `409`. It writes a history
/// row and notifies the other party (both, when staff moved it); a completed or cancelled
/// contract closes its request.
#[utoipa::path(post, path = "/contracts/{id}/update_status/", tag = "marketplace",
    request_body = StatusWrite, params(("id" = String, Path, format = Uuid)), security(("bearer" = [])),
    responses((status = 200, body = ContractView), (status = 400, description = "an unknown status"),
        (status = 401), (status = 404, description = "no such contract, or the caller is neither a party nor staff"),
        (status = 409, description = "`invalid_transition`, with `allowed`: the statuses the caller may move it to now")))]
pub async fn update_contract_status(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
    draft: Draft<StatusWrite>,
) -> Result<Json<ContractView>, ApiError> {
    let id = ids::stored(id);
    let caller = Caller::of(&state.db, &user).await?;
    let contract = store::find_visible(&state.db, &caller, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let body = draft.finish()?;
    let note = body.note.unwrap_or_default();
    moves::apply_move(&state, &caller, &contract, body.status, &note).await?;
    store::find_visible(&state.db, &caller, &id)
        .await?
        .map(|contract| Json(contract.view))
        .ok_or_else(ApiError::not_found)
}
