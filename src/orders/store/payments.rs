//! The `payments` statements, and the order columns a payment outcome changes. Each settling
//! step is conditional on the state it expects, so a duplicate confirmation or a cancel that
//! raced the provider call can't double-capture or resurrect an order.

use sqlx::AnyConnection;

use super::history::{MovedOrder, MOVED_ORDER};
use crate::db::Db;

/// The partial unique index allowing one live payment per order, by its PostgreSQL name.
pub const LIVE_PAYMENT: &str = "payments_one_live_per_order";
/// The same index as SQLite reports it: by its column (`db::unique_constraint`).
pub const LIVE_PAYMENT_SQLITE: &str = "payments_order_id_key";

/// A payment awaiting the provider's confirmation.
#[derive(Debug, sqlx::FromRow)]
pub struct PendingPayment {
    pub id: i64,
    pub provider_reference: Option<String>,
}

/// Marks the order's claims older than `before` abandoned: their requests died mid-call.
pub async fn abandon_stale_claims(
    db: &Db,
    order_id: i64,
    before: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE payments SET status = 'abandoned', updated_at = $1 \
         WHERE order_id = $2 AND status = 'authorizing' AND created_at < $3",
    )
    .bind(now)
    .bind(order_id)
    .bind(before)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Writes an `authorizing` payment; returns its id. The partial unique index [`LIVE_PAYMENT`]
/// is the lock: a second concurrent payment fails here instead of reaching the provider.
pub async fn claim_payment(
    db: &Db,
    order_id: i64,
    method: &str,
    amount_cents: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO payments (order_id, method, status, amount_cents, created_at, updated_at) \
         VALUES ($1, $2, 'authorizing', $3, $4, $4) RETURNING id",
    )
    .bind(order_id)
    .bind(method)
    .bind(amount_cents)
    .bind(now)
    .fetch_one(&db.pool)
    .await
}

/// The order's payment awaiting confirmation, if any.
pub async fn pending_payment(
    db: &Db,
    order_id: i64,
) -> Result<Option<PendingPayment>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, provider_reference FROM payments WHERE order_id = $1 AND status = 'pending'",
    )
    .bind(order_id)
    .fetch_optional(&db.pool)
    .await
}

/// Records the provider's answer (`captured`, `pending`, `declined`) on an unsettled payment
/// (being authorized, or awaiting confirmation; a pending one can't go back to pending). False
/// when it was already settled.
pub async fn set_payment_outcome(
    conn: &mut AnyConnection,
    payment_id: i64,
    status: &str,
    reference: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query(
        "UPDATE payments SET status = $1, provider_reference = COALESCE($2, provider_reference), \
         updated_at = $3 WHERE id = $4 \
         AND (status = 'authorizing' OR (status = 'pending' AND $1 <> 'pending'))",
    )
    .bind(status)
    .bind(reference)
    .bind(now)
    .bind(payment_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(claimed == 1)
}

/// A captured payment moves a still-pending order to `processing`, paid. `None` when the order
/// left `pending` meanwhile.
pub async fn capture_order(
    conn: &mut AnyConnection,
    order_id: i64,
    now: i64,
) -> Result<Option<MovedOrder>, sqlx::Error> {
    sqlx::query_as(&format!(
        "UPDATE orders SET status = 'processing', payment_status = 'paid', updated_at = $1 \
         WHERE id = $2 AND status = 'pending' AND payment_status IN ('unpaid', 'pending') \
         RETURNING {MOVED_ORDER}"
    ))
    .bind(now)
    .bind(order_id)
    .fetch_optional(conn)
    .await
}

/// A payment awaiting confirmation marks a still-pending, unpaid order's payment `pending`.
/// False when the order changed meanwhile.
pub async fn mark_payment_pending(
    conn: &mut AnyConnection,
    order_id: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let moved = sqlx::query(
        "UPDATE orders SET payment_status = 'pending', updated_at = $1 \
         WHERE id = $2 AND status = 'pending' AND payment_status = 'unpaid'",
    )
    .bind(now)
    .bind(order_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(moved == 1)
}

/// Sets a payment's status unconditionally (`refunded`, `cancelled` for an order that changed).
pub async fn mark_payment(
    conn: &mut AnyConnection,
    payment_id: i64,
    status: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE payments SET status = $1, updated_at = $2 WHERE id = $3")
        .bind(status)
        .bind(now)
        .bind(payment_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Releases a claim whose provider call failed, so the customer can try again.
pub async fn release_claim(db: &Db, payment_id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE payments SET status = 'failed', updated_at = $1 \
         WHERE id = $2 AND status = 'authorizing'",
    )
    .bind(now)
    .bind(payment_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}
