//! Past orders with their lines, status history and stock movements.
//!
//! Lines only take stock that is there: the plan tracks each product's remaining stock, and the
//! products are written with their stock after these orders, so stock = Σ movements holds
//! (`initial` − `order` + `order_cancelled` for cancelled orders, whose stock went back).

use chrono::{DateTime, Utc};
use rand::{seq::SliceRandom, Rng};
use rand_chacha::ChaCha8Rng;
use sqlx::AnyConnection;

use super::{catalog, insert_rows, names, phase, Summary, DAY};
use crate::{db::Param, inventory::reason};

#[derive(Debug)]
pub struct Item {
    pub product: usize,
    pub title: String,
    pub quantity: i64,
    pub unit_price_cents: i64,
}

#[derive(Debug)]
pub struct Order {
    pub number: String,
    pub user: usize,
    pub status: &'static str,
    pub payment_status: &'static str,
    pub total_cents: i64,
    pub address: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub items: Vec<Item>,
}

#[derive(Debug)]
pub struct Plan {
    pub orders: Vec<Order>,
    /// Units sold (and not given back) per product, by plan index.
    pub sold: Vec<i64>,
}

/// Status mix (weights): mostly finished orders, as in a shop's history.
const STATUSES: [(&str, u32); 6] = [
    ("delivered", 35),
    ("completed", 25),
    ("shipped", 10),
    ("processing", 10),
    ("pending", 10),
    ("cancelled", 10),
];

fn payment_status(status: &str) -> &'static str {
    match status {
        "pending" | "cancelled" => "unpaid",
        _ => "paid",
    }
}

/// `NX-YYYYMMDD-D000042`: the checkout format with a `D` (demo) before the sequence, so a seeded
/// number can never equal one checkout derives from an order id.
fn order_number(created_at: i64, n: usize) -> String {
    let date = DateTime::<Utc>::from_timestamp_micros(created_at).unwrap_or_default();
    format!("NX-{}-D{n:06}", date.format("%Y%m%d"))
}

pub fn plan(
    rng: &mut ChaCha8Rng,
    catalog: &catalog::Plan,
    users: usize,
    orders: usize,
    start: i64,
    now: i64,
) -> Plan {
    let products = &catalog.products;
    let mut remaining: Vec<i64> = products.iter().map(|p| p.initial_stock).collect();
    let mut sold = vec![0; products.len()];
    let mut out = Vec::with_capacity(orders);
    let total_weight: u32 = STATUSES.iter().map(|s| s.1).sum();
    if users == 0 || products.is_empty() {
        return Plan { orders: out, sold };
    }
    // Orders happen after the catalogue (first 30 days) and at least a day before now.
    let first = start + 31 * DAY;
    for n in 0..orders {
        let created_at = first + rng.gen_range(0..(now - DAY - first).max(1));
        let mut pick = rng.gen_range(0..total_weight);
        let mut status = "delivered";
        for (s, w) in STATUSES {
            if pick < w {
                status = s;
                break;
            }
            pick -= w;
        }
        let lines = rng.gen_range(1..=4);
        let mut items: Vec<Item> = Vec::new();
        for _ in 0..lines * 3 {
            if items.len() == lines {
                break;
            }
            let product = rng.gen_range(0..products.len());
            if !products[product].active
                || remaining[product] == 0
                || items.iter().any(|i| i.product == product)
            {
                continue;
            }
            let quantity = rng.gen_range(1..=3).min(remaining[product]);
            if status != "cancelled" {
                remaining[product] -= quantity;
                sold[product] += quantity;
            }
            items.push(Item {
                product,
                title: products[product].title.clone(),
                quantity,
                unit_price_cents: products[product].price_cents,
            });
        }
        if items.is_empty() {
            continue; // nothing in stock was drawn: fewer orders than asked, never empty ones
        }
        let first_name = *names::FIRST_NAMES.choose(rng).unwrap_or(&"Alex");
        let last_name = *names::LAST_NAMES.choose(rng).unwrap_or(&"Doe");
        let (city, country) = *names::CITIES.choose(rng).unwrap_or(&("Berlin", "DE"));
        let address = serde_json::json!({
            "first_name": first_name,
            "last_name": last_name,
            "address_line_1": format!("{} {}", rng.gen_range(1..200), names::STREETS.choose(rng).unwrap_or(&"High Street")),
            "address_line_2": "",
            "city": city,
            "postal_code": format!("{:05}", rng.gen_range(1000..99999)),
            "country": country,
            "phone_number": "",
        })
        .to_string();
        let updated_at = if status == "pending" {
            created_at
        } else {
            created_at + rng.gen_range(DAY / 24..(5 * DAY).min(now - created_at))
        };
        out.push(Order {
            number: order_number(created_at, n + 1),
            user: rng.gen_range(0..users),
            status,
            payment_status: payment_status(status),
            total_cents: items.iter().map(|i| i.quantity * i.unit_price_cents).sum(),
            address,
            created_at,
            updated_at,
            items,
        });
    }
    Plan { orders: out, sold }
}

/// Writes the orders with their lines, status history and stock movements.
pub async fn write(
    conn: &mut AnyConnection,
    plan: &Plan,
    products: &[i64],
    users: &[i64],
    summary: &mut Summary,
) -> anyhow::Result<()> {
    let ids = write_orders(conn, plan, users).await?;
    let rows = Rows::of(plan, &ids, products);
    summary.orders = ids.len();
    summary.order_items = rows.items.len();
    summary.stock_movements += rows.movements.len();
    write_rows(conn, rows).await
}

/// Writes the orders themselves; returns their ids by plan index (read back by number).
async fn write_orders(
    conn: &mut AnyConnection,
    plan: &Plan,
    users: &[i64],
) -> anyhow::Result<Vec<i64>> {
    let bar = phase("orders", plan.orders.len() as u64);
    let rows = plan
        .orders
        .iter()
        .map(|o| {
            vec![
                Param::Text(o.number.clone()),
                Param::Int(users[o.user]),
                Param::Text(o.status.to_owned()),
                Param::Text(o.payment_status.to_owned()),
                Param::Int(o.total_cents),
                Param::Text(o.address.clone()),
                Param::Text(String::new()),
                Param::Int(o.created_at),
                Param::Int(o.updated_at),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "orders",
        &[
            "order_number",
            "user_id",
            "status",
            "payment_status",
            "total_cents",
            "shipping_address",
            "notes",
            "created_at",
            "updated_at",
        ],
        rows,
        &bar,
    )
    .await?;
    bar.finish();
    let by_number: std::collections::HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>(
        "SELECT order_number, id FROM orders WHERE order_number LIKE 'NX-%-D%'",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    Ok(plan.orders.iter().map(|o| by_number[&o.number]).collect())
}

/// The rows that hang off the orders, one `Vec<Param>` per row in its table's column order.
struct Rows {
    items: Vec<Vec<Param>>,
    movements: Vec<Vec<Param>>,
    history: Vec<Vec<Param>>,
}

impl Rows {
    /// Each line, its `order` movement (and its `order_cancelled` one when the order was
    /// cancelled), and each order's status history: placed, then its status when it moved on.
    fn of(plan: &Plan, ids: &[i64], products: &[i64]) -> Self {
        let mut items = Vec::new();
        let mut movements = Vec::new();
        let mut history = Vec::new();
        for (order, id) in plan.orders.iter().zip(ids) {
            for item in &order.items {
                let product = &products[item.product];
                items.push(vec![
                    Param::Int(*id),
                    Param::Int(*product),
                    Param::Text(item.title.clone()), // lines snapshot the title, as checkout does
                    Param::Int(item.quantity),
                    Param::Int(item.unit_price_cents),
                    Param::Int(order.created_at),
                ]);
                movements.push(vec![
                    Param::Int(*product),
                    Param::Int(-item.quantity),
                    Param::Text(reason::ORDER.to_owned()),
                    Param::Int(*id),
                    Param::Int(order.created_at),
                ]);
                if order.status == "cancelled" {
                    movements.push(vec![
                        Param::Int(*product),
                        Param::Int(item.quantity),
                        Param::Text(reason::ORDER_CANCELLED.to_owned()),
                        Param::Int(*id),
                        Param::Int(order.updated_at),
                    ]);
                }
            }
            history.push(vec![
                Param::Int(*id),
                Param::Text("pending".to_owned()),
                Param::Text("Order placed".to_owned()),
                Param::Int(order.created_at),
            ]);
            if order.status != "pending" {
                history.push(vec![
                    Param::Int(*id),
                    Param::Text(order.status.to_owned()),
                    Param::Text(String::new()),
                    Param::Int(order.updated_at),
                ]);
            }
        }
        Self {
            items,
            movements,
            history,
        }
    }
}

/// Writes the lines, movements and history.
async fn write_rows(conn: &mut AnyConnection, rows: Rows) -> anyhow::Result<()> {
    let Rows {
        items,
        movements,
        history,
    } = rows;
    let bar = phase(
        "lines",
        (items.len() + movements.len() + history.len()) as u64,
    );
    insert_rows(
        conn,
        "order_items",
        &[
            "order_id",
            "product_id",
            "product_title",
            "quantity",
            "unit_price_cents",
            "created_at",
        ],
        items,
        &bar,
    )
    .await?;
    insert_rows(
        conn,
        "stock_movements",
        &["product_id", "delta", "reason", "order_id", "created_at"],
        movements,
        &bar,
    )
    .await?;
    insert_rows(
        conn,
        "order_status_history",
        &["order_id", "status", "note", "created_at"],
        history,
        &bar,
    )
    .await?;
    bar.finish();
    Ok(())
}
