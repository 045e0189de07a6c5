//! Setting a product's stock to a typed-in level (the product form), in a write transaction of its
//! own: the level, its movement and any low-stock notice commit together.

use super::{
    low_stock::{self, Alerts},
    store,
    views::MovementView,
};
use crate::db::Db;

/// Sets a product's stock to `target` and records the difference as one movement; a decrease that
/// leaves it low tells staff. Returns the movement, or `None` when the level was already `target`
/// or the product is gone.
pub async fn set_level(
    db: &Db,
    alerts: Alerts<'_>,
    product_id: i64,
    target: i64,
    reason: &str,
    actor_id: Option<i64>,
) -> Result<Option<MovementView>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let Some((movement, change)) =
        store::set_level(&mut tx, product_id, target, reason, actor_id).await?
    else {
        return Ok(None);
    };
    let announcement = low_stock::alert(&mut tx, alerts.threshold, &[change]).await?;
    tx.commit().await?;
    announcement.announce(alerts.hub);
    Ok(Some(movement))
}
