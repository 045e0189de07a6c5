//! Staff endpoints: `GET` and `POST products/{id}/stock/`.

use axum::{extract::State, http::StatusCode};
use serde_json::json;

use super::{
    low_stock,
    request::StockAdjustment,
    store::{self, Refused},
    views::{MovementView, StockAdjusted},
    MAX_STOCK,
};
use crate::{
    accounts::Staff,
    error::{ApiError, FieldErrors},
    http::{
        extract::Path,
        pagination::{Page, PageRequest},
    },
    state::AppState,
    validation::{messages, Draft},
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
    if !store::product_exists(&state.db.pool, product_id).await? {
        return Err(ApiError::not_found());
    }
    let body = draft.finish()?;
    // Required fields: `finish` refused a body without them.
    let (delta, reason) = (
        body.delta.unwrap_or_default(),
        body.reason.unwrap_or_default(),
    );
    let mut tx = state.db.begin_write().await?;
    let adjusted = store::adjust(&mut tx, product_id, delta, &reason, staff.id).await?;
    let (movement, change) = match adjusted {
        Ok(done) => done,
        Err(Refused { available }) if delta > 0 => {
            // Above the range is bad input (400); below 0 is the stock conflict (409, SPEC §5).
            return Err(FieldErrors::single(
                "delta",
                messages::max_value(MAX_STOCK.saturating_sub(available).max(0)),
            ));
        }
        Err(Refused { available }) => {
            return Err(ApiError::conflict(
                "insufficient_stock",
                format!("Insufficient stock: only {available} available."),
            )
            .with_extra("product_id", json!(product_id))
            .with_extra("available", json!(available)));
        }
    };
    let threshold = state.settings.notifications.low_stock_threshold;
    let announcement = low_stock::alert(&mut tx, threshold, std::slice::from_ref(&change)).await?;
    tx.commit().await?;
    announcement.announce(&state.live);
    Ok((
        StatusCode::CREATED,
        axum::Json(StockAdjusted {
            movement,
            stock_quantity: change.stock,
        }),
    ))
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
    if !store::product_exists(&state.db.pool, product_id).await? {
        return Err(ApiError::not_found());
    }
    let mut conn = state.db.pool.acquire().await?;
    let (count, results) =
        store::list_for_product(&mut conn, product_id, page.limit(), page.offset()).await?;
    Ok(axum::Json(page.page(count, results)?))
}
