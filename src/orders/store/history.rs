//! The statements of the status machine: the conditional status change, the history rows, and
//! what a cancel or a fail does to the money and to which lines go back to stock.

use sqlx::AnyConnection;

use crate::{
    db::{now_micros, types::format_micros},
    orders::{status::OrderStatus, views::StaffHistoryView},
};

/// Appends a history row; returns its `created_at` (epoch micros).
pub async fn insert_history(
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

/// What a status change tells the order's owner about: returned by the statement that moved the
/// order, so notifying them costs no second read.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MovedOrder {
    pub id: i64,
    pub user_id: i64,
    pub order_number: String,
    pub total_cents: i64,
}

/// The columns of a [`MovedOrder`], for `RETURNING`.
pub(super) const MOVED_ORDER: &str = "id, user_id, order_number, total_cents";

/// Sets the order's status to `to` if it is still `from`; `None` when it no longer was.
pub async fn move_status(
    conn: &mut AnyConnection,
    order_id: i64,
    from: OrderStatus,
    to: OrderStatus,
    now: i64,
) -> Result<Option<MovedOrder>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE orders SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4 \
         RETURNING {MOVED_ORDER}"
    ))
    .bind(to.as_str())
    .bind(now)
    .bind(order_id)
    .bind(from.as_str())
    .fetch_optional(conn)
    .await
}

/// Money taken is given back; a bank transfer still awaiting confirmation is voided (the order
/// and its payments).
pub async fn release_money(
    conn: &mut AnyConnection,
    order_id: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
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
    .execute(conn)
    .await?;
    Ok(())
}

/// The order's units per product, in product-id order (the order checkout locks them in).
pub async fn lines_to_restock(
    conn: &mut AnyConnection,
    order_id: i64,
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT product_id, CAST(SUM(quantity) AS BIGINT) FROM order_items \
         WHERE order_id = $1 GROUP BY product_id ORDER BY product_id",
    )
    .bind(order_id)
    .fetch_all(conn)
    .await
}

/// One history step with who made it, as stored.
#[derive(Debug, sqlx::FromRow)]
struct StaffHistoryRow {
    status: String,
    note: String,
    created_at: i64,
    actor_email: Option<String>,
}

/// The order's history, oldest first, each step with the email of whoever made it (none for
/// the system's own moves, or when that account is gone).
pub async fn staff_history(
    conn: &mut AnyConnection,
    order_id: i64,
) -> Result<Vec<StaffHistoryView>, sqlx::Error> {
    let rows: Vec<StaffHistoryRow> = sqlx::query_as(
        "SELECT h.status, h.note, h.created_at, u.email AS actor_email \
         FROM order_status_history h LEFT JOIN users u ON u.id = h.actor_id \
         WHERE h.order_id = $1 ORDER BY h.id",
    )
    .bind(order_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| StaffHistoryView {
            status: row.status,
            note: row.note,
            created_at: format_micros(row.created_at),
            by: row.actor_email,
        })
        .collect())
}
