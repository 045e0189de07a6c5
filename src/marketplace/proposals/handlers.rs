//! Proposal routes (`proposals/...`, `requests/{id}/proposals/`): providers propose on open
//! requests they can see; the provider and the request's client read them; the provider edits or
//! withdraws while pending. Accepting is `accept.rs`.

use axum::{extract::State, http::StatusCode, Json};
use uuid::Uuid;

use super::{
    request::ProposalWrite,
    store::{self, ProposalFilters},
    views::ProposalView,
};
use crate::{
    accounts::CurrentUser,
    error::{ApiError, FieldErrors},
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    marketplace::{
        ids, listing,
        requests::{self, Caller},
    },
    notify::{notify_user, Notice, NotificationType},
    state::AppState,
    validation::{messages, Draft},
};

/// The `409` for a write on a proposal that is no longer pending.
fn not_pending() -> ApiError {
    ApiError::conflict("invalid_state", "This proposal is no longer pending.")
}

fn filters(query: &QueryPairs) -> Result<ProposalFilters, ApiError> {
    let mut errors = FieldErrors::new();
    let status = listing::status_filter(
        query,
        &["pending", "accepted", "rejected", "withdrawn"],
        &mut errors,
    );
    let request = query
        .get("request")
        .and_then(|raw| match Uuid::parse_str(raw) {
            Ok(id) => Some(ids::stored(id)),
            Err(_) => {
                errors.add("request", messages::UNKNOWN_CHOICE);
                None
            }
        });
    errors.into_result()?;
    Ok(ProposalFilters {
        status,
        request,
        only_own: false,
        ordering: listing::parse_ordering(query, store::SORTABLE),
    })
}

/// Adds the `service` rule to `draft`: a named service must be the proposer's own.
async fn check_service(
    state: &AppState,
    draft: &mut Draft<ProposalWrite>,
    provider_id: &str,
) -> Result<(), ApiError> {
    if let Some(Some(service)) = &draft.request.service {
        if !store::is_own_service(&state.db, service, provider_id).await? {
            let message = messages::missing_reference(service);
            draft.errors.add("service", message);
        }
    }
    Ok(())
}

/// The caller's own proposal by id (`404` when it isn't visible or isn't theirs).
async fn own_proposal(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<(ProposalView, String), ApiError> {
    let proposal = store::find_visible(&state.db, caller, id)
        .await?
        .filter(|proposal| caller.is_provider(&proposal.provider))
        .ok_or_else(ApiError::not_found)?;
    let provider = proposal.provider.clone();
    Ok((proposal, provider))
}

/// List the proposals the caller made or received on their requests.
#[utoipa::path(get, path = "/proposals/", tag = "marketplace", security(("bearer" = [])),
    params(("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query),
        ("status" = Option<String>, Query, description = "pending, accepted, rejected or withdrawn"),
        ("request" = Option<String>, Query, description = "a request id"),
        ("ordering" = Option<String>, Query, description = "created_at or price; `-` descending")),
    responses((status = 200, body = Page<ProposalView>), (status = 400, description = "a malformed filter"),
        (status = 401), (status = 404, description = "Invalid page.")))]
pub async fn list_proposals(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    query: QueryPairs,
    page: PageRequest,
) -> Result<Json<Page<ProposalView>>, ApiError> {
    let filters = filters(&query)?;
    let caller = Caller::of(&state.db, &user).await?;
    Ok(Json(
        store::list(&state.db, &caller, &filters, &page).await?,
    ))
}

/// A request's proposals: all of them for its client, a provider's own for a provider.
#[utoipa::path(get, path = "/requests/{id}/proposals/", tag = "marketplace", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid), ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query),
        ("status" = Option<String>, Query, description = "pending, accepted, rejected or withdrawn"),
        ("ordering" = Option<String>, Query, description = "created_at or price; `-` descending")),
    responses((status = 200, body = Page<ProposalView>), (status = 400, description = "a malformed filter"),
        (status = 401),
        (status = 404, description = "the request isn't visible, or the caller is neither its client nor a provider")))]
pub async fn list_request_proposals(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
    query: QueryPairs,
    page: PageRequest,
) -> Result<Json<Page<ProposalView>>, ApiError> {
    let id = ids::stored(id);
    let mut filters = filters(&query)?;
    let caller = Caller::of(&state.db, &user).await?;
    let request = requests::find_visible(&state.db, &caller, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    filters.request = Some(id);
    filters.only_own = request.client != caller.user_id;
    if filters.only_own && caller.provider_id.is_none() {
        return Err(ApiError::not_found());
    }
    Ok(Json(
        store::list(&state.db, &caller, &filters, &page).await?,
    ))
}

/// What a client is told of a new proposal.
fn submitted(request: &requests::RequestView, proposal_id: &str, provider: &str) -> Notice {
    Notice {
        kind: NotificationType::Proposal,
        title: "New proposal".into(),
        message: format!("{provider} proposed on your request \"{}\".", request.title),
        action_url: format!("/proposals/{proposal_id}"),
        email: None,
    }
}

/// Propose on an open request (providers). In one transaction the request's `proposals_count`
/// goes up and its client is notified.
#[utoipa::path(post, path = "/proposals/", tag = "marketplace", request_body = ProposalWrite,
    security(("bearer" = [])),
    responses((status = 201, body = ProposalView),
        (status = 400, description = "invalid fields; an unknown or invisible `request`; the caller's own request; a `service` not theirs"),
        (status = 401), (status = 403, description = "the caller has no provider profile"),
        (status = 409, description = "the request is not open (`invalid_state`), or the caller already has a pending proposal on it (`duplicate_proposal`)")))]
pub async fn create_proposal(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    mut draft: Draft<ProposalWrite>,
) -> Result<(StatusCode, Json<ProposalView>), ApiError> {
    let caller = Caller::of(&state.db, &user).await?;
    let Some(provider_id) = caller.provider_id.clone() else {
        return Err(ApiError::client(
            StatusCode::FORBIDDEN,
            "permission_denied",
            "Create a provider profile before proposing.",
        ));
    };
    let mut target = None;
    if let Some(request_id) = draft.request.request.clone() {
        match requests::find_visible(&state.db, &caller, &request_id).await? {
            None => draft
                .errors
                .add("request", messages::missing_reference(&request_id)),
            Some(request) if request.client == user.id => draft
                .errors
                .add("request", "You cannot propose on your own request."),
            Some(request) => target = Some(request),
        }
    }
    check_service(&state, &mut draft, &provider_id).await?;
    let body = draft.finish()?;
    let request = target.ok_or_else(|| FieldErrors::single("request", messages::REQUIRED))?;
    if request.status != "open" {
        return Err(requests::not_open());
    }
    let mut tx = state.db.begin_write().await?;
    // The request's row lock first, as every bidding move takes it: an accept or a cancel that
    // committed meanwhile makes this a `409`.
    if !requests::count_proposal(&mut tx, &request.id).await? {
        return Err(requests::not_open());
    }
    let id = store::insert(&mut tx, &request.id, &provider_id, &body).await?;
    let notice = submitted(&request, &id, &user.username);
    let announcement = notify_user(&mut tx, request.client, &notice).await?;
    tx.commit().await?;
    announcement.announce(&state.live);
    let created = store::find_visible(&state.db, &caller, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// One proposal, for its provider or its request's client.
#[utoipa::path(get, path = "/proposals/{id}/", tag = "marketplace", security(("bearer" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = ProposalView), (status = 401), (status = 404)))]
pub async fn get_proposal(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<Json<ProposalView>, ApiError> {
    let caller = Caller::of(&state.db, &user).await?;
    store::find_visible(&state.db, &caller, &ids::stored(id))
        .await?
        .map(Json)
        .ok_or_else(ApiError::not_found)
}

/// Change the caller's pending proposal (`service`, `price`, `message`, `estimated_days`).
#[utoipa::path(patch, path = "/proposals/{id}/", tag = "marketplace", request_body = ProposalWrite,
    params(("id" = String, Path, format = Uuid)), security(("bearer" = [])),
    responses((status = 200, body = ProposalView), (status = 400), (status = 401),
        (status = 404, description = "not the caller's proposal"),
        (status = 409, description = "the proposal is no longer pending (`invalid_state`)")))]
pub async fn patch_proposal(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
    mut draft: Draft<ProposalWrite>,
) -> Result<Json<ProposalView>, ApiError> {
    let id = ids::stored(id);
    let caller = Caller::of(&state.db, &user).await?;
    let (proposal, provider_id) = own_proposal(&state, &caller, &id).await?;
    if proposal.status != "pending" {
        return Err(not_pending());
    }
    check_service(&state, &mut draft, &provider_id).await?;
    let changes = draft.finish()?;
    if !store::update(&state.db, &id, &provider_id, &changes).await? {
        return Err(not_pending());
    }
    store::find_visible(&state.db, &caller, &id)
        .await?
        .map(Json)
        .ok_or_else(ApiError::not_found)
}

/// Withdraw the caller's pending proposal: kept as `withdrawn`, and no longer counted on its
/// request.
#[utoipa::path(delete, path = "/proposals/{id}/", tag = "marketplace",
    params(("id" = String, Path, format = Uuid)), security(("bearer" = [])),
    responses((status = 204, description = "withdrawn"), (status = 401),
        (status = 404, description = "not the caller's proposal"),
        (status = 409, description = "the proposal is no longer pending (`invalid_state`)")))]
pub async fn withdraw_proposal(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let id = ids::stored(id);
    let caller = Caller::of(&state.db, &user).await?;
    let (proposal, _) = own_proposal(&state, &caller, &id).await?;
    let mut tx = state.db.begin_write().await?;
    // The request's row first (the lock order of every bidding move), then the proposal; if it
    // is no longer pending the transaction rolls back, count included.
    requests::uncount_proposal(&mut tx, &proposal.request).await?;
    if !store::withdraw(&mut tx, &id).await? {
        return Err(not_pending());
    }
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
