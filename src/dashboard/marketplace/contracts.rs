//! Contracts: `GET /dashboard/contracts/?status=&page=` (open disputes first, then newest
//! first), one contract with its status history, and resolving a dispute (`POST
//! /dashboard/contracts/{id}/resolve/`, `status` = `active` or `cancelled`, `note`, read as the API's body) through
//! `contracts::apply_move`, the function behind the API's `update_status`: the machine's
//! rules, the history row and both parties' notifications in one transaction.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use minijinja::{context, value::Serde};
use serde::Serialize;

use super::status_of;
use crate::{
    dashboard::{
        extract::{Path, StaffForm},
        pages, paging,
        session::StaffSession,
    },
    db::types::format_micros,
    error::ApiError,
    http::extract::QueryPairs,
    marketplace::{
        contracts::{self, status::Status, StaffContractRow, StatusWrite},
        ids, provider_id_of,
        requests::Caller,
    },
    money::Money,
    state::AppState,
    validation::Draft,
};
use serde_json::Value;

/// One contract as the list and the page's summary show it.
#[derive(Debug, Serialize)]
struct Line {
    id: String,
    short_id: String,
    client_id: i64,
    client_email: String,
    provider_id: String,
    provider_name: String,
    price: Money,
    status: String,
    created_at: String,
    updated_at: String,
}

impl From<StaffContractRow> for Line {
    fn from(row: StaffContractRow) -> Self {
        Self {
            short_id: row.id.chars().take(8).collect(),
            id: row.id,
            client_id: row.client_id,
            client_email: row.client_email,
            provider_id: row.provider_id,
            provider_name: row.provider_name,
            price: Money::from_cents(row.price_cents),
            status: row.status,
            created_at: format_micros(row.created_at),
            updated_at: format_micros(row.updated_at),
        }
    }
}

/// One step of the history as shown: who made it, by name when it was a party.
#[derive(Debug, Serialize)]
struct Step {
    created_at: String,
    from: Option<String>,
    to: String,
    note: String,
    by: String,
}

/// The list.
pub async fn list_contracts(
    State(state): State<AppState>,
    session: StaffSession,
    query: QueryPairs,
) -> Response {
    let names: Vec<&str> = Status::ALL.into_iter().map(Status::as_str).collect();
    let (status, problem) = status_of(query.get("status").unwrap_or_default(), &names);
    let page = match paging::page_request(&query) {
        Ok(page) => page,
        Err(error) => return pages::error(&session, error),
    };
    let found = match contracts::staff_list(&state.db, status, &page).await {
        Ok(found) => found,
        Err(error) => return pages::error(&session, error),
    };
    let lines: Vec<Line> = found.results.into_iter().map(Line::from).collect();
    let statuses: Vec<(&str, &str)> = names.iter().map(|s| (*s, *s)).collect();
    pages::page(
        &session,
        "contracts/list.html",
        context! {
            contracts => Serde(&lines),
            count => found.count,
            statuses,
            status => status.unwrap_or_default(),
            problem,
            filtered => status.is_some(),
            page => page.page,
            pages => paging::page_count(found.count, &page),
            query => paging::filters_query([("status", status.unwrap_or_default())]),
        },
    )
}

/// The caller as the contracts part sees a staff member (with their own provider profile, if
/// any, so a staff member who is a party keeps that hat too).
async fn caller_of(state: &AppState, session: &StaffSession) -> Result<Caller, ApiError> {
    Ok(Caller {
        user_id: session.user_id,
        is_staff: true,
        provider_id: provider_id_of(&state.db, session.user_id).await?,
    })
}

/// The contract page, answered with `status`, with `problem` (a refused move) above it.
async fn contract_page(
    state: &AppState,
    session: &StaffSession,
    id: &str,
    status: StatusCode,
    problem: Option<String>,
    moved: bool,
) -> Response {
    let loaded = async {
        let summary = contracts::staff_find(&state.db, id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        let caller = caller_of(state, session).await?;
        let contract = contracts::find_visible(&state.db, &caller, id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        Ok::<_, ApiError>((summary, contract))
    };
    let (summary, contract) = match loaded.await {
        Ok(loaded) => loaded,
        Err(error) => return pages::error(session, error),
    };
    let history: Vec<Step> = contract
        .view
        .status_history
        .iter()
        .map(|step| Step {
            created_at: step.created_at.clone(),
            from: step.from_status.clone(),
            to: step.status.clone(),
            note: step.note.clone(),
            by: match step.changed_by {
                Some(user) if user == summary.client_id => summary.client_email.clone(),
                Some(user) if user == contract.provider_user_id => summary.provider_name.clone(),
                Some(user) => format!("staff (user {user})"),
                None => "a deleted user".to_owned(),
            },
        })
        .collect();
    let disputed = summary.status == Status::Disputed.as_str();
    pages::page_with_status(
        status,
        session,
        "contracts/detail.html",
        context! {
            contract => Serde(Line::from(summary)),
            request => contract.view.request,
            history => Serde(history),
            disputed,
            problem,
            moved,
        },
    )
}

/// `GET /dashboard/contracts/{id}/` (`?moved=1` after a resolution).
pub async fn show_contract(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<uuid::Uuid>,
    query: QueryPairs,
) -> Response {
    let moved = query.get("moved").is_some();
    contract_page(
        &state,
        &session,
        &ids::stored(id),
        StatusCode::OK,
        None,
        moved,
    )
    .await
}

/// `POST /dashboard/contracts/{id}/resolve/`: a move the machine refuses (the dispute was
/// resolved meanwhile) shows the contract as it is now with the API's message (`409`).
pub async fn resolve_dispute(
    State(state): State<AppState>,
    Path(id): Path<uuid::Uuid>,
    form: StaffForm,
) -> Response {
    let StaffForm { session, fields } = form;
    let id = ids::stored(id);
    let moved = async {
        let caller = caller_of(&state, &session).await?;
        let contract = contracts::find_visible(&state.db, &caller, &id)
            .await?
            .ok_or_else(ApiError::not_found)?;
        // Read as the API reads its body: the same choices, the same note limit and messages.
        let body = Draft::<StatusWrite>::read(Value::Object(fields.body()), false)?.finish()?;
        let note = body.note.unwrap_or_default();
        contracts::apply_move(&state, &caller, &contract, body.status, &note).await
    };
    match moved.await {
        Ok(()) => Redirect::to(&format!("/dashboard/contracts/{id}/?moved=1")).into_response(),
        Err(ApiError::Client { status, detail, .. })
            if status.is_client_error() && status != StatusCode::NOT_FOUND =>
        {
            contract_page(&state, &session, &id, status, Some(detail), false).await
        }
        Err(ApiError::Validation(errors)) => {
            let text = errors
                .iter()
                .flat_map(|(_, messages)| messages.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" ");
            contract_page(
                &state,
                &session,
                &id,
                StatusCode::BAD_REQUEST,
                Some(text),
                false,
            )
            .await
        }
        Err(error) => pages::error(&session, error),
    }
}
