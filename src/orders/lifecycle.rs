//! Moving an order through its status machine, with the side effects each step carries:
//! history, refunds, and putting stock back when the order no longer holds it.

use sqlx::AnyConnection;

use super::status::OrderStatus;
use crate::{
    db::now_micros,
    inventory::{self, reason},
};

/// Appends a history row; returns its `created_at` (epoch micros).
pub async fn record_history(
    conn: &mut AnyConnection,
    order_id: i64,
    status: OrderStatus,
    note: &str,
    actor_id: Option<i64>,
) -> Result<i64, sqlx::Error> {
    let now = now_micros();
    sqlx::query(
        "INSERT INTO order_status_history (order_id, status, note, actor_id, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(order_id)
    .bind(status.as_str())
    .bind(note)
    .bind(actor_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(now)
}

/// Moves the order `from → to` if it is still `from` (the condition is what makes racing
/// cancels, payments and staff updates safe), with every side effect in the caller's
/// transaction. Returns false when another request changed the order first.
pub async fn transition(
    conn: &mut AnyConnection,
    order_id: i64,
    from: OrderStatus,
    to: OrderStatus,
    note: &str,
    actor_id: Option<i64>,
    stock_reason: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let now = now_micros();
    let changed =
        sqlx::query("UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
            .bind(to.as_str())
            .bind(now)
            .bind(order_id)
            .bind(from.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    if to.releases_stock() {
        // Money taken is given back; a bank transfer still awaiting confirmation is voided.
        sqlx::query(
            "UPDATE orders SET payment_status = CASE payment_status \
             WHEN 'paid' THEN 'refunded' WHEN 'pending' THEN 'unpaid' ELSE payment_status END \
             WHERE id = $1",
        )
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "UPDATE payments SET status = CASE status \
             WHEN 'captured' THEN 'refunded' WHEN 'pending' THEN 'cancelled' ELSE status END, \
             updated_at = $1 WHERE order_id = $2",
        )
        .bind(now)
        .bind(order_id)
        .execute(&mut *conn)
        .await?;
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
    record_history(conn, order_id, to, note, actor_id).await?;
    Ok(true)
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
    let lines: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT product_id, CAST(SUM(quantity) AS BIGINT) FROM order_items \
         WHERE order_id = $1 GROUP BY product_id ORDER BY product_id",
    )
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await?;
    for (product_id, quantity) in lines {
        inventory::put_back(conn, product_id, quantity, why, actor_id, order_id).await?;
    }
    Ok(())
}
