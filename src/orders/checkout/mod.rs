//! `POST orders/`: turning a cart or a list of items into an order in one write transaction.
//!
//! Stock is taken through `inventory::take`, a conditional update (`stock_quantity >= q`), never
//! read-then-written, so racing buyers can't oversell on either engine; lines are processed in
//! product-id order so two checkouts lock rows in the same order and can't deadlock on PostgreSQL.

pub mod idempotency;
pub mod request;

use std::collections::BTreeMap;

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use sqlx::AnyConnection;

use self::request::{AddressChoice, CheckoutRequest};
use super::{
    lifecycle::record_history,
    load,
    status::{OrderStatus, PaymentStatus},
    views::{OrderItemView, OrderView, ShippingAddress, StatusHistoryView},
};
use crate::accounts;
use crate::{
    db::{now_micros, types::format_micros, Backend},
    error::{ApiError, FieldErrors},
    http::{
        auth::{AuthUser, CurrentUser},
        extract::Json,
    },
    inventory::{self, Take},
    money::Money,
    state::AppState,
};

/// `NX-YYYYMMDD-000123`: the order's date and its id, so it is unique without a lookup.
/// [`insert_order_sql`] builds the same number in SQL; this is what the tests check it against.
pub fn order_number(created_at_micros: i64, id: i64) -> String {
    format!("{}{id:06}", order_number_prefix(created_at_micros))
}

/// `NX-YYYYMMDD-`: the part of the order number that doesn't depend on the id.
fn order_number_prefix(created_at_micros: i64) -> String {
    let date = DateTime::<Utc>::from_timestamp_micros(created_at_micros).unwrap_or_default();
    format!("NX-{}-", date.format("%Y%m%d"))
}

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

/// Places an order from the cart (no `items`) or from explicit `items`.
#[utoipa::path(post, path = "/orders/", tag = "orders", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Replays with the same key return the original order instead of creating another")),
    request_body(content = Object, description = "`{shipping_address_id? | shipping_address?: {first_name, last_name, address_line_1, address_line_2?, city, postal_code, country, phone_number?}, items?: [{product_id, quantity}], notes?}`"),
    responses(
        (status = 201, body = OrderView, description = "placed (or replayed, with `Idempotent-Replayed: true`)"),
        (status = 400, description = "validation failed, empty cart, or unknown/inactive products"),
        (status = 401, description = "not signed in"),
        (status = 409, body = crate::http::doc_completion::CheckoutConflict, description = "`insufficient_stock` (with `items: [{product_id, available}]`), `idempotency_key_reused` or `idempotency_in_progress`"),
    ))]
pub async fn create_order(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    Json(body): Json<Map<String, Value>>,
) -> Result<Response, ApiError> {
    let request = request::parse(&body)?;
    let key = idempotency::key_from(&headers)?;
    let address = resolve_address(&state, user.id, &request.address).await?;

    let mut tx = state.db.begin_write().await?;
    let placed = place(&mut tx, state.db.backend, &user, &request, address).await;
    let Some(key) = key else {
        let (order, total_cents) = placed?;
        tx.commit().await?;
        return Ok(created(order, total_cents));
    };
    // The key is recorded last, with its order: one statement, taken after every other lock
    // (cart, products), so lock order stays the same for every checkout. A request that finds
    // the key taken, or fails, may be a replay of an order committed meanwhile (which emptied
    // the cart or took the stock it now misses): it answers that order instead.
    let fingerprint = idempotency::fingerprint(&body);
    let failure = match placed {
        Ok((order, total_cents)) => {
            if idempotency::record(&mut tx, user.id, &key, &fingerprint, order.id).await? {
                tx.commit().await?;
                return Ok(created(order, total_cents));
            }
            None
        }
        Err(error) => Some(error),
    };
    tx.rollback().await?;
    match idempotency::find(&state.db.pool, user.id, &key).await? {
        Some(stored) => {
            let (order_id, status) = idempotency::replay(&stored, &fingerprint)?;
            replayed(&state, order_id, status).await
        }
        None => Err(failure.unwrap_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("idempotency key taken but not stored"))
        })),
    }
}

/// The `201` of a placed order, counted in the metrics. Built from what was written, so the
/// answer costs no second read.
fn created(order: OrderView, total_cents: i64) -> Response {
    crate::ops::metrics::record_order(total_cents);
    (StatusCode::CREATED, axum::Json(order)).into_response()
}

/// The answer to a replay: the original order and status code, marked `Idempotent-Replayed`.
async fn replayed(state: &AppState, order_id: i64, status: u16) -> Result<Response, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let order = load::one(&mut conn, order_id)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("order {order_id} vanished")))?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED);
    let mut response = (status, axum::Json(order)).into_response();
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(response)
}

/// The address to snapshot: an inline one as given, or one of the user's saved addresses.
async fn resolve_address(
    state: &AppState,
    user_id: i64,
    choice: &AddressChoice,
) -> Result<Option<ShippingAddress>, ApiError> {
    let id = match choice {
        AddressChoice::None => return Ok(None),
        AddressChoice::Inline(address) => return Ok(Some(address.clone())),
        AddressChoice::Saved(id) => *id,
    };
    // Someone else's address is as unknown as a missing one.
    let address = accounts::find_address(&state.db.pool, user_id, id)
        .await?
        .ok_or_else(|| {
            FieldErrors::single(
                "shipping_address_id",
                format!("Invalid pk \"{id}\" - object does not exist."),
            )
        })?;
    Ok(Some(address.fields))
}

/// Does the whole checkout on `conn` (the write transaction) and returns the new order as
/// `GET orders/{id}/` shows it, with its total in cents. Any error leaves the caller to drop the
/// transaction, which undoes everything.
async fn place(
    conn: &mut AnyConnection,
    backend: Backend,
    user: &AuthUser,
    request: &CheckoutRequest,
    address: Option<ShippingAddress>,
) -> Result<(OrderView, i64), ApiError> {
    let user_id = user.id;
    let now = now_micros();
    let from_cart = request.lines.is_none();
    let lines: BTreeMap<i64, i64> = match &request.lines {
        Some(lines) => lines.clone(),
        None => take_cart_lines(conn, user_id, now).await?,
    };
    if from_cart && lines.is_empty() {
        return Err(FieldErrors::single(
            "non_field_errors",
            "Your cart is empty.",
        ));
    }
    // Explicit items were bounded when parsed; a cart is bounded here (carts filled before the
    // bounds existed may exceed them), and the rollback puts it back as it was.
    if from_cart
        && (lines.len() > request::MAX_LINES
            || lines
                .values()
                .any(|&quantity| quantity > request::MAX_QUANTITY))
    {
        return Err(FieldErrors::single(
            "non_field_errors",
            format!(
                "An order can have at most {} lines of at most {} units each;                  remove some from your cart.",
                request::MAX_LINES,
                request::MAX_QUANTITY
            ),
        ));
    }

    let mut taken = Vec::with_capacity(lines.len());
    let mut unknown = Vec::new();
    let mut short = Vec::new();
    for (&product_id, &quantity) in &lines {
        match inventory::take(conn, product_id, quantity).await? {
            Take::Taken(line) => taken.push(line),
            Take::Short { available } => {
                short.push(json!({"product_id": product_id, "available": available}))
            }
            Take::Unknown => unknown.push(product_id),
        }
    }
    if !unknown.is_empty() {
        let mut errors = FieldErrors::new();
        for id in unknown {
            errors.add("items", format!("Product with id {id} does not exist."));
        }
        return Err(ApiError::Validation(errors));
    }
    if !short.is_empty() {
        return Err(ApiError::conflict(
            "insufficient_stock",
            "Insufficient stock for one or more items.",
        )
        .with_extra("items", Value::Array(short)));
    }

    let total_cents = taken
        .iter()
        .try_fold(0i64, |sum, line| {
            line.unit_price_cents
                .checked_mul(line.quantity)
                .and_then(|subtotal| sum.checked_add(subtotal))
        })
        .ok_or_else(|| FieldErrors::single("non_field_errors", "The order total is too large."))?;

    let address_json = address
        .as_ref()
        .map(|a| serde_json::to_string(a).unwrap_or_default());
    // One statement: the id is drawn first and the number derived from it in the same insert.
    let (order_id, number): (i64, String) = sqlx::query_as(insert_order_sql(backend))
        .bind(order_number_prefix(now))
        .bind(user_id)
        .bind(total_cents)
        .bind(address_json)
        .bind(&request.notes)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;

    let mut items = Vec::with_capacity(taken.len());
    for line in taken {
        let item_id: i64 = sqlx::query_scalar(
            "INSERT INTO order_items (order_id, product_id, product_title, quantity, \
             unit_price_cents, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(order_id)
        .bind(line.product_id)
        .bind(&line.title)
        .bind(line.quantity)
        .bind(line.unit_price_cents)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        line.record(conn, order_id, user_id).await?;
        items.push(OrderItemView::new(
            item_id,
            line.product_id,
            line.title,
            line.quantity,
            line.unit_price_cents,
        ));
    }
    let placed_note = "Order placed.";
    let placed_at = record_history(
        conn,
        order_id,
        OrderStatus::Pending,
        placed_note,
        Some(user_id),
    )
    .await?;
    let order = OrderView {
        id: order_id,
        order_number: number,
        user: user_id,
        user_email: user.email.clone(),
        status: OrderStatus::Pending,
        payment_status: PaymentStatus::Unpaid,
        total_amount: Money::from_cents(total_cents),
        shipping_address: address,
        items,
        status_history: vec![StatusHistoryView {
            status: OrderStatus::Pending.as_str().to_owned(),
            note: placed_note.to_owned(),
            created_at: format_micros(placed_at),
        }],
        notes: request.notes.clone(),
        created_at: format_micros(now),
        updated_at: format_micros(now),
    };
    Ok((order, total_cents))
}

/// Empties the user's cart and returns what was in it (product → quantity). The cart row is
/// marked changed first, then the items are taken with one `DELETE … RETURNING`: the same lock
/// order as every cart write (`cart::store::touch_cart_of`). The rows stay locked until the
/// checkout ends: if it fails they come back with the rollback, and an add racing it is either
/// ordered (it came first) or lands in a new row afterwards, so units added meanwhile stay in
/// the cart rather than vanish unordered.
async fn take_cart_lines(
    conn: &mut AnyConnection,
    user_id: i64,
    now: i64,
) -> Result<BTreeMap<i64, i64>, sqlx::Error> {
    let cart_id: Option<i64> =
        sqlx::query_scalar("UPDATE carts SET updated_at = $1 WHERE user_id = $2 RETURNING id")
            .bind(now)
            .bind(user_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(cart_id) = cart_id else {
        return Ok(BTreeMap::new());
    };
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("DELETE FROM cart_items WHERE cart_id = $1 RETURNING product_id, quantity")
            .bind(cart_id)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().collect())
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
