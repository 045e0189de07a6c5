//! `POST proposals/{id}/accept/`: the client picks a proposal. ONE transaction, in the lock
//! order of every bidding move (the request's row, then proposals):
//! 1. `open → awarded` on the request, conditionally: the lock point. Of two racing accepts on
//!    the same request only one sees the row; the other is a `409`.
//! 2. `pending → accepted` on the proposal, conditionally (`409` otherwise).
//! 3. the request's other pending proposals → `rejected`.
//! 4. the contract (`active`, the proposal's price) and its first history row; its unique
//!    request and proposal keys are the last guard.
//! 5. one notification per person: the accepted provider (`proposal`), each rejected provider
//!    (`proposal`), the client (`contract`).

use axum::{extract::State, http::StatusCode, Json};
use uuid::Uuid;

use super::store::{self, AcceptTarget};
use crate::{
    accounts::CurrentUser,
    error::ApiError,
    http::extract::Path,
    marketplace::{
        contracts::{self, ContractView, NewContract},
        ids,
        requests::{self, Caller},
    },
    notify::{notify_user, Announcement, Notice, NotificationType},
    state::AppState,
};

fn notice(kind: NotificationType, title: &str, message: String, action_url: String) -> Notice {
    Notice {
        kind,
        title: title.into(),
        message,
        action_url,
        email: None,
    }
}

/// Accept a proposal on the caller's open request: the proposal is accepted, the others
/// rejected, the request awarded and a contract created, all or nothing.
#[utoipa::path(post, path = "/proposals/{id}/accept/", tag = "marketplace",
    params(("id" = String, Path, format = Uuid)), security(("bearer" = [])),
    responses((status = 201, body = ContractView, description = "the new contract"), (status = 401),
        (status = 404, description = "no such proposal, or the caller isn't its request's client"),
        (status = 409, description = "the request is not open or the proposal not pending (`invalid_state`)")))]
pub async fn accept_proposal(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<(StatusCode, Json<ContractView>), ApiError> {
    let id = ids::stored(id);
    let target: AcceptTarget = store::accept_target(&state.db, &id)
        .await?
        .filter(|target| target.client_id == user.id)
        .ok_or_else(ApiError::not_found)?;
    let mut tx = state.db.begin_write().await?;
    if !requests::leave_open(&mut tx, &target.request_id, "awarded").await? {
        return Err(requests::not_open());
    }
    let Some(price) = store::accept(&mut tx, &id).await? else {
        return Err(ApiError::conflict(
            "invalid_state",
            "This proposal is no longer pending.",
        ));
    };
    let rejected = requests::reject_pending(&mut tx, &target.request_id).await?;
    let contract_id = contracts::open(
        &mut tx,
        &NewContract {
            request_id: &target.request_id,
            proposal_id: &id,
            client_id: user.id,
            provider_id: &target.provider_id,
            price,
        },
    )
    .await?;
    let title = &target.request_title;
    let contract_url = format!("/contracts/{contract_id}");
    let mut announcement: Announcement = notify_user(
        &mut tx,
        target.provider_user_id,
        &notice(
            NotificationType::Proposal,
            "Proposal accepted",
            format!("Your proposal on \"{title}\" was accepted; the contract is active."),
            contract_url.clone(),
        ),
    )
    .await?;
    for other in rejected {
        let told = notify_user(
            &mut tx,
            other.provider_user_id,
            &notice(
                NotificationType::Proposal,
                "Proposal not accepted",
                format!("Another proposal on \"{title}\" was accepted."),
                format!("/proposals/{}", other.proposal_id),
            ),
        )
        .await?;
        announcement = announcement.and(told);
    }
    let told = notify_user(
        &mut tx,
        user.id,
        &notice(
            NotificationType::Contract,
            "Contract started",
            format!("Your contract for \"{title}\" is active."),
            contract_url,
        ),
    )
    .await?;
    announcement = announcement.and(told);
    tx.commit().await?;
    announcement.announce(&state.live);
    let caller = Caller::of(&state.db, &user).await?;
    let contract = contracts::find_visible(&state.db, &caller, &contract_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, Json(contract.view)))
}
