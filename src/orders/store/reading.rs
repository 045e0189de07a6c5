//! Reading orders with their lines and history: one query for the orders, one for all their
//! lines, one for all their history, whatever the page size.

use std::collections::HashMap;

use sqlx::AnyConnection;

use crate::{
    db::{types::format_micros, SqlBuilder},
    money::Money,
    orders::{
        status::{OrderStatus, PaymentStatus},
        views::{OrderItemView, OrderView, ShippingAddress, StatusHistoryView},
    },
};

const ORDER_SELECT: &str = "SELECT o.id, o.order_number, o.user_id, u.email AS user_email, \
     o.status, o.payment_status, o.total_cents, o.shipping_address, o.notes, o.created_at, \
     o.updated_at FROM orders o JOIN users u ON u.id = o.user_id";

/// An order as stored, with its owner's email.
#[derive(Debug, sqlx::FromRow)]
struct OrderRow {
    id: i64,
    order_number: String,
    user_id: i64,
    user_email: String,
    status: String,
    payment_status: String,
    total_cents: i64,
    /// The address snapshot, as JSON.
    shipping_address: Option<String>,
    notes: String,
    created_at: i64,
    updated_at: i64,
}

/// One order line as stored.
#[derive(Debug, sqlx::FromRow)]
struct ItemRow {
    id: i64,
    order_id: i64,
    product_id: i64,
    product_title: String,
    quantity: i64,
    unit_price_cents: i64,
}

/// One history step as stored.
#[derive(Debug, sqlx::FromRow)]
struct HistoryRow {
    order_id: i64,
    status: String,
    note: String,
    created_at: i64,
}

/// Which orders a list shows.
#[derive(Debug, Default, Clone)]
pub struct OrderFilter {
    pub user_id: Option<i64>,
    pub status: Option<OrderStatus>,
    /// Inclusive lower bound on `created_at` (epoch micros).
    pub created_from: Option<i64>,
    /// Exclusive upper bound on `created_at` (epoch micros).
    pub created_before: Option<i64>,
    /// Part of the owner's email, any case (the dashboard's customer search).
    pub user_email: Option<String>,
}

impl OrderFilter {
    /// Appends `WHERE ...` (or nothing) to `sql`, binding the filter's values.
    fn push_where(&self, sql: &mut SqlBuilder) {
        let mut conditions = 0;
        let mut condition = |sql: &mut SqlBuilder, text: &str| {
            sql.push(if conditions == 0 { " WHERE " } else { " AND " })
                .push(text);
            conditions += 1;
        };
        if let Some(user_id) = self.user_id {
            condition(sql, "o.user_id = ");
            sql.push_bind(user_id);
        }
        if let Some(status) = self.status {
            condition(sql, "o.status = ");
            sql.push_bind(status.as_str());
        }
        if let Some(from) = self.created_from {
            condition(sql, "o.created_at >= ");
            sql.push_bind(from);
        }
        if let Some(before) = self.created_before {
            condition(sql, "o.created_at < ");
            sql.push_bind(before);
        }
        if let Some(email) = &self.user_email {
            // `%` and `_` typed by the user match themselves; LIKE is case-sensitive on
            // PostgreSQL, so both sides are lowered.
            let escaped = email
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            condition(
                sql,
                "o.user_id IN (SELECT id FROM users WHERE LOWER(email) LIKE ",
            );
            sql.push_bind(format!("%{escaped}%")).push(" ESCAPE '\\')");
        }
    }
}

/// One page of orders matching `filter`, newest first, and the total count.
pub async fn list(
    conn: &mut AnyConnection,
    filter: &OrderFilter,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<OrderView>), sqlx::Error> {
    let mut count = SqlBuilder::new("SELECT COUNT(*) FROM orders o");
    filter.push_where(&mut count);
    let (count,): (i64,) = count.query_as().fetch_one(&mut *conn).await?;
    let mut page = SqlBuilder::new(ORDER_SELECT);
    filter.push_where(&mut page);
    page.push(" ORDER BY o.created_at DESC, o.id DESC LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let rows = page.query_as::<OrderRow>().fetch_all(&mut *conn).await?;
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

/// The orders of `rows` with their lines and history, two queries for all of them.
async fn attach(
    conn: &mut AnyConnection,
    rows: Vec<OrderRow>,
) -> Result<Vec<OrderView>, sqlx::Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
    let mut items = items_of(conn, &ids).await?;
    let mut history = history_of(conn, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let items = items.remove(&row.id).unwrap_or_default();
            let history = history.remove(&row.id).unwrap_or_default();
            row.into_view(items, history)
        })
        .collect())
}

/// The lines of every order in `ids`, by order.
async fn items_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<OrderItemView>>, sqlx::Error> {
    let mut sql = SqlBuilder::new(
        "SELECT id, order_id, product_id, product_title, quantity, unit_price_cents \
         FROM order_items WHERE order_id IN (",
    );
    sql.push_list(ids.iter().copied()).push(") ORDER BY id");
    let mut items: HashMap<i64, Vec<OrderItemView>> = HashMap::new();
    for row in sql.query_as::<ItemRow>().fetch_all(conn).await? {
        items
            .entry(row.order_id)
            .or_default()
            .push(OrderItemView::new(
                row.id,
                row.product_id,
                row.product_title,
                row.quantity,
                row.unit_price_cents,
            ));
    }
    Ok(items)
}

/// The history of every order in `ids`, by order, oldest first.
async fn history_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<StatusHistoryView>>, sqlx::Error> {
    let mut sql = SqlBuilder::new(
        "SELECT order_id, status, note, created_at FROM order_status_history \
         WHERE order_id IN (",
    );
    sql.push_list(ids.iter().copied()).push(") ORDER BY id");
    let mut history: HashMap<i64, Vec<StatusHistoryView>> = HashMap::new();
    for row in sql.query_as::<HistoryRow>().fetch_all(conn).await? {
        history
            .entry(row.order_id)
            .or_default()
            .push(StatusHistoryView {
                status: row.status,
                note: row.note,
                created_at: format_micros(row.created_at),
            });
    }
    Ok(history)
}

impl OrderRow {
    fn into_view(self, items: Vec<OrderItemView>, history: Vec<StatusHistoryView>) -> OrderView {
        OrderView {
            id: self.id,
            order_number: self.order_number,
            user: self.user_id,
            user_email: self.user_email,
            // The CHECK constraints keep both columns to known names.
            status: OrderStatus::parse(&self.status).unwrap_or(OrderStatus::Pending),
            payment_status: PaymentStatus::parse(&self.payment_status)
                .unwrap_or(PaymentStatus::Unpaid),
            total_amount: Money::from_cents(self.total_cents),
            shipping_address: self
                .shipping_address
                .and_then(|json| serde_json::from_str::<ShippingAddress>(&json).ok()),
            items,
            status_history: history,
            notes: self.notes,
            created_at: format_micros(self.created_at),
            updated_at: format_micros(self.updated_at),
        }
    }
}

/// The fields that decide what may happen to an order.
#[derive(Debug, Clone, Copy)]
pub struct OrderCore {
    pub user_id: i64,
    pub status: OrderStatus,
    pub payment_status: PaymentStatus,
    pub total_cents: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct CoreRow {
    user_id: i64,
    status: String,
    payment_status: String,
    total_cents: i64,
}

/// An order's [`OrderCore`], or `None` when it doesn't exist.
pub async fn core(conn: &mut AnyConnection, id: i64) -> Result<Option<OrderCore>, sqlx::Error> {
    let row: Option<CoreRow> = sqlx::query_as(
        "SELECT user_id, status, payment_status, total_cents FROM orders WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| OrderCore {
        user_id: row.user_id,
        status: OrderStatus::parse(&row.status).unwrap_or(OrderStatus::Pending),
        payment_status: PaymentStatus::parse(&row.payment_status).unwrap_or(PaymentStatus::Unpaid),
        total_cents: row.total_cents,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_number_their_placeholders_in_order() {
        let filter = OrderFilter {
            user_id: Some(7),
            status: Some(OrderStatus::Shipped),
            created_from: None,
            created_before: Some(100),
            user_email: Some("50%_off".into()),
        };
        let mut sql = SqlBuilder::new("SELECT COUNT(*) FROM orders o");
        filter.push_where(&mut sql);
        assert_eq!(
            sql.sql(),
            "SELECT COUNT(*) FROM orders o WHERE o.user_id = $1 AND o.status = $2 \
             AND o.created_at < $3 AND o.user_id IN (SELECT id FROM users \
             WHERE LOWER(email) LIKE $4 ESCAPE '\\')"
        );
        let mut all = SqlBuilder::new("SELECT COUNT(*) FROM orders o");
        OrderFilter::default().push_where(&mut all);
        assert_eq!(all.sql(), "SELECT COUNT(*) FROM orders o");
    }
}
