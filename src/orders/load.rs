//! Reading orders with their lines and history: one query for the orders, one for all their
//! lines, one for all their history, whatever the page size.

use std::collections::HashMap;

use sqlx::{any::AnyArguments, AnyConnection, Arguments};

use super::{
    status::{OrderStatus, PaymentStatus},
    views::{OrderItemView, OrderView, ShippingAddress, StatusHistoryView},
};
use crate::{db::types::format_micros, money::Money};

const ORDER_SELECT: &str = "SELECT o.id, o.order_number, o.user_id, u.email, o.status, \
     o.payment_status, o.total_cents, o.shipping_address, o.notes, o.created_at, o.updated_at \
     FROM orders o JOIN users u ON u.id = o.user_id";

type OrderRow = (
    i64,
    String,
    i64,
    String,
    String,
    String,
    i64,
    Option<String>,
    String,
    i64,
    i64,
);

/// Which orders a list shows.
#[derive(Debug, Default, Clone)]
pub struct OrderFilter {
    pub user_id: Option<i64>,
    pub status: Option<OrderStatus>,
    /// Inclusive lower bound on `created_at` (epoch micros).
    pub created_from: Option<i64>,
    /// Exclusive upper bound on `created_at` (epoch micros).
    pub created_before: Option<i64>,
}

impl OrderFilter {
    /// `WHERE ...` (or nothing) and its arguments, numbered from `$1`.
    fn clause(&self) -> (String, AnyArguments<'static>) {
        let mut conditions = Vec::new();
        let mut args = AnyArguments::default();
        let mut n = 0;
        let mut next = || {
            n += 1;
            n
        };
        if let Some(user_id) = self.user_id {
            conditions.push(format!("o.user_id = ${}", next()));
            let _ = args.add(user_id);
        }
        if let Some(status) = self.status {
            conditions.push(format!("o.status = ${}", next()));
            let _ = args.add(status.as_str().to_owned());
        }
        if let Some(from) = self.created_from {
            conditions.push(format!("o.created_at >= ${}", next()));
            let _ = args.add(from);
        }
        if let Some(before) = self.created_before {
            conditions.push(format!("o.created_at < ${}", next()));
            let _ = args.add(before);
        }
        let clause = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        (clause, args)
    }
}

/// One page of orders matching `filter`, newest first, and the total count.
pub async fn list(
    conn: &mut AnyConnection,
    filter: &OrderFilter,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<OrderView>), sqlx::Error> {
    let (clause, args) = filter.clause();
    let count: i64 =
        sqlx::query_scalar_with(&format!("SELECT COUNT(*) FROM orders o{clause}"), args)
            .fetch_one(&mut *conn)
            .await?;
    let (clause, mut args) = filter.clause();
    let placeholder = args.len();
    let _ = args.add(limit);
    let _ = args.add(offset);
    let sql = format!(
        "{ORDER_SELECT}{clause} ORDER BY o.created_at DESC, o.id DESC LIMIT ${} OFFSET ${}",
        placeholder + 1,
        placeholder + 2
    );
    let rows: Vec<OrderRow> = sqlx::query_as_with(&sql, args)
        .fetch_all(&mut *conn)
        .await?;
    Ok((count, attach(conn, rows).await?))
}

/// One order with its lines and history.
pub async fn one(conn: &mut AnyConnection, id: i64) -> Result<Option<OrderView>, sqlx::Error> {
    let rows: Vec<OrderRow> = sqlx::query_as(&format!("{ORDER_SELECT} WHERE o.id = $1"))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(attach(conn, rows).await?.pop())
}

/// `$1, $2, ...` for an `IN (...)` list of `n` values.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn attach(
    conn: &mut AnyConnection,
    rows: Vec<OrderRow>,
) -> Result<Vec<OrderView>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let in_list = placeholders(ids.len());

    let sql = format!(
        "SELECT id, order_id, product_id, product_title, quantity, unit_price_cents \
         FROM order_items WHERE order_id IN ({in_list}) ORDER BY id"
    );
    let mut query = sqlx::query_as::<_, (i64, i64, i64, String, i64, i64)>(&sql);
    for id in &ids {
        query = query.bind(*id);
    }
    let mut items: HashMap<i64, Vec<OrderItemView>> = HashMap::new();
    for (id, order_id, product_id, title, quantity, unit) in query.fetch_all(&mut *conn).await? {
        items
            .entry(order_id)
            .or_default()
            .push(OrderItemView::new(id, product_id, title, quantity, unit));
    }

    let sql = format!(
        "SELECT order_id, status, note, created_at FROM order_status_history \
         WHERE order_id IN ({in_list}) ORDER BY id"
    );
    let mut query = sqlx::query_as::<_, (i64, String, String, i64)>(&sql);
    for id in &ids {
        query = query.bind(*id);
    }
    let mut history: HashMap<i64, Vec<StatusHistoryView>> = HashMap::new();
    for (order_id, status, note, created_at) in query.fetch_all(&mut *conn).await? {
        history
            .entry(order_id)
            .or_default()
            .push(StatusHistoryView {
                status,
                note,
                created_at: format_micros(created_at),
            });
    }

    Ok(
        rows.into_iter()
            .map(|row| {
                let (
                    id,
                    number,
                    user,
                    email,
                    status,
                    payment,
                    total,
                    address,
                    notes,
                    created,
                    updated,
                ) = row;
                OrderView {
                    id,
                    order_number: number,
                    user,
                    user_email: email,
                    // The CHECK constraints keep both columns to known names.
                    status: OrderStatus::parse(&status).unwrap_or(OrderStatus::Pending),
                    payment_status: PaymentStatus::parse(&payment).unwrap_or(PaymentStatus::Unpaid),
                    total_amount: Money::from_cents(total),
                    shipping_address: address
                        .and_then(|json| serde_json::from_str::<ShippingAddress>(&json).ok()),
                    items: items.remove(&id).unwrap_or_default(),
                    status_history: history.remove(&id).unwrap_or_default(),
                    notes,
                    created_at: format_micros(created),
                    updated_at: format_micros(updated),
                }
            })
            .collect(),
    )
}

/// The fields that decide what may happen to an order.
#[derive(Debug, Clone, Copy)]
pub struct OrderCore {
    pub user_id: i64,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub total_cents: i64,
}

/// An order's [`OrderCore`], or `None` when it doesn't exist.
pub async fn core(conn: &mut AnyConnection, id: i64) -> Result<Option<OrderCore>, sqlx::Error> {
    let row: Option<(i64, String, String, i64)> = sqlx::query_as(
        "SELECT user_id, status, payment_status, total_cents FROM orders WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(
        row.map(|(user_id, status, payment, total_cents)| OrderCore {
            user_id,
            status: OrderStatus::parse(&status).unwrap_or(OrderStatus::Pending),
            payment_status: PaymentStatus::parse(&payment).unwrap_or(PaymentStatus::Unpaid),
            total_cents,
        }),
    )
}
