//! What orders tell their owner (SPEC §3.6): an order placed, a status change, a payment's result.
//! Each is written in the transaction of its event through `notify::notify_user`; the
//! caller announces the returned [`Announcement`] once that transaction committed.
//!
//! One event, one notice: the status moves a payment causes (`processing` on capture, `failed` on
//! a decline) are told as the payment's result, not as a status change too.

use sqlx::AnyConnection;

use super::{status::OrderStatus, store::MovedOrder, views::OrderView};
use crate::{
    mail::{Message, OrderLine},
    money::Money,
    notify::{notify_user, Announcement, Notice, NotificationType},
};

/// Where the frontend shows an order.
fn order_url(order_id: i64) -> String {
    format!("/orders/{order_id}")
}

/// The customer placed `order`: a notification and the confirmation email (written for a batch
/// of orders together, by `notify::notify_users`).
pub fn placed(order: &OrderView) -> Notice {
    let units: i64 = order.items.iter().map(|item| item.quantity).sum();
    Notice {
        kind: NotificationType::Order,
        title: format!("Order {} placed", order.order_number),
        message: format!(
            "We received your order of {units} item{} totalling {}.",
            if units == 1 { "" } else { "s" },
            order.total_amount
        ),
        action_url: order_url(order.id),
        email: Some(Message::OrderConfirmation {
            order_id: order.id,
            order_number: order.order_number.clone(),
            total: order.total_amount.to_string(),
            items: order
                .items
                .iter()
                .map(|item| OrderLine {
                    title: item.product_title.clone(),
                    quantity: item.quantity,
                    line_total: item.subtotal.to_string(),
                })
                .collect(),
        }),
    }
}

/// How a status reads after "Your order …".
fn phrase(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Pending => "is pending",
        OrderStatus::Processing => "is being processed",
        OrderStatus::Shipped => "has shipped",
        OrderStatus::Delivered => "was delivered",
        OrderStatus::Completed => "is complete",
        OrderStatus::Cancelled => "was cancelled",
        OrderStatus::Failed => "failed",
    }
}

/// The order moved to `status` (by staff, or cancelled by its owner).
pub async fn status_changed(
    conn: &mut AnyConnection,
    order: &MovedOrder,
    status: OrderStatus,
) -> Result<Announcement, sqlx::Error> {
    let notice = Notice {
        kind: NotificationType::Order,
        title: format!("Order {} {}", order.order_number, status.as_str()),
        message: format!("Your order {} {}.", order.order_number, phrase(status)),
        action_url: order_url(order.id),
        email: Some(Message::OrderStatus {
            order_id: order.id,
            order_number: order.order_number.clone(),
            status: status.as_str().to_owned(),
        }),
    };
    notify_user(conn, order.user_id, &notice).await
}

/// The provider captured the order's payment (`succeeded`) or declined it (the order failed).
pub async fn payment_result(
    conn: &mut AnyConnection,
    order: &MovedOrder,
    succeeded: bool,
) -> Result<Announcement, sqlx::Error> {
    let amount = Money::from_cents(order.total_cents);
    let (title, message) = if succeeded {
        (
            "Payment received",
            format!(
                "We received your payment of {amount} for order {}.",
                order.order_number
            ),
        )
    } else {
        (
            "Payment declined",
            format!(
                "Your payment of {amount} for order {} was declined, so the order failed.",
                order.order_number
            ),
        )
    };
    let notice = Notice {
        kind: NotificationType::Payment,
        title: title.to_owned(),
        message,
        action_url: order_url(order.id),
        email: Some(Message::PaymentResult {
            order_id: order.id,
            order_number: order.order_number.clone(),
            amount: amount.to_string(),
            succeeded,
        }),
    };
    notify_user(conn, order.user_id, &notice).await
}
