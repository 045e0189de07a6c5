//! Reading the database after the last restart: every acknowledged order and adjustment is there
//! whole, the books balance, nothing is orphaned and no `Idempotency-Key` has two orders.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;
use sqlx::{AnyPool, Row};

use crate::workload::{Customer, Outcome, Product, Staff};

/// What the books show, against what the clients were told.
#[derive(Debug, Default)]
pub struct Findings {
    pub orders_found: usize,
    pub adjustments_found: usize,
    /// Adjustments cut by a kill that had been recorded all the same.
    pub cut_adjustments_recorded: usize,
    pub violations: Vec<String>,
}

/// Each of these counts rows that must not exist.
const ORPHANS: &[(&str, &str)] = &[
    (
        "order lines without their order",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM order_items i \
         LEFT JOIN orders o ON o.id = i.order_id WHERE o.id IS NULL",
    ),
    (
        "order lines without their product",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM order_items i \
         LEFT JOIN products p ON p.id = i.product_id WHERE p.id IS NULL",
    ),
    (
        "orders without lines",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM orders o \
         WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id)",
    ),
    (
        "orders without their first status history row",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM orders o WHERE NOT EXISTS \
         (SELECT 1 FROM order_status_history h WHERE h.order_id = o.id AND h.status = 'pending')",
    ),
    (
        "orders whose total is not the sum of their lines",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM orders o WHERE o.total_cents <> \
         (SELECT COALESCE(SUM(i.quantity * i.unit_price_cents), 0) FROM order_items i \
          WHERE i.order_id = o.id)",
    ),
    (
        "orders whose order movements don't take exactly their lines' units",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM orders o WHERE \
         (SELECT COALESCE(SUM(i.quantity), 0) FROM order_items i WHERE i.order_id = o.id) <> \
         (SELECT COALESCE(-SUM(m.delta), 0) FROM stock_movements m \
          WHERE m.order_id = o.id AND m.reason = 'order')",
    ),
    (
        "orders without a user",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM orders o \
         LEFT JOIN users u ON u.id = o.user_id WHERE u.id IS NULL",
    ),
    (
        "status history rows without their order",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM order_status_history h \
         LEFT JOIN orders o ON o.id = h.order_id WHERE o.id IS NULL",
    ),
    (
        "stock movements without their product",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM stock_movements m \
         LEFT JOIN products p ON p.id = m.product_id WHERE p.id IS NULL",
    ),
    (
        "order movements without their order",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM stock_movements m \
         LEFT JOIN orders o ON o.id = m.order_id WHERE m.reason = 'order' AND o.id IS NULL",
    ),
    (
        "Idempotency-Key rows not completed with an existing order",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM idempotency_keys k \
         LEFT JOIN orders o ON o.id = k.order_id \
         WHERE k.status <> 'completed' OR o.id IS NULL",
    ),
    (
        "cart lines without their cart",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM cart_items c \
         LEFT JOIN carts k ON k.id = c.cart_id WHERE k.id IS NULL",
    ),
    (
        "products with negative stock",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM products WHERE stock_quantity < 0",
    ),
    (
        "products whose stock is not the sum of their movements",
        "SELECT CAST(COUNT(*) AS BIGINT) FROM products p WHERE p.stock_quantity <> \
         (SELECT COALESCE(SUM(m.delta), 0) FROM stock_movements m WHERE m.product_id = p.id)",
    ),
];

/// `"12.30"` → 1230 (the API always writes two decimals); -1 for anything else.
fn cents(amount: &Value) -> i64 {
    amount
        .as_str()
        .filter(|text| text.len() > 3 && text.as_bytes()[text.len() - 3] == b'.')
        .and_then(|text| text.replace('.', "").parse().ok())
        .unwrap_or(-1)
}

/// Checks everything against `customers`' and `staff`'s records.
pub async fn check(
    pool: &AnyPool,
    products: &[Product],
    customers: &[Customer],
    staff: &[Staff],
) -> Findings {
    let mut findings = Findings::default();
    let violations = &mut findings.violations;

    for (what, sql) in ORPHANS {
        let count: i64 = sqlx::query_scalar(sql).fetch_one(pool).await.unwrap();
        if count != 0 {
            violations.push(format!("{count} {what}"));
        }
    }

    // Per product: the starting stock, then only recorded changes; units sold = units taken.
    for product in products {
        let row = sqlx::query(
            "SELECT p.stock_quantity, \
             (SELECT CAST(COALESCE(SUM(m.delta), 0) AS BIGINT) FROM stock_movements m \
              WHERE m.product_id = p.id AND m.reason = 'initial'), \
             (SELECT CAST(COALESCE(SUM(m.delta), 0) AS BIGINT) FROM stock_movements m \
              WHERE m.product_id = p.id AND m.reason <> 'initial'), \
             (SELECT CAST(COALESCE(SUM(i.quantity), 0) AS BIGINT) FROM order_items i \
              WHERE i.product_id = p.id), \
             (SELECT CAST(COALESCE(-SUM(m.delta), 0) AS BIGINT) FROM stock_movements m \
              WHERE m.product_id = p.id AND m.reason = 'order') \
             FROM products p WHERE p.id = $1",
        )
        .bind(product.id)
        .fetch_one(pool)
        .await
        .unwrap();
        let (stock, initial, changes, sold, taken): (i64, i64, i64, i64, i64) =
            (row.get(0), row.get(1), row.get(2), row.get(3), row.get(4));
        if initial != product.initial_stock || stock != initial + changes {
            violations.push(format!(
                "product {}: stock {stock}, created with {}, initial movement {initial}, \
                 other movements {changes}",
                product.id, product.initial_stock
            ));
        }
        if sold != taken {
            violations.push(format!(
                "product {}: order lines hold {sold} units, order movements took {taken}",
                product.id
            ));
        }
    }

    // Every order, with the key row that produced it and the key it carries in its notes.
    let rows = sqlx::query(
        "SELECT o.id, o.user_id, o.notes, k.idempotency_key FROM orders o \
         LEFT JOIN idempotency_keys k ON k.order_id = o.id ORDER BY o.id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut by_key: HashMap<(i64, String), Vec<i64>> = HashMap::new();
    for row in &rows {
        let (id, user, notes, key): (i64, i64, String, Option<String>) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        if key.as_deref() != Some(notes.as_str()) {
            violations.push(format!(
                "order {id} carries key {notes} but its key row says {key:?}"
            ));
        }
        by_key.entry((user, notes)).or_default().push(id);
    }
    let sent: HashSet<(i64, &str)> = customers
        .iter()
        .flat_map(|c| c.keys.iter().map(|k| (c.user_id, k.key.as_str())))
        .collect();
    for ((user, key), ids) in &by_key {
        if ids.len() > 1 {
            violations.push(format!(
                "key {key} of user {user} has {} orders: {ids:?}",
                ids.len()
            ));
        }
        if !sent.contains(&(*user, key.as_str())) {
            violations.push(format!(
                "orders {ids:?} carry key {key}, which user {user} never sent"
            ));
        }
    }

    for customer in customers {
        for entry in &customer.keys {
            let ids = by_key
                .get(&(customer.user_id, entry.key.clone()))
                .cloned()
                .unwrap_or_default();
            match &entry.outcome {
                Outcome::Placed(order) => {
                    let id = order["id"].as_i64().unwrap_or_default();
                    if ids != [id] {
                        violations.push(format!(
                            "key {} was answered with order {id}, the database has {ids:?}",
                            entry.key
                        ));
                        continue;
                    }
                    match order_problems(pool, customer.user_id, order).await {
                        Some(problem) => violations.push(problem),
                        None => findings.orders_found += 1,
                    }
                }
                Outcome::Refused(answer) if !ids.is_empty() => violations.push(format!(
                    "key {} was refused ({answer}) but has orders {ids:?}",
                    entry.key
                )),
                Outcome::Refused(_) => {}
                Outcome::Unknown => violations.push(format!(
                    "key {} never got an answer, even after the last restart",
                    entry.key
                )),
            }
        }
    }

    // Adjustments: each has a reason of its own, so it is recorded at most once.
    let rows = sqlx::query(
        "SELECT id, product_id, delta, reason FROM stock_movements \
         WHERE reason LIKE 'crash test:%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut recorded: HashMap<String, Vec<(i64, i64, i64)>> = HashMap::new();
    for row in &rows {
        recorded
            .entry(row.get(3))
            .or_default()
            .push((row.get(0), row.get(1), row.get(2)));
    }
    for adjustment in staff.iter().flat_map(|s| &s.adjustments) {
        let found = recorded.remove(&adjustment.reason).unwrap_or_default();
        match adjustment.movement {
            Some(id) if found == [(id, adjustment.product, adjustment.delta)] => {
                findings.adjustments_found += 1;
            }
            Some(id) => violations.push(format!(
                "adjustment {:?} was answered with movement {id}, the database has {found:?}",
                adjustment.reason
            )),
            None if found.len() > 1 => violations.push(format!(
                "adjustment {:?} is recorded {} times",
                adjustment.reason,
                found.len()
            )),
            None if !found.is_empty() && !adjustment.cut => violations.push(format!(
                "adjustment {:?} was refused or never sent but is recorded",
                adjustment.reason
            )),
            None => findings.cut_adjustments_recorded += found.len(),
        }
    }
    for (reason, rows) in recorded {
        violations.push(format!(
            "movements {rows:?} with reason {reason:?}, never sent"
        ));
    }
    findings
}

/// What is wrong with an acknowledged order as stored, if anything: its owner, its key (notes),
/// its total and its lines must be what the `201` said.
async fn order_problems(pool: &AnyPool, user: i64, order: &Value) -> Option<String> {
    let id = order["id"].as_i64()?;
    let row = sqlx::query("SELECT user_id, total_cents, notes FROM orders WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .unwrap()?;
    let stored: (i64, i64, String) = (row.get(0), row.get(1), row.get(2));
    let answered = (
        user,
        cents(&order["total_amount"]),
        order["notes"].as_str().unwrap_or_default().to_owned(),
    );
    if stored != answered {
        return Some(format!(
            "order {id}: stored (user, total, notes) {stored:?}, answered {answered:?}"
        ));
    }
    let lines: BTreeMap<i64, (i64, i64)> = sqlx::query(
        "SELECT product_id, quantity, unit_price_cents FROM order_items WHERE order_id = $1",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|row| (row.get(0), (row.get(1), row.get(2))))
    .collect();
    let answered_lines: BTreeMap<i64, (i64, i64)> = order["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|line| {
            (
                line["product_id"].as_i64().unwrap_or_default(),
                (
                    line["quantity"].as_i64().unwrap_or_default(),
                    cents(&line["unit_price"]),
                ),
            )
        })
        .collect();
    (lines != answered_lines)
        .then(|| format!("order {id}: stored lines {lines:?}, answered {answered_lines:?}"))
}
