//! Staff endpoints: `GET` and `POST products/{id}/stock/`.

use axum::{extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{
    movements::{self, MovementView},
    stock::{self, Refused},
    MAX_STOCK,
};
use crate::{
    error::{ApiError, FieldErrors},
    http::{
        auth::Staff,
        extract::{Json, Path},
        pagination::{Page, PageRequest},
    },
    state::AppState,
};

/// Largest single adjustment either way (SPEC §5): no adjustment can cross the stock range.
const MAX_DELTA: i64 = MAX_STOCK;
const MAX_REASON_CHARS: usize = 255;

/// `POST products/{id}/stock/` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StockAdjustment {
    /// Units to add (positive) or remove (negative); not 0.
    pub delta: i64,
    /// Why, in staff's words (`"recount"`, `"damaged in transit"`).
    pub reason: String,
}

/// The recorded movement and the product's stock after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StockAdjusted {
    #[serde(flatten)]
    pub movement: MovementView,
    pub stock_quantity: i64,
}

fn validate(body: &StockAdjustment) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    // Compared as written, never negated: `-i64::MIN` doesn't exist.
    if body.delta == 0 {
        errors.add("delta", "Ensure this value is not 0.");
    } else if body.delta < -MAX_DELTA {
        errors.add(
            "delta",
            format!("Ensure this value is greater than or equal to -{MAX_DELTA}."),
        );
    } else if body.delta > MAX_DELTA {
        errors.add(
            "delta",
            format!("Ensure this value is less than or equal to {MAX_DELTA}."),
        );
    }
    if body.reason.trim().is_empty() {
        errors.add("reason", "This field may not be blank.");
    } else if body.reason.chars().count() > MAX_REASON_CHARS {
        errors.add(
            "reason",
            format!("Ensure this field has no more than {MAX_REASON_CHARS} characters."),
        );
    }
    errors.into_result()
}

async fn product_exists(state: &AppState, id: i64) -> Result<bool, ApiError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE id = $1")
        .bind(id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(found.is_some())
}

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
    Json(body): Json<StockAdjustment>,
) -> Result<(StatusCode, axum::Json<StockAdjusted>), ApiError> {
    if !product_exists(&state, product_id).await? {
        return Err(ApiError::not_found());
    }
    validate(&body)?;
    let mut tx = state.db.begin_write().await?;
    let adjusted = stock::adjust(
        &mut tx,
        product_id,
        body.delta,
        body.reason.trim(),
        staff.id,
    )
    .await?;
    let (movement, stock_quantity) = match adjusted {
        Ok(done) => done,
        Err(Refused { available }) if body.delta > 0 => {
            // Above the range is bad input (400); below 0 is the stock conflict (409, SPEC §5).
            return Err(FieldErrors::single(
                "delta",
                format!(
                    "Ensure this value is less than or equal to {}.",
                    MAX_STOCK.saturating_sub(available).max(0)
                ),
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
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(StockAdjusted {
            movement,
            stock_quantity,
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
    if !product_exists(&state, product_id).await? {
        return Err(ApiError::not_found());
    }
    let mut conn = state.db.pool.acquire().await?;
    let (count, results) =
        movements::list_for_product(&mut conn, product_id, page.limit(), page.offset()).await?;
    Ok(axum::Json(page.page(count, results)?))
}
