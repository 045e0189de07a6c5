//! Placing an order inside the checkout's write transaction: the lines chosen (cart or
//! explicit), their stock taken through `inventory`, the order and its lines written.
//!
//! Stock is taken through `inventory::take`, a conditional update (`stock_quantity >= q`), never
//! read-then-written, so racing buyers can't oversell on either engine; lines are processed in
//! product-id order (a `BTreeMap`) so two checkouts lock rows in the same order and can't
//! deadlock on PostgreSQL.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use super::{
    error::{CheckoutError, Shortage},
    request::{CheckoutRequest, MAX_LINES, MAX_QUANTITY},
};
use crate::{
    accounts::AuthUser,
    db::{now_micros, types::format_micros, Backend},
    inventory::{self, StockChange, Take, Taken},
    money::Money,
    notify::Announcement,
    orders::{
        notices,
        status::{OrderStatus, PaymentStatus},
        store::{self, NewOrder},
        views::{OrderItemView, OrderView, ShippingAddress, StatusHistoryView},
    },
};

/// The first history note of every order.
const PLACED_NOTE: &str = "Order placed.";

/// `NX-YYYYMMDD-000123`: the order's date and its id, so it is unique without a lookup.
/// `store::insert_order` builds the same number in SQL (the id is only known there); the import
/// from Django, whose orders have ids already, builds it here.
pub fn order_number(created_at_micros: i64, id: i64) -> String {
    format!("{}{id:06}", order_number_prefix(created_at_micros))
}

/// `NX-YYYYMMDD-`: the part of the order number that doesn't depend on the id.
fn order_number_prefix(created_at_micros: i64) -> String {
    let date = DateTime::<Utc>::from_timestamp_micros(created_at_micros).unwrap_or_default();
    format!("NX-{}-", date.format("%Y%m%d"))
}

/// A placed order as `GET orders/{id}/` shows it, its total in cents, and who to tell once the
/// transaction commits (the customer; staff when it left stock low).
#[derive(Debug)]
pub struct Placed {
    pub order: OrderView,
    pub total_cents: i64,
    pub announcement: Announcement,
}

/// Does the whole checkout on `conn` (the write transaction), the customer's notification and
/// confirmation email and staff's low-stock notices included. Any error leaves the caller to drop
/// the transaction, which undoes everything.
pub async fn place(
    conn: &mut AnyConnection,
    backend: Backend,
    low_stock_threshold: i64,
    user: &AuthUser,
    request: &CheckoutRequest,
    address: Option<ShippingAddress>,
) -> Result<Placed, CheckoutError> {
    let now = now_micros();
    let lines = order_lines(conn, user.id, request, now).await?;
    let taken = take_stock(conn, &lines).await?;
    let changes: Vec<StockChange> = taken
        .iter()
        .map(|line| StockChange {
            product_id: line.product_id,
            title: line.title.clone(),
            delta: -line.quantity,
            stock: line.stock_left,
        })
        .collect();
    let total_cents = total_of(&taken).ok_or(CheckoutError::TotalTooLarge)?;
    let new_order = NewOrder {
        number_prefix: &order_number_prefix(now),
        user_id: user.id,
        total_cents,
        shipping_address: address
            .as_ref()
            .map(|a| serde_json::to_string(a).unwrap_or_default()),
        notes: &request.notes,
        now,
    };
    let (order_id, number) = store::insert_order(conn, backend, &new_order).await?;
    let items = write_lines(conn, order_id, user.id, taken, now).await?;
    let placed_at = store::insert_history(
        conn,
        order_id,
        OrderStatus::Pending,
        PLACED_NOTE,
        Some(user.id),
    )
    .await?;
    let order = OrderView {
        id: order_id,
        order_number: number,
        user: user.id,
        user_email: user.email.clone(),
        status: OrderStatus::Pending,
        payment_status: PaymentStatus::Unpaid,
        total_amount: Money::from_cents(total_cents),
        shipping_address: address,
        items,
        status_history: vec![StatusHistoryView {
            status: OrderStatus::Pending.as_str().to_owned(),
            note: PLACED_NOTE.to_owned(),
            created_at: format_micros(placed_at),
        }],
        notes: request.notes.clone(),
        created_at: format_micros(now),
        updated_at: format_micros(now),
    };
    let customer = notices::placed(conn, &order).await?;
    let staff = inventory::alert_low_stock(conn, low_stock_threshold, &changes).await?;
    Ok(Placed {
        order,
        total_cents,
        announcement: customer.and(staff),
    })
}

/// What is ordered (product → quantity): the explicit items, or the cart, emptied.
async fn order_lines(
    conn: &mut AnyConnection,
    user_id: i64,
    request: &CheckoutRequest,
    now: i64,
) -> Result<BTreeMap<i64, i64>, CheckoutError> {
    if let Some(items) = &request.items {
        // Explicit items were bounded when read.
        return Ok(items.clone());
    }
    let lines = crate::cart::take_lines(conn, user_id, now).await?;
    if lines.is_empty() {
        return Err(CheckoutError::EmptyCart);
    }
    // A cart is bounded here (carts filled before the bounds existed may exceed them), and the
    // rollback puts it back as it was.
    if lines.len() > MAX_LINES || lines.values().any(|&quantity| quantity > MAX_QUANTITY) {
        return Err(CheckoutError::CartTooLarge);
    }
    Ok(lines)
}

/// Takes every line's units, or none: an unknown product or a short line fails the checkout
/// (the rollback puts back what was taken), naming every such line at once.
async fn take_stock(
    conn: &mut AnyConnection,
    lines: &BTreeMap<i64, i64>,
) -> Result<Vec<Taken>, CheckoutError> {
    let mut taken = Vec::with_capacity(lines.len());
    let mut unknown = Vec::new();
    let mut short = Vec::new();
    for (&product_id, &quantity) in lines {
        match inventory::take(conn, product_id, quantity).await? {
            Take::Taken(line) => taken.push(line),
            Take::Short { available } => short.push(Shortage {
                product_id,
                available,
            }),
            Take::Unknown => unknown.push(product_id),
        }
    }
    if !unknown.is_empty() {
        return Err(CheckoutError::UnknownProducts(unknown));
    }
    if !short.is_empty() {
        return Err(CheckoutError::InsufficientStock(short));
    }
    Ok(taken)
}

/// The order's total in cents; `None` past `i64`.
fn total_of(taken: &[Taken]) -> Option<i64> {
    taken.iter().try_fold(0i64, |sum, line| {
        line.unit_price_cents
            .checked_mul(line.quantity)
            .and_then(|subtotal| sum.checked_add(subtotal))
    })
}

/// Writes the order's lines, each with its stock movement, and returns them as shown.
async fn write_lines(
    conn: &mut AnyConnection,
    order_id: i64,
    user_id: i64,
    taken: Vec<Taken>,
    now: i64,
) -> Result<Vec<OrderItemView>, CheckoutError> {
    let mut items = Vec::with_capacity(taken.len());
    for line in taken {
        let item_id = store::insert_item(conn, order_id, &line, now).await?;
        line.record(conn, order_id, user_id).await?;
        items.push(OrderItemView::new(
            item_id,
            line.product_id,
            line.title,
            line.quantity,
            line.unit_price_cents,
        ));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_numbers_carry_the_date_and_the_padded_id() {
        // 2025-08-07T12:00:00Z
        assert_eq!(
            order_number(1_754_568_000_000_000, 123),
            "NX-20250807-000123"
        );
        assert_eq!(
            order_number(1_754_568_000_000_000, 1_234_567),
            "NX-20250807-1234567"
        );
    }
}
