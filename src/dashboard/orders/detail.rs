//! One order: `GET /dashboard/orders/{id}/` (lines, totals, address, payment, history and the
//! status forms) and `POST /dashboard/orders/{id}/status/`, which moves it through
//! `orders::change_status`, as the API's `PATCH orders/{id}/` does: the history row, the
//! restock and refund of a cancel, the customer's notification and email, all in one
//! transaction.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use minijinja::{context, value::Serde, Value};
use serde::Serialize;

use crate::{
    dashboard::{
        extract::{Path, StaffForm},
        pages,
        session::StaffSession,
    },
    error::ApiError,
    orders::{self, OrderStatus, StaffHistoryView},
    state::AppState,
    validation::Draft,
};

/// One step of the history as shown: from which status to which.
#[derive(Debug, Serialize)]
struct Step {
    created_at: String,
    from: Option<String>,
    to: String,
    note: String,
    by: Option<String>,
}

/// Each step with the status it left (the one before it; none for the first).
fn steps(history: Vec<StaffHistoryView>) -> Vec<Step> {
    let mut previous: Option<String> = None;
    history
        .into_iter()
        .map(|step| {
            let from = previous.replace(step.status.clone());
            Step {
                created_at: step.created_at,
                from,
                to: step.status,
                note: step.note,
                by: step.by,
            }
        })
        .collect()
}

/// The order page, with `problem` (a refused move) shown above the forms.
async fn order_page(
    state: &AppState,
    session: &StaffSession,
    id: i64,
    status: StatusCode,
    problem: Option<String>,
    moved: bool,
) -> Response {
    let loaded = match orders::find_order(&state.db, id).await {
        Ok(order) => orders::history_of(&state.db, id)
            .await
            .map(|history| (order, history)),
        Err(error) => Err(error),
    };
    let (order, history) = match loaded {
        Ok(loaded) => loaded,
        Err(error) => return pages::error(session, error),
    };
    // Only the moves the machine allows from where the order is now; cancelling has its own
    // button.
    let next: Vec<(&str, &str)> = order
        .status
        .allowed_next()
        .iter()
        .filter(|next| **next != OrderStatus::Cancelled)
        .map(|next| (next.as_str(), next.as_str()))
        .collect();
    let can_cancel = order.status.can_transition_to(OrderStatus::Cancelled);
    pages::page_with_status(
        status,
        session,
        "orders/detail.html",
        context! {
            order => Value::from(Serde(&order)),
            history => Value::from(Serde(steps(history))),
            next,
            can_cancel,
            problem,
            moved,
        },
    )
}

/// `GET /dashboard/orders/{id}/` (`?moved=1` after a status change).
pub async fn show_order(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<i64>,
    query: crate::http::extract::QueryPairs,
) -> Response {
    let moved = query.get("moved").is_some();
    order_page(&state, &session, id, StatusCode::OK, None, moved).await
}

/// `POST /dashboard/orders/{id}/status/` (`status`, `note`): a move the machine refuses (the
/// page was stale) shows the order again with the API's message and status (`409`, or `400`).
pub async fn change_status(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: StaffForm,
) -> Response {
    let StaffForm { session, fields } = form;
    let moved = match Draft::read(serde_json::Value::Object(fields.body()), false) {
        Ok(draft) => orders::change_status(&state, session.user_id, id, draft).await,
        Err(error) => Err(error),
    };
    match moved {
        Ok(_) => Redirect::to(&format!("/dashboard/orders/{id}/?moved=1")).into_response(),
        Err(error) if error.status() == StatusCode::NOT_FOUND => pages::error(&session, error),
        Err(ApiError::Client { status, detail, .. }) if status.is_client_error() => {
            order_page(&state, &session, id, status, Some(detail), false).await
        }
        Err(ApiError::Validation(errors)) => {
            let text = errors
                .iter()
                .flat_map(|(_, messages)| messages.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" ");
            order_page(
                &state,
                &session,
                id,
                StatusCode::BAD_REQUEST,
                Some(text),
                false,
            )
            .await
        }
        Err(error) => pages::error(&session, error),
    }
}
