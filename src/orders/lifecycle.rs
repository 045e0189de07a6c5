//! Moving an order through its status machine, with the side effects each step carries:
//! history, refunds, and putting stock back when the order no longer holds it.

use sqlx::AnyConnection;

use super::{
    status::OrderStatus,
    store::{self, MovedOrder},
};
use crate::{
    db::now_micros,
    inventory::{self, reason},
};

/// Moves the order `from → to` if it is still `from` (the condition is what makes racing
/// cancels, payments and staff updates safe), with every side effect in the caller's
/// transaction. Returns the moved order (what its owner is told about), or `None` when another
/// request changed the order first. Telling the owner is the caller's: whether the move is a
/// status change of its own or part of a payment's result (`notices`).
pub async fn transition(
    conn: &mut AnyConnection,
    order_id: i64,
    from: OrderStatus,
    to: OrderStatus,
    note: &str,
    actor_id: Option<i64>,
    stock_reason: Option<&str>,
) -> Result<Option<MovedOrder>, sqlx::Error> {
    let now = now_micros();
    let Some(moved) = store::move_status(conn, order_id, from, to, now).await? else {
        return Ok(None);
    };
    if to.releases_stock() {
        store::release_money(conn, order_id, now).await?;
        let default_reason = if to == OrderStatus::Cancelled {
            reason::ORDER_CANCELLED
        } else {
            reason::ORDER_FAILED
        };
        restock(
            conn,
            order_id,
            stock_reason.unwrap_or(default_reason),
            actor_id,
        )
        .await?;
    }
    store::insert_history(conn, order_id, to, note, actor_id).await?;
    Ok(Some(moved))
}

/// Puts every line of the order back on the shelf, one movement per product, by the rule of
/// `inventory::put_back` (docs/orders.md "Restocking"). Products are touched in id order, the same
/// order checkout locks them in, so the two can't deadlock.
async fn restock(
    conn: &mut AnyConnection,
    order_id: i64,
    why: &str,
    actor_id: Option<i64>,
) -> Result<(), sqlx::Error> {
    for (product_id, quantity) in store::lines_to_restock(conn, order_id).await? {
        inventory::put_back(conn, product_id, quantity, why, actor_id, order_id).await?;
    }
    Ok(())
}
