//! Recording a provider's outcome on the payment and its order, in one write transaction.
//! Every step is conditional on the state it expects, so a duplicate confirmation or a cancel
//! that raced the provider call can't double-capture or resurrect an order.

use super::PaymentOutcome;
use crate::{
    db::{now_micros, Db},
    inventory::reason,
    orders::{lifecycle, status::OrderStatus},
};

/// What settling did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settled {
    /// Order `processing`, payment `paid`.
    Captured,
    /// Order still `pending`, payment `pending`.
    Pending,
    /// Order `failed` and restocked, payment still `unpaid`.
    Declined,
    /// The order left `pending` while the provider was asked (e.g. it was cancelled): a capture
    /// is recorded as refunded, as a cancel records it; nothing else changes.
    OrderChanged,
    /// The payment was already settled by another request; nothing changed.
    AlreadySettled,
}

/// Applies `outcome` to payment `payment_id` of order `order_id`.
pub async fn settle(
    db: &Db,
    payment_id: i64,
    order_id: i64,
    outcome: &PaymentOutcome,
    actor_id: Option<i64>,
) -> Result<Settled, sqlx::Error> {
    let now = now_micros();
    let mut tx = db.begin_write().await?;
    let (payment_status, reference) = match outcome {
        PaymentOutcome::Captured { reference } => ("captured", Some(reference.as_str())),
        PaymentOutcome::Pending { reference } => ("pending", Some(reference.as_str())),
        PaymentOutcome::Declined { .. } => ("declined", None),
    };
    // Only an unsettled payment (being authorized, or awaiting confirmation) can be settled;
    // a pending one can't go back to pending.
    let claimed = sqlx::query(
        "UPDATE payments SET status = $1, provider_reference = COALESCE($2, provider_reference), \
         updated_at = $3 WHERE id = $4 \
         AND (status = 'authorizing' OR (status = 'pending' AND $1 <> 'pending'))",
    )
    .bind(payment_status)
    .bind(reference)
    .bind(now)
    .bind(payment_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed == 0 {
        return Ok(Settled::AlreadySettled);
    }
    let settled = match outcome {
        PaymentOutcome::Captured { .. } => {
            let moved = sqlx::query(
                "UPDATE orders SET status = 'processing', payment_status = 'paid', updated_at = $1 \
                 WHERE id = $2 AND status = 'pending' AND payment_status IN ('unpaid', 'pending')",
            )
            .bind(now)
            .bind(order_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 1 {
                lifecycle::record_history(
                    &mut tx,
                    order_id,
                    OrderStatus::Processing,
                    "Payment received.",
                    actor_id,
                )
                .await?;
                Settled::Captured
            } else {
                mark(&mut tx, payment_id, "refunded", now).await?;
                Settled::OrderChanged
            }
        }
        PaymentOutcome::Pending { .. } => {
            let moved = sqlx::query(
                "UPDATE orders SET payment_status = 'pending', updated_at = $1 \
                 WHERE id = $2 AND status = 'pending' AND payment_status = 'unpaid'",
            )
            .bind(now)
            .bind(order_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 1 {
                Settled::Pending
            } else {
                mark(&mut tx, payment_id, "cancelled", now).await?;
                Settled::OrderChanged
            }
        }
        PaymentOutcome::Declined { .. } => {
            // The order fails and its stock goes back; if it already left `pending` there is
            // nothing to fail.
            lifecycle::transition(
                &mut tx,
                order_id,
                OrderStatus::Pending,
                OrderStatus::Failed,
                "Payment declined.",
                actor_id,
                Some(reason::PAYMENT_DECLINED),
            )
            .await?;
            Settled::Declined
        }
    };
    tx.commit().await?;
    Ok(settled)
}

async fn mark(
    conn: &mut sqlx::AnyConnection,
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
pub async fn release_claim(db: &Db, payment_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE payments SET status = 'failed', updated_at = $1 \
         WHERE id = $2 AND status = 'authorizing'",
    )
    .bind(now_micros())
    .bind(payment_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}
