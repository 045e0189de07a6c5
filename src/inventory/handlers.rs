//! Staff endpoints: `GET` and `POST products/{id}/stock/`.

use axum::{extract::State, http::StatusCode};

use super::{
    adjustments,
    low_stock::Alerts,
    request::StockAdjustment,
    views::{MovementView, StockAdjusted},
};
use crate::{
    accounts::Staff,
    error::ApiError,
    http::{
        extract::Path,
        pagination::{Page, PageRequest},
    },
    state::AppState,
    validation::Draft,
};

/// Adjusts a product's stock and records the movement; stock never goes below 0.
#[utoipa::path(post, path = "/products/{id}/stock/", tag = "inventory",
    security(("bearer" = ["staff"])),
    params(("id" = i64, Path, description = "Product id")),
    request_body = StockAdjustment,
    responses(
        (status = 201, body = StockAdjusted),
        (status = 400, description = "validation failed"),
        (status = 401, description = "not signed in"),
        (status = 403, description = "not staff"),
        (status = 404, description = "no such product"),
        (status = 409, body = crate::http::doc_completion::StockConflict, description = "would take stock below 0 (`insufficient_stock`, with `available`)"),
    ))]
pub async fn adjust_stock(
    State(state): State<AppState>,
    Staff(staff): Staff,
    Path(product_id): Path<i64>,
    draft: Draft<StockAdjustment>,
) -> Result<(StatusCode, axum::Json<StockAdjusted>), ApiError> {
    let alerts = Alerts::of(&state);
    let adjusted =
        adjustments::adjust_stock(&state.db, alerts, product_id, draft, staff.id).await?;
    Ok((StatusCode::CREATED, axum::Json(adjusted)))
}

/// A product's stock movements, newest first.
#[utoipa::path(get, path = "/products/{id}/stock/", tag = "inventory",
    security(("bearer" = ["staff"])),
    params(("id" = i64, Path, description = "Product id"),
        ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses(
        (status = 200, body = Page<MovementView>),
        (status = 401, description = "not signed in"),
        (status = 403, description = "not staff"),
        (status = 404, description = "no such product, or a page past the end"),
    ))]
pub async fn list_stock_movements(
    State(state): State<AppState>,
    Staff(_staff): Staff,
    Path(product_id): Path<i64>,
    page: PageRequest,
) -> Result<axum::Json<Page<MovementView>>, ApiError> {
    Ok(axum::Json(
        adjustments::movements(&state.db, product_id, &page).await?,
    ))
}
