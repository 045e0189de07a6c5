//! The checkout's HTTP edge: the body read, the key checked, the order placed or replayed.

use std::sync::Arc;

use axum::{
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};

use super::{
    error::CheckoutError,
    idempotency, place,
    request::{AddressChoice, CheckoutRequest},
};
use crate::orders::{
    store,
    views::{OrderView, ShippingAddress},
};
use sqlx::AnyConnection;

use crate::{
    accounts::{self, AuthUser, CurrentUser},
    db::{Backend, Done},
    error::ApiError,
    http::extract::Json,
    state::AppState,
    track::Captured,
    validation,
};

/// Places an order from the cart (no `items`) or from explicit `items`.
#[utoipa::path(post, path = "/orders/", tag = "orders", security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Replays with the same key return the original order instead of creating another")),
    request_body(content = CheckoutRequest, description = "`{shipping_address_id? | shipping_address?: {first_name, last_name, address_line_1, address_line_2?, city, postal_code, country, phone_number?}, items?: [{product_id, quantity}], notes?}`"),
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
    Json(body): Json,
) -> Result<Response, ApiError> {
    // A replay is recognised by the body as sent (any field, in any key order), so the body is
    // fingerprinted before it is read into the typed request.
    let key = idempotency::key_from(&headers);
    let fingerprint = matches!(key, Ok(Some(_))).then(|| idempotency::fingerprint(&body));
    let request: CheckoutRequest = validation::parse(body, false)?;
    let key = key?;
    let address = resolve_address(&state, user.id, &request.address()).await?;

    let order = Arc::new(Order {
        backend: state.db.backend,
        low_stock_threshold: state.settings.notifications.low_stock_threshold,
        user,
        request,
        address,
        key: key.zip(fingerprint),
    });
    // The order is placed in a write transaction the combiner shares with the checkouts waiting
    // beside it, under a savepoint of its own (docs/orders.md, "How checkout commits"); the
    // outcome arrives once that transaction has committed, so nothing below runs for an order
    // that was not kept.
    let attempt = {
        let order = order.clone();
        state
            .writes
            .run(move |conn| {
                let order = order.clone();
                Box::pin(async move { attempt(conn, &order).await })
            })
            .await
    };
    let user_id = order.user.id;
    let failure = match attempt {
        Ok(Attempt::Placed(placed)) => return Ok(created(&state, user_id, *placed)),
        Ok(Attempt::Failed(error)) => Some(error),
        Ok(Attempt::KeyTaken) => None,
        Err(error) => Some(CheckoutError::Database(error)),
    };
    let Some((key, fingerprint)) = &order.key else {
        return Err(failure.map_or_else(
            || ApiError::Internal(anyhow::anyhow!("no key, yet the key was taken")),
            ApiError::from,
        ));
    };
    // A request that found the key taken, or failed, may be a replay of an order committed
    // meanwhile (which emptied the cart or took the stock it now misses): it answers that order
    // instead. Read after the batch committed, so a duplicate in the same batch is seen too.
    match store::find_key(&state.db.pool, user_id, key).await? {
        Some(stored) => {
            let (order_id, status) = idempotency::replay(&stored, fingerprint)?;
            replayed(&state, order_id, status).await
        }
        None => Err(failure.map(ApiError::from).unwrap_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("idempotency key taken but not stored"))
        })),
    }
}

/// One checkout as the combiner runs it (possibly twice: see `db::group_commit`).
struct Order {
    backend: Backend,
    low_stock_threshold: i64,
    user: AuthUser,
    request: CheckoutRequest,
    address: Option<ShippingAddress>,
    /// The `Idempotency-Key` and the body's fingerprint.
    key: Option<(String, String)>,
}

/// What one run of a checkout decided, delivered after its transaction ended.
enum Attempt {
    /// Kept: committed by the time anyone sees it.
    Placed(Box<place::Placed>),
    /// Undone: the order could not be placed (stock, cart, products).
    Failed(CheckoutError),
    /// Undone: the key was recorded by an earlier request, whose order is replayed.
    KeyTaken,
}

/// Places the order on `conn` and says whether to keep it. The key is recorded last, with its
/// order: one statement, taken after every other lock (cart, products), so lock order stays
/// the same for every checkout. A database error undoes the order too (the combiner rolls it back
/// to its savepoint, and re-runs it alone if it was only a deadlock's victim). An undone order
/// takes its notifications with it: nobody is told of an order that was never kept.
async fn attempt(conn: &mut AnyConnection, order: &Order) -> Result<Done<Attempt>, sqlx::Error> {
    let placed = place::place(
        conn,
        order.backend,
        order.low_stock_threshold,
        &order.user,
        &order.request,
        order.address.clone(),
    )
    .await;
    let placed = match placed {
        Ok(placed) => placed,
        Err(CheckoutError::Database(error)) => return Err(error),
        Err(error) => return Ok(Done::Undo(Attempt::Failed(error))),
    };
    if let Some((key, fingerprint)) = &order.key {
        if !store::record_key(conn, order.user.id, key, fingerprint, placed.order.id).await? {
            return Ok(Done::Undo(Attempt::KeyTaken));
        }
    }
    Ok(Done::Keep(Attempt::Placed(Box::new(placed))))
}

/// The `201` of a placed (and committed) order, counted in the metrics and reported to analytics
/// (a replay is not: it placed nothing), its notifications announced. Built from what was
/// written, so the answer costs no second read.
fn created(state: &AppState, user_id: i64, placed: place::Placed) -> Response {
    placed.announcement.announce(&state.live);
    crate::telemetry::metrics::record_order(placed.total_cents);
    let ordered = Captured::order(user_id, placed.order.id);
    (StatusCode::CREATED, ordered, axum::Json(placed.order)).into_response()
}

/// The answer to a replay: the original order and status code, marked `Idempotent-Replayed`.
async fn replayed(state: &AppState, order_id: i64, status: u16) -> Result<Response, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let order = store::one(&mut conn, order_id)
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
        .ok_or(CheckoutError::AddressNotFound(id))?;
    Ok(Some(address.fields))
}
