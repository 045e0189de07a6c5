//! Django orders and their lines → `orders` (with a generated order number and a status
//! history), `order_items`.

use std::collections::HashSet;

use super::{
    report::Report,
    source::Source,
    values::{cents, micros},
    Kept, Rows, UNREADABLE_DATE,
};
use crate::{db::Param, orders::order_number};

const ORDERS: &str = "orders_order";
const ITEMS: &str = "orders_orderitem";

/// The note on every imported status-history row.
const HISTORY_NOTE: &str = "Imported from the Django shop.";

/// The statuses both backends share; Django has no others.
const STATUSES: [&str; 7] = [
    "pending",
    "processing",
    "shipped",
    "delivered",
    "completed",
    "cancelled",
    "failed",
];

#[derive(Debug, sqlx::FromRow)]
pub struct Order {
    pub id: i64,
    pub user_id: i64,
    pub status: String,
    pub payment_status: String,
    pub total_amount: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, sqlx::FromRow)]
pub struct Item {
    pub id: i64,
    pub order_id: i64,
    pub product_id: i64,
    pub quantity: i64,
    pub unit_price: String,
    pub subtotal: String,
}

/// Reads and plans orders, then their lines.
pub async fn import(
    source: &mut Source,
    kept: &mut Kept,
    report: &mut Report,
) -> anyhow::Result<Vec<Rows>> {
    let orders: Vec<Order> = source
        .read(
            ORDERS,
            "SELECT id, user_id, status, payment_status, CAST(total_amount AS TEXT) AS total_amount, \
             CAST(created_at AS TEXT) AS created_at, CAST(updated_at AS TEXT) AS updated_at \
             FROM orders_order ORDER BY id",
        )
        .await?;
    let items: Vec<Item> = source
        .read(
            ITEMS,
            "SELECT id, order_id, product_id, CAST(quantity AS BIGINT) AS quantity, \
             CAST(unit_price AS TEXT) AS unit_price, CAST(subtotal AS TEXT) AS subtotal \
             FROM orders_orderitem ORDER BY id",
        )
        .await?;
    let [orders, history] = plan_orders(orders, kept, report);
    let items = plan_items(items, kept, report);
    Ok(vec![orders, history, items])
}

/// Why Nexus would refuse `order`: (total in cents, created, updated) when it would not.
fn refusal(order: &Order, kept: &Kept) -> Result<(i64, i64, i64), &'static str> {
    if !kept.users.contains(&order.user_id) {
        return Err("its user was not imported");
    }
    if !STATUSES.contains(&order.status.as_str()) {
        return Err("unknown status");
    }
    if !["paid", "unpaid"].contains(&order.payment_status.as_str()) {
        return Err("unknown payment_status");
    }
    let total = cents(&order.total_amount).ok_or("total_amount is not a valid amount")?;
    if total < 0 {
        return Err("total_amount is negative");
    }
    match (micros(&order.created_at), micros(&order.updated_at)) {
        (Some(created), Some(updated)) => Ok((total, created, updated)),
        _ => Err(UNREADABLE_DATE),
    }
}

/// Orders of imported users, each with its history: `pending` when it was placed and, when it
/// moved on, its status at its last update.
pub fn plan_orders(orders: Vec<Order>, kept: &mut Kept, report: &mut Report) -> [Rows; 2] {
    report.read(ORDERS, orders.len());
    let mut rows = Vec::with_capacity(orders.len());
    let mut history = Vec::with_capacity(orders.len() * 2);
    for order in orders {
        let (total, created_at, updated_at) = match refusal(&order, kept) {
            Ok(values) => values,
            Err(reason) => {
                report.skip(ORDERS, order.id, reason);
                continue;
            }
        };
        kept.orders.insert(order.id, created_at);
        history.push(vec![
            Param::Int(order.id),
            Param::from("pending"),
            Param::from(HISTORY_NOTE),
            Param::Int(created_at),
        ]);
        if order.status != "pending" {
            history.push(vec![
                Param::Int(order.id),
                Param::Text(order.status.clone()),
                Param::from(HISTORY_NOTE),
                Param::Int(updated_at.max(created_at)),
            ]);
        }
        rows.push(vec![
            Param::Int(order.id),
            Param::Text(order_number(created_at, order.id)),
            Param::Int(order.user_id),
            Param::Text(order.status),
            Param::Text(order.payment_status),
            Param::Int(total),
            Param::Int(created_at),
            Param::Int(updated_at),
        ]);
    }
    report.written(ORDERS, rows.len());
    [
        Rows {
            table: "orders",
            columns: &[
                "id",
                "order_number",
                "user_id",
                "status",
                "payment_status",
                "total_cents",
                "created_at",
                "updated_at",
            ],
            rows,
        },
        Rows {
            table: "order_status_history",
            columns: &["order_id", "status", "note", "created_at"],
            rows: history,
        },
    ]
}

/// Lines of imported orders and products, prices kept exactly; the title snapshot is the
/// product's title (Django kept none).
pub fn plan_items(items: Vec<Item>, kept: &Kept, report: &mut Report) -> Rows {
    report.read(ITEMS, items.len());
    let mut rows = Vec::with_capacity(items.len());
    let mut subtotals_differ = HashSet::new();
    for item in items {
        let Some(&created_at) = kept.orders.get(&item.order_id) else {
            report.skip(ITEMS, item.id, "its order was not imported");
            continue;
        };
        let Some(title) = kept.products.get(&item.product_id) else {
            report.skip(ITEMS, item.id, "its product was not imported");
            continue;
        };
        if item.quantity <= 0 {
            report.skip(ITEMS, item.id, "quantity is 0");
            continue;
        }
        let unit_price = match cents(&item.unit_price) {
            None => {
                report.skip(ITEMS, item.id, "unit_price is not a valid amount");
                continue;
            }
            Some(price) if price < 0 => {
                report.skip(ITEMS, item.id, "unit_price is negative");
                continue;
            }
            Some(price) => price,
        };
        if cents(&item.subtotal) != Some(unit_price * item.quantity) {
            subtotals_differ.insert(item.id);
        }
        rows.push(vec![
            Param::Int(item.id),
            Param::Int(item.order_id),
            Param::Int(item.product_id),
            Param::Text(title.clone()),
            Param::Int(item.quantity),
            Param::Int(unit_price),
            Param::Int(created_at),
        ]);
    }
    report.written(ITEMS, rows.len());
    report.adjust(
        ITEMS,
        "Django subtotal differs from quantity × unit_price (Nexus shows the product)",
        subtotals_differ.len(),
    );
    Rows {
        table: "order_items",
        columns: &[
            "id",
            "order_id",
            "product_id",
            "product_title",
            "quantity",
            "unit_price_cents",
            "created_at",
        ],
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(id: i64, status: &str, total: &str) -> Order {
        Order {
            id,
            user_id: 1,
            status: status.into(),
            payment_status: "paid".into(),
            total_amount: total.into(),
            created_at: "2025-08-07 12:00:00".into(),
            updated_at: "2025-08-09 08:30:00".into(),
        }
    }

    #[test]
    fn an_order_keeps_its_id_and_total_and_gets_a_number_and_history() {
        let mut kept = Kept::default();
        kept.users.insert(1);
        let mut report = Report::default();
        let [orders, history] = plan_orders(
            vec![
                order(123, "shipped", "1234.56"),
                order(124, "pending", "5.00"),
                order(125, "lost", "1.00"),
                order(126, "paid", "1.00"),
                order(127, "pending", "-1.00"),
            ],
            &mut kept,
            &mut report,
        );
        assert_eq!(orders.rows.len(), 2);
        assert_eq!(orders.rows[0][1], Param::from("NX-20250807-000123"));
        assert_eq!(orders.rows[0][5], Param::Int(123_456));
        let statuses: Vec<_> = history
            .rows
            .iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        assert_eq!(
            statuses,
            [
                (Param::Int(123), Param::from("pending")),
                (Param::Int(123), Param::from("shipped")),
                (Param::Int(124), Param::from("pending")),
            ]
        );
        assert_eq!(report.skipped_ids(ORDERS, "unknown status"), [125, 126]);
        assert_eq!(
            report.skipped_ids(ORDERS, "total_amount is negative"),
            [127]
        );
    }

    #[test]
    fn lines_keep_their_prices_and_skip_what_nexus_refuses() {
        let mut kept = Kept::default();
        kept.orders.insert(1, 0);
        kept.products.insert(5, "Lamp".into());
        let line = |id, product_id, quantity, unit_price: &str, subtotal: &str| Item {
            id,
            order_id: 1,
            product_id,
            quantity,
            unit_price: unit_price.into(),
            subtotal: subtotal.into(),
        };
        let mut report = Report::default();
        let rows = plan_items(
            vec![
                line(1, 5, 3, "19.99", "59.97"),
                line(2, 5, 1, "19.99", "20.00"),
                line(3, 6, 1, "1.00", "1.00"),
                line(4, 5, 0, "1.00", "0.00"),
                line(5, 5, 1, "-1.00", "-1.00"),
            ],
            &kept,
            &mut report,
        );
        assert_eq!(rows.rows.len(), 2);
        assert_eq!(rows.rows[0][3], Param::from("Lamp"));
        assert_eq!(rows.rows[0][5], Param::Int(1999));
        assert_eq!(
            report.skipped_ids(ITEMS, "its product was not imported"),
            [3]
        );
        assert_eq!(report.skipped_ids(ITEMS, "quantity is 0"), [4]);
        assert_eq!(report.skipped_ids(ITEMS, "unit_price is negative"), [5]);
        assert!(report.render().contains("subtotal differs"));
    }
}
