//! `POST /dashboard/products/{id}/stock/`: a stock adjustment (`delta`, `reason`) through
//! inventory's own [`inventory::adjust_stock`], so the movement, the low-stock notice and the
//! refusals are the API's.

use axum::{extract::State, http::StatusCode, response::Response};
use serde_json::Value;

use super::{edit, see_other};
use crate::{
    dashboard::{
        extract::{Path, StaffForm},
        pages,
    },
    error::ApiError,
    inventory,
    media::MediaUrls,
    state::AppState,
    validation::Draft,
};

/// Adjusts the stock and goes back to the product's page; a refusal shows the page again with
/// the form as typed and the API's message.
pub async fn adjust(
    State(state): State<AppState>,
    media: MediaUrls,
    Path(id): Path<i64>,
    StaffForm { session, fields }: StaffForm,
) -> Response {
    let adjusted = match Draft::read(Value::Object(fields.body()), false) {
        Ok(draft) => {
            let alerts = inventory::Alerts::of(&state);
            inventory::adjust_stock(&state.db, alerts, id, draft, session.user_id).await
        }
        Err(error) => Err(error),
    };
    let shown = match adjusted {
        Ok(_) => {
            return see_other(&format!("/dashboard/products/{id}/?adjusted=1"));
        }
        Err(ApiError::Validation(errors)) => edit::Shown {
            stock_errors: errors,
            ..edit::Shown::default()
        },
        Err(ApiError::Client {
            status: StatusCode::CONFLICT,
            detail,
            ..
        }) => edit::Shown {
            stock_problem: Some(detail),
            ..edit::Shown::default()
        },
        Err(error) => return pages::error(&session, error),
    };
    let status = if shown.stock_problem.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::BAD_REQUEST
    };
    let shown = edit::Shown {
        stock: edit::StockForm {
            delta: fields.get("delta").to_owned(),
            reason: fields.get("reason").to_owned(),
        },
        ..shown
    };
    edit::render(&state, &session, &media, id, status, shown).await
}
