//! Request routes (`requests/...`): any signed-in user posts requests as their client; staff,
//! the client and providers read them (see `store::push_visible`); only the client edits or
//! cancels, and only while the request is open.

use axum::{extract::State, http::StatusCode, Json};
use uuid::Uuid;

use super::{
    caller::Caller,
    request::{RequestWrite, BUDGET_ORDER},
    store::{self, RequestFilters},
    views::RequestView,
};
use crate::{
    accounts::CurrentUser,
    error::{ApiError, FieldErrors},
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    marketplace::{ids, listing},
    notify::{notify_user, Announcement, Notice, NotificationType},
    state::AppState,
    validation::{messages, Draft},
};

/// The `409` for a write on a request that is no longer open.
pub fn not_open() -> ApiError {
    ApiError::conflict("invalid_state", "This request is no longer open.")
}

fn filters(query: &QueryPairs) -> Result<RequestFilters, ApiError> {
    let mut errors = FieldErrors::new();
    let status = listing::status_filter(query, &super::STATUSES, &mut errors);
    let category = query
        .get("category")
        .and_then(|raw| match Uuid::parse_str(raw) {
            Ok(id) => Some(ids::stored(id)),
            Err(_) => {
                errors.add("category", messages::UNKNOWN_CHOICE);
                None
            }
        });
    errors.into_result()?;
    Ok(RequestFilters {
        status,
        category,
        search: query.get("search").map(str::to_owned),
        ordering: listing::parse_ordering(query, store::SORTABLE),
    })
}

/// Adds the budget rule to `draft`: `budget_max` at least `budget_min`, the stored values
/// standing in for the ones a PATCH leaves out.
fn check_budget(draft: &mut Draft<RequestWrite>, current: Option<&RequestView>) {
    let body = &draft.request;
    let min = body
        .budget_min
        .unwrap_or_else(|| current.and_then(|r| r.budget_min));
    let max = body
        .budget_max
        .unwrap_or_else(|| current.and_then(|r| r.budget_max));
    if let (Some(min), Some(max)) = (min, max) {
        if min > max && !draft.errors.has("budget_max") {
            draft.errors.add("budget_max", BUDGET_ORDER);
        }
    }
}

/// The caller's own request by id (`404` when it isn't visible or isn't theirs).
async fn own_request(state: &AppState, caller: &Caller, id: &str) -> Result<RequestView, ApiError> {
    store::find_visible(&state.db, caller, id)
        .await?
        .filter(|request| request.client == caller.user_id)
        .ok_or_else(ApiError::not_found)
}

/// List the requests the caller may see: staff all, a client their own, a provider also every
/// open request and those they proposed on.
#[utoipa::path(get, path = "/requests/", tag = "marketplace", security(("bearer" = [])),
    params(("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query),
        ("status" = Option<String>, Query, description = "open, awarded, closed or cancelled"),
        ("category" = Option<String>, Query, description = "a category id"),
        ("search" = Option<String>, Query, description = "in the title and description"),
        ("ordering" = Option<String>, Query, description = "created_at, deadline, budget_max; `-` descending")),
    responses((status = 200, body = Page<RequestView>), (status = 400, description = "a malformed filter"),
        (status = 401), (status = 404, description = "Invalid page.")))]
pub async fn list_requests(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    query: QueryPairs,
    page: PageRequest,
) -> Result<Json<Page<RequestView>>, ApiError> {
    let filters = filters(&query)?;
    let caller = Caller::of(&state.db, &user).await?;
    Ok(Json(
        store::list(&state.db, &caller, &filters, &page).await?,
    ))
}

/// Post a request for work; the caller is its client.
#[utoipa::path(post, path = "/requests/", tag = "marketplace", request_body = RequestWrite,
    security(("bearer" = [])),
    responses((status = 201, body = RequestView), (status = 400), (status = 401)))]
pub async fn create_request(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    mut draft: Draft<RequestWrite>,
) -> Result<(StatusCode, Json<RequestView>), ApiError> {
    check_budget(&mut draft, None);
    let body = draft.finish()?;
    let id = store::insert(&state.db, user.id, &body).await?;
    let caller = Caller::of(&state.db, &user).await?;
    let created = store::find_visible(&state.db, &caller, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One request, if the caller may see it.
#[utoipa::path(get, path = "/requests/{id}/", tag = "marketplace", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = RequestView), (status = 401), (status = 404)))]
pub async fn get_request(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<Json<RequestView>, ApiError> {
    let caller = Caller::of(&state.db, &user).await?;
    store::find_visible(&state.db, &caller, &ids::stored(id))
        .await?
        .map(Json)
        .ok_or_else(ApiError::not_found)
}

/// Change some of the caller's open request.
#[utoipa::path(patch, path = "/requests/{id}/", tag = "marketplace", request_body = RequestWrite,
    params(("id" = String, Path, format = Uuid)), security(("bearer" = [])),
    responses((status = 200, body = RequestView), (status = 400), (status = 401),
        (status = 404, description = "not the caller's request"),
        (status = 409, description = "the request is no longer open (`invalid_state`)")))]
pub async fn patch_request(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
    mut draft: Draft<RequestWrite>,
) -> Result<Json<RequestView>, ApiError> {
    let id = ids::stored(id);
    let caller = Caller::of(&state.db, &user).await?;
    let current = own_request(&state, &caller, &id).await?;
    if current.status != "open" {
        return Err(not_open());
    }
    check_budget(&mut draft, Some(&current));
    let changes = draft.finish()?;
    // Conditional on `open`: a cancel or an accept that won meanwhile makes this a `409`.
    if !store::update(&state.db, &id, user.id, &changes).await? {
        return Err(not_open());
    }
    store::find_visible(&state.db, &caller, &id)
        .await?
        .map(Json)
        .ok_or_else(ApiError::not_found)
}

/// What a provider is told when the request they proposed on is cancelled.
fn cancelled(request: &RequestView, proposal_id: &str) -> Notice {
    Notice {
        kind: NotificationType::Proposal,
        title: "Request cancelled".into(),
        message: format!(
            "The request \"{}\" was cancelled by its client; your proposal was rejected.",
            request.title
        ),
        action_url: format!("/proposals/{proposal_id}"),
        email: None,
    }
}

/// Cancel the caller's open request. It is kept (status `cancelled`), not erased, so the
/// providers who proposed keep their history; its pending proposals are rejected and their
/// providers told.
#[utoipa::path(delete, path = "/requests/{id}/", tag = "marketplace",
    params(("id" = String, Path, format = Uuid)), security(("bearer" = [])),
    responses((status = 204, description = "cancelled"), (status = 401),
        (status = 404, description = "not the caller's request"),
        (status = 409, description = "the request is no longer open (`invalid_state`)")))]
pub async fn cancel_request(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let id = ids::stored(id);
    let caller = Caller::of(&state.db, &user).await?;
    let request = own_request(&state, &caller, &id).await?;
    let mut tx = state.db.begin_write().await?;
    if !store::leave_open(&mut tx, &id, "cancelled").await? {
        return Err(not_open());
    }
    let mut announcement = Announcement::default();
    for rejected in store::reject_pending(&mut tx, &id).await? {
        let notice = cancelled(&request, &rejected.proposal_id);
        announcement =
            announcement.and(notify_user(&mut tx, rejected.provider_user_id, &notice).await?);
    }
    tx.commit().await?;
    announcement.announce(&state.live);
    Ok(StatusCode::NO_CONTENT)
}
