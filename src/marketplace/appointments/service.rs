//! The appointment use cases behind the routes: proposing, reading, and every move, each write
//! in one transaction with its notification.

use serde_json::json;
use sqlx::AnyConnection;

use super::{
    filters::AppointmentFilters,
    request::{AppointmentChange, NewAppointment, ENDS_BEFORE_START},
    rules::{self, Side, Status},
    store::{self, AppointmentRow},
    views::AppointmentView,
};
use crate::{
    accounts::AuthUser,
    db::types::format_micros,
    error::{ApiError, FieldErrors},
    http::pagination::{Page, PageRequest},
    marketplace::ids,
    notify::{notify_user, Announcement, Notice, NotificationType},
    state::AppState,
    validation::{messages, Draft},
};

/// One page of the appointments the caller may see (staff: all).
pub async fn list(
    state: &AppState,
    filters: &AppointmentFilters,
    page: &PageRequest,
) -> Result<Page<AppointmentView>, ApiError> {
    let count = store::count(&state.db, filters).await?;
    let rows = if page.offset() < count {
        store::page(&state.db, filters, page.limit(), page.offset()).await?
    } else {
        Vec::new()
    };
    page.page(count, rows.iter().map(AppointmentRow::view).collect())
}

/// Appointment `id` if `user` may see it, else `404`.
pub async fn get(state: &AppState, user: &AuthUser, id: &str) -> Result<AppointmentView, ApiError> {
    store::find(&state.db.pool, id)
        .await?
        .filter(|row| row.visible_to(user))
        .map(|row| row.view())
        .ok_or_else(ApiError::not_found)
}

/// A party proposes an appointment on their contract; the other party is told.
pub async fn propose(
    state: &AppState,
    user: &AuthUser,
    mut draft: Draft<NewAppointment>,
) -> Result<AppointmentView, ApiError> {
    let mut tx = state.db.begin_write().await?;
    // A contract the caller is no party of is as unknown as one that doesn't exist.
    let contract = match draft.request.contract.clone() {
        Some(id) => {
            let found = store::party_contract(&mut tx, &id, user.id).await?;
            if found.is_none() {
                draft
                    .errors
                    .add("contract", messages::missing_reference(&id));
            }
            found
        }
        None => None,
    };
    let new = draft.finish()?;
    let (Some(contract), Some(starts_at), Some(ends_at)) = (contract, new.starts_at, new.ends_at)
    else {
        // `finish` refused a body without these.
        return Err(FieldErrors::single("non_field_errors", "Invalid data."));
    };
    if !rules::contract_schedulable(&contract.status) {
        return Err(contract_not_schedulable(&contract.status));
    }
    let id = ids::new_id();
    let row = store::NewRow {
        id: &id,
        contract: &contract,
        proposed_by: user.id,
        starts_at,
        ends_at,
        location: new.location.as_deref().unwrap_or_default(),
        notes: new.notes.as_deref().unwrap_or_default(),
    };
    store::insert(&mut tx, &row).await?;
    let other = if user.id == contract.client_id {
        contract.provider_user_id
    } else {
        contract.client_id
    };
    let announcement =
        notify_user(&mut tx, other, &proposed_notice(&id, starts_at, ends_at)).await?;
    tx.commit().await?;
    announcement.announce(&state.live);
    get(state, user, &id).await
}

/// Applies a PATCH (or a DELETE, as a cancel) by one of the parties: `404` for anyone who may
/// not see the appointment, then the body's `400`, `403` for staff who are no party, `409` for
/// a move the caller may not make (with `allowed`) or an overlapping confirmation.
pub async fn change(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    draft: Draft<AppointmentChange>,
) -> Result<AppointmentView, ApiError> {
    let mut tx = state.db.begin_write().await?;
    let row = store::find(&mut *tx, id)
        .await?
        .filter(|row| row.visible_to(user))
        .ok_or_else(ApiError::not_found)?;
    let change = draft.finish()?;
    let side = row
        .side_of(user.id)
        .ok_or_else(ApiError::permission_denied)?;
    let starts_at = change.starts_at.unwrap_or(row.starts_at);
    let ends_at = change.ends_at.unwrap_or(row.ends_at);
    if change.edits() {
        if ends_at <= starts_at {
            return Err(FieldErrors::single("ends_at", ENDS_BEFORE_START));
        }
        check_editable(&row, side)?;
    }
    // Sending the current status back (with an edit, say) moves nothing.
    let target = change.status.filter(|status| *status != row.status);
    if let Some(to) = target {
        if !rules::allowed(row.status, side).contains(&to) {
            return Err(invalid_transition(row.status, side, to));
        }
    }
    if change.edits() {
        let edited = store::edit(
            &mut tx,
            id,
            starts_at,
            ends_at,
            change.location.as_deref(),
            change.notes.as_deref(),
        )
        .await?;
        if !edited {
            return Err(not_proposed());
        }
    }
    let mut announcement = Announcement::default();
    match target {
        Some(Status::Confirmed) => {
            if !rules::contract_schedulable(&row.contract_status) {
                return Err(contract_not_schedulable(&row.contract_status));
            }
            confirm(&mut tx, &row, starts_at, ends_at, side).await?;
            let notice = confirmed_notice(id, starts_at, ends_at);
            announcement = notify_user(&mut tx, row.proposed_by, &notice).await?;
        }
        Some(to) => {
            let moved = store::move_status(&mut tx, id, row.status, to).await?;
            if !moved {
                return Err(changed_meanwhile(state, side, id, to).await);
            }
        }
        None => {}
    }
    tx.commit().await?;
    announcement.announce(&state.live);
    get(state, user, id).await
}

/// Confirms `row` at `[starts_at, ends_at)` unless it overlaps another of its provider's
/// confirmed appointments. Confirmations of one provider are serialised on the provider's row
/// first, so two overlapping ones can't both pass the check.
async fn confirm(
    conn: &mut AnyConnection,
    row: &AppointmentRow,
    starts_at: i64,
    ends_at: i64,
    side: Side,
) -> Result<(), ApiError> {
    store::lock_provider(&mut *conn, &row.provider_id).await?;
    if store::overlaps_confirmed(&mut *conn, &row.provider_id, &row.id, starts_at, ends_at).await? {
        return Err(ApiError::conflict(
            "appointment_overlap",
            "The provider has a confirmed appointment at that time.",
        ));
    }
    if !store::confirm(&mut *conn, &row.id, starts_at, ends_at).await? {
        // Cancelled or edited by a request that committed first.
        let fresh = store::find(&mut *conn, &row.id).await?;
        let from = fresh.map_or(row.status, |fresh| fresh.status);
        return Err(invalid_transition(from, side, Status::Confirmed));
    }
    Ok(())
}

/// Only the proposer edits, and only while the appointment is proposed on a live contract.
fn check_editable(row: &AppointmentRow, side: Side) -> Result<(), ApiError> {
    if side != Side::Proposer {
        return Err(ApiError::permission_denied());
    }
    if row.status != Status::Proposed {
        return Err(not_proposed());
    }
    if !rules::contract_schedulable(&row.contract_status) {
        return Err(contract_not_schedulable(&row.contract_status));
    }
    Ok(())
}

/// The `409` for a move another request made impossible: `allowed` from the fresh state.
async fn changed_meanwhile(state: &AppState, side: Side, id: &str, to: Status) -> ApiError {
    match store::find(&state.db.pool, id).await {
        Ok(Some(fresh)) => invalid_transition(fresh.status, side, to),
        Ok(None) => ApiError::not_found(),
        Err(err) => err,
    }
}

fn invalid_transition(from: Status, side: Side, to: Status) -> ApiError {
    let allowed: Vec<&str> = rules::allowed(from, side)
        .iter()
        .map(|s| s.as_str())
        .collect();
    ApiError::conflict(
        "invalid_transition",
        format!(
            "Cannot change status from {} to {}.",
            from.as_str(),
            to.as_str()
        ),
    )
    .with_extra("allowed", json!(allowed))
}

fn not_proposed() -> ApiError {
    ApiError::conflict(
        "invalid_state",
        "Only a proposed appointment can be changed.",
    )
}

fn contract_not_schedulable(status: &str) -> ApiError {
    ApiError::conflict(
        "invalid_state",
        format!("Appointments can't be scheduled on a {status} contract."),
    )
}

fn proposed_notice(id: &str, starts_at: i64, ends_at: i64) -> Notice {
    Notice {
        kind: NotificationType::Contract,
        title: "Appointment proposed".into(),
        message: format!(
            "An appointment was proposed from {} to {}.",
            format_micros(starts_at),
            format_micros(ends_at)
        ),
        action_url: format!("/appointments/{id}"),
        email: None,
    }
}

fn confirmed_notice(id: &str, starts_at: i64, ends_at: i64) -> Notice {
    Notice {
        kind: NotificationType::Contract,
        title: "Appointment confirmed".into(),
        message: format!(
            "Your appointment from {} to {} was confirmed.",
            format_micros(starts_at),
            format_micros(ends_at)
        ),
        action_url: format!("/appointments/{id}"),
        email: None,
    }
}
