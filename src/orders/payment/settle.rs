//! Recording a provider's outcome on the payment and its order, in one write transaction.
//! Every step is conditional on the state it expects (`store::payments`), so a duplicate
//! confirmation or a cancel that raced the provider call can't double-capture or resurrect an
//! order.

use sqlx::AnyConnection;

use crate::{
    db::{now_micros, Db},
    inventory::reason,
    live::Hub,
    notify::Announcement,
    orders::{lifecycle, notices, status::OrderStatus, store},
    payment_gateway::PaymentOutcome,
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
    /// The payment was already settled (a duplicate confirmation, another request); nothing
    /// changed.
    Duplicate,
}

/// Applies `outcome` to payment `payment_id` of order `order_id`; a capture or a decline tells
/// the order's owner in the same transaction, and their live streams once it committed.
pub async fn settle(
    db: &Db,
    hub: &Hub,
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
    if !store::set_payment_outcome(&mut tx, payment_id, payment_status, reference, now).await? {
        return Ok(Settled::Duplicate);
    }
    let (settled, announcement) = match outcome {
        PaymentOutcome::Captured { .. } => {
            captured(&mut tx, payment_id, order_id, actor_id, now).await?
        }
        PaymentOutcome::Pending { .. } => (
            pending(&mut tx, payment_id, order_id, now).await?,
            Announcement::default(),
        ),
        PaymentOutcome::Declined { .. } => {
            // The order fails and its stock goes back; if it already left `pending` there is
            // nothing to fail, and the owner was told of whatever moved it.
            let failed = lifecycle::transition(
                &mut tx,
                order_id,
                OrderStatus::Pending,
                OrderStatus::Failed,
                "Payment declined.",
                actor_id,
                Some(reason::PAYMENT_DECLINED),
            )
            .await?;
            let announcement = match failed {
                Some(order) => notices::payment_result(&mut tx, &order, false).await?,
                None => Announcement::default(),
            };
            (Settled::Declined, announcement)
        }
    };
    tx.commit().await?;
    announcement.announce(hub);
    Ok(settled)
}

/// The money is taken: the order moves on, or (if it left `pending` meanwhile) the capture is
/// recorded as refunded.
async fn captured(
    conn: &mut AnyConnection,
    payment_id: i64,
    order_id: i64,
    actor_id: Option<i64>,
    now: i64,
) -> Result<(Settled, Announcement), sqlx::Error> {
    let Some(order) = store::capture_order(conn, order_id, now).await? else {
        store::mark_payment(conn, payment_id, "refunded", now).await?;
        return Ok((Settled::OrderChanged, Announcement::default()));
    };
    store::insert_history(
        conn,
        order_id,
        OrderStatus::Processing,
        "Payment received.",
        actor_id,
    )
    .await?;
    let announcement = notices::payment_result(conn, &order, true).await?;
    Ok((Settled::Captured, announcement))
}

/// The result comes later: the order's payment is pending, or (if the order changed meanwhile)
/// the payment is cancelled.
async fn pending(
    conn: &mut AnyConnection,
    payment_id: i64,
    order_id: i64,
    now: i64,
) -> Result<Settled, sqlx::Error> {
    if store::mark_payment_pending(conn, order_id, now).await? {
        return Ok(Settled::Pending);
    }
    store::mark_payment(conn, payment_id, "cancelled", now).await?;
    Ok(Settled::OrderChanged)
}

/// Releases a claim whose provider call failed, so the customer can try again.
pub async fn release_claim(db: &Db, payment_id: i64) -> Result<(), sqlx::Error> {
    store::release_claim(db, payment_id, now_micros()).await
}
