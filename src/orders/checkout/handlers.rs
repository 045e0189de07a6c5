//! The checkout's HTTP edge: the body read, the key checked, the order placed or replayed.

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
use crate::{
    accounts::{self, CurrentUser},
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

    let key = key.zip(fingerprint);
    let user_id = user.id;
    let order = place::Order {
        user,
        request,
        address,
        key: key.clone(),
    };
    // The order is placed in a write transaction the combiner shares with the checkouts waiting
    // beside it, all written together (docs/orders.md, "How checkout commits"); the outcome
    // arrives once that transaction has committed, so nothing below runs for an order that was
    // not kept.
    let attempt = state.writes.submit_as::<_, place::Attempt>(order).await;
    let failure = match attempt {
        Ok(place::Attempt::Placed(placed)) => return Ok(created(&state, user_id, *placed)),
        Ok(place::Attempt::Failed(error)) => Some(error),
        Ok(place::Attempt::KeyTaken) => None,
        Err(error) => Some(CheckoutError::Database(error)),
    };
    let Some((key, fingerprint)) = &key else {
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
