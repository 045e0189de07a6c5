//! The statements of checkout: a batch of orders written together, one multi-row statement per
//! table (its orders, their lines, their first history rows and their idempotency keys).

use sqlx::AnyConnection;

use crate::{
    db::{insert_values, Backend, Param},
    inventory::Taken,
    orders::status::{OrderStatus, PaymentStatus},
};

/// `n` fresh ids of `table` (`orders` or `order_items`), drawn before the rows are written so an
/// order's number, which carries its id, is written with it:
/// * PostgreSQL: `nextval` of the identity sequence, `n` times (what the defaults would draw).
/// * SQLite: the `AUTOINCREMENT` counter's next `n` values, which is what SQLite would pick;
///   safe because the write transaction (`BEGIN IMMEDIATE`) holds the only write lock, and the
///   insert moves the counter past them.
pub async fn draw_ids(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &'static str,
    n: usize,
) -> Result<Vec<i64>, sqlx::Error> {
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    if n == 0 {
        return Ok(Vec::new());
    }
    match backend {
        Backend::Postgres => {
            sqlx::query_scalar(
                "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)",
            )
            .bind(table)
            .bind(n)
            .fetch_all(conn)
            .await
        }
        Backend::Sqlite => {
            let last: i64 = sqlx::query_scalar(
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = $1), 0)",
            )
            .bind(table)
            .fetch_one(conn)
            .await?;
            Ok((last + 1..=last + n).collect())
        }
    }
}

/// A new order's columns: `pending`, `unpaid`.
#[derive(Debug)]
pub struct NewOrder<'a> {
    pub id: i64,
    pub number: String,
    pub user_id: i64,
    pub total_cents: i64,
    /// The address snapshot, as JSON.
    pub shipping_address: Option<String>,
    pub notes: &'a str,
    pub now: i64,
}

/// Writes `orders`, each `pending` and `unpaid` with its first history row (`note`, by its
/// customer).
pub async fn insert_orders(
    conn: &mut AnyConnection,
    orders: &[NewOrder<'_>],
    note: &str,
) -> Result<(), sqlx::Error> {
    let rows = orders
        .iter()
        .map(|order| -> Vec<Param> {
            vec![
                order.id.into(),
                order.number.as_str().into(),
                order.user_id.into(),
                OrderStatus::Pending.as_str().into(),
                PaymentStatus::Unpaid.as_str().into(),
                order.total_cents.into(),
                order.shipping_address.clone().into(),
                order.notes.into(),
                order.now.into(),
                order.now.into(),
            ]
        })
        .collect();
    insert_values(
        conn,
        "INSERT INTO orders (id, order_number, user_id, status, payment_status, total_cents, \
         shipping_address, notes, created_at, updated_at) VALUES ",
        "",
        rows,
        drop,
    )
    .await?;
    let history = orders
        .iter()
        .map(|order| -> Vec<Param> {
            vec![
                order.id.into(),
                OrderStatus::Pending.as_str().into(),
                note.into(),
                order.user_id.into(),
                order.now.into(),
            ]
        })
        .collect();
    insert_values(
        conn,
        "INSERT INTO order_status_history (order_id, status, note, actor_id, created_at) VALUES ",
        "",
        history,
        drop,
    )
    .await?;
    Ok(())
}

/// Writes order lines: `(line id, order id, the units taken)`.
pub async fn insert_items(
    conn: &mut AnyConnection,
    items: &[(i64, i64, &Taken)],
    now: i64,
) -> Result<(), sqlx::Error> {
    let rows = items
        .iter()
        .map(|&(id, order_id, line)| -> Vec<Param> {
            vec![
                id.into(),
                order_id.into(),
                line.product_id.into(),
                line.title.as_str().into(),
                line.quantity.into(),
                line.unit_price_cents.into(),
                now.into(),
            ]
        })
        .collect();
    insert_values(
        conn,
        "INSERT INTO order_items (id, order_id, product_id, product_title, quantity, \
         unit_price_cents, created_at) VALUES ",
        "",
        rows,
        drop,
    )
    .await?;
    Ok(())
}
