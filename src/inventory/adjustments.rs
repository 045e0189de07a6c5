//! Staff's stock adjustments and the movement history, as the API and the dashboard both call
//! them: an adjustment's movement, its low-stock notice and its refusals are decided here once.

use serde_json::json;

use super::{
    low_stock::{self, Alerts},
    request::StockAdjustment,
    store::{self, Refused},
    views::{MovementView, StockAdjusted},
    MAX_STOCK,
};
use crate::{
    db::Db,
    error::{ApiError, FieldErrors},
    http::pagination::{Page, PageRequest},
    validation::{messages, Draft},
};

/// Adds the draft's `delta` to product `product_id`'s stock with staff's `reason`, recording the
/// movement and telling staff when it leaves the product low. An unknown product is a `404`
/// before the body's `400`; a result below 0 is the `409 insufficient_stock` (SPEC §5).
pub async fn adjust_stock(
    db: &Db,
    alerts: Alerts<'_>,
    product_id: i64,
    draft: Draft<StockAdjustment>,
    actor_id: i64,
) -> Result<StockAdjusted, ApiError> {
    if !store::product_exists(&db.pool, product_id).await? {
        return Err(ApiError::not_found());
    }
    let body = draft.finish()?;
    // Required fields: `finish` refused a body without them.
    let (delta, reason) = (
        body.delta.unwrap_or_default(),
        body.reason.unwrap_or_default(),
    );
    let mut tx = db.begin_write().await?;
    let adjusted = store::adjust(&mut tx, product_id, delta, &reason, actor_id).await?;
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
    let announcement =
        low_stock::alert(&mut tx, alerts.threshold, std::slice::from_ref(&change)).await?;
    tx.commit().await?;
    announcement.announce(alerts.hub);
    Ok(StockAdjusted {
        movement,
        stock_quantity: change.stock,
    })
}

/// One page of product `product_id`'s movements, newest first; `404` for an unknown product.
pub async fn movements(
    db: &Db,
    product_id: i64,
    page: &PageRequest,
) -> Result<Page<MovementView>, ApiError> {
    if !store::product_exists(&db.pool, product_id).await? {
        return Err(ApiError::not_found());
    }
    let mut conn = db.pool.acquire().await?;
    let (count, results) =
        store::list_for_product(&mut conn, product_id, page.limit(), page.offset()).await?;
    page.page(count, results)
}
