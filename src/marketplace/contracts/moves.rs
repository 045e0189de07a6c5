//! Moving a contract along its machine (`status.rs`): the rule check, the conditional update,
//! the history row, the request's close and the parties' notifications in one transaction. The
//! API's `update_status` and the staff dashboard's dispute buttons both come through here.

use serde_json::json;

use super::{
    status::{self, Hats, Status},
    store::{self, Contract},
    views::ContractView,
};
use crate::{
    error::ApiError,
    marketplace::requests::{self, Caller},
    notify::{notify_user, Announcement, Notice, NotificationType},
    state::AppState,
};

/// The hats `caller` wears on `contract`.
pub fn hats(caller: &Caller, contract: &Contract) -> Hats {
    Hats {
        client: contract.view.client == caller.user_id,
        provider: caller.is_provider(&contract.view.provider),
        staff: caller.is_staff,
    }
}

/// The `409` for a move the caller may not make now, with the moves they may make.
fn invalid_transition(from: Status, to: Status, hats: Hats) -> ApiError {
    let allowed: Vec<&str> = status::allowed(from, hats)
        .into_iter()
        .map(Status::as_str)
        .collect();
    ApiError::conflict(
        "invalid_transition",
        format!("Cannot move this contract from {from} to {to}."),
    )
    .with_extra("allowed", json!(allowed))
}

/// What the other party (both, when staff moved it) is told.
fn moved(contract: &ContractView, from: Status, to: Status, note: &str) -> Notice {
    let mut message = format!("Contract {} moved from {from} to {to}.", contract.id);
    if !note.is_empty() {
        message.push_str(&format!(" Note: {note}"));
    }
    Notice {
        kind: NotificationType::Contract,
        title: format!("Contract {to}"),
        message,
        action_url: format!("/contracts/{}", contract.id),
        email: None,
    }
}

/// Moves `contract` (as read by `caller`, who may see it) to `to`. The move is conditional on
/// the status it was read in, so of two racing moves one wins and the other is a `409`. It
/// writes a history row and notifies the other party (both, when staff moved it); a completed
/// or cancelled contract closes its request.
pub async fn apply_move(
    state: &AppState,
    caller: &Caller,
    contract: &Contract,
    to: Status,
    note: &str,
) -> Result<(), ApiError> {
    let id = contract.view.id.as_str();
    let hats = hats(caller, contract);
    let from = Status::parse(&contract.view.status)
        .ok_or_else(|| anyhow::anyhow!("contract {id} has an unknown status"))?;
    if !status::may_move(from, to, hats) {
        return Err(invalid_transition(from, to, hats));
    }
    let mut tx = state.db.begin_write().await?;
    if !store::move_status(&mut tx, id, from, to).await? {
        // Another move won since the read: answer from where the contract is now.
        let now = store::status_of(&mut tx, id).await?.unwrap_or(from);
        return Err(invalid_transition(now, to, hats));
    }
    store::record(&mut tx, id, Some(from), to, note, caller.user_id).await?;
    if to.is_final() {
        requests::close(&mut tx, &contract.view.request).await?;
    }
    let notice = moved(&contract.view, from, to, note);
    let mut recipients = vec![contract.view.client, contract.provider_user_id];
    recipients.retain(|recipient| *recipient != caller.user_id);
    recipients.dedup();
    let mut announcement = Announcement::default();
    for recipient in recipients {
        announcement = announcement.and(notify_user(&mut tx, recipient, &notice).await?);
    }
    tx.commit().await?;
    announcement.announce(&state.live);
    Ok(())
}
