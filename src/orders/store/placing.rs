//! The statements of checkout: the order and its lines written, and the cart emptied into it.

use sqlx::AnyConnection;

use crate::db::Backend;

/// The order insert, returning the new id and order number. The number needs the id, so the
/// id is drawn in the statement itself and both columns are written at once (one round trip
/// instead of an insert and an update):
/// * PostgreSQL: `nextval` of the identity sequence (what the default would have drawn).
/// * SQLite: the next `AUTOINCREMENT` value, `sqlite_sequence`'s + 1, which is what SQLite would
///   pick; safe because the write transaction (`BEGIN IMMEDIATE`) holds the only write lock.
///
/// Binds: `$1` number prefix, `$2` user, `$3` total, `$4` address, `$5` notes, `$6` now.
fn insert_order_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => {
            "INSERT INTO orders (id, order_number, user_id, status, payment_status, total_cents, \
             shipping_address, notes, created_at, updated_at) \
             SELECT n.id, $1 || CASE WHEN n.id < 1000000 THEN lpad(n.id::text, 6, '0') \
             ELSE n.id::text END, $2, 'pending', 'unpaid', $3, $4, $5, $6, $6 \
             FROM (SELECT nextval(pg_get_serial_sequence('orders', 'id')) AS id) n \
             RETURNING id, order_number"
        }
        Backend::Sqlite => {
            "INSERT INTO orders (id, order_number, user_id, status, payment_status, total_cents, \
             shipping_address, notes, created_at, updated_at) \
             SELECT n.id, $1 || printf('%06d', n.id), $2, 'pending', 'unpaid', $3, $4, $5, $6, $6 \
             FROM (SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'orders'), 0) + 1 \
             AS id) n \
             RETURNING id, order_number"
        }
    }
}

/// A new order's columns.
#[derive(Debug)]
pub struct NewOrder<'a> {
    /// `NX-YYYYMMDD-`: the statement appends the padded id.
    pub number_prefix: &'a str,
    pub user_id: i64,
    pub total_cents: i64,
    /// The address snapshot, as JSON.
    pub shipping_address: Option<String>,
    pub notes: &'a str,
    pub now: i64,
}

/// Writes a `pending`, `unpaid` order; returns its id and order number (one statement: the id is
/// drawn first and the number derived from it in the same insert).
pub async fn insert_order(
    conn: &mut AnyConnection,
    backend: Backend,
    order: &NewOrder<'_>,
) -> Result<(i64, String), sqlx::Error> {
    sqlx::query_as(insert_order_sql(backend))
        .bind(order.number_prefix)
        .bind(order.user_id)
        .bind(order.total_cents)
        .bind(order.shipping_address.as_deref())
        .bind(order.notes)
        .bind(order.now)
        .fetch_one(conn)
        .await
}

/// Writes one order line; returns its id.
pub async fn insert_item(
    conn: &mut AnyConnection,
    order_id: i64,
    line: &crate::inventory::Taken,
    now: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO order_items (order_id, product_id, product_title, quantity, \
         unit_price_cents, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(order_id)
    .bind(line.product_id)
    .bind(&line.title)
    .bind(line.quantity)
    .bind(line.unit_price_cents)
    .bind(now)
    .fetch_one(conn)
    .await
}
