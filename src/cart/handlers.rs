//! Cart endpoints (SPEC §3.3). Every change runs in a write transaction that re-checks the
//! stock rule after the change and rolls back when it is broken.

use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};

use super::{
    request::{stock_error, too_many_units, AddCartItem, SetCartQuantity, MAX_QUANTITY},
    store,
    views::{CartCount, CartItemView, CartTotal, CartView},
};
use crate::{
    accounts::CurrentUser,
    error::{ApiError, FieldErrors},
    http::extract::Path,
    inventory,
    media::MediaUrls,
    money::Money,
    state::AppState,
    track::Captured,
    validation::Draft,
};

/// Unknown and inactive products get the same answer, so hidden products can't be probed.
const INVALID_PRODUCT: &str = "Invalid product.";

/// The signed-in user's cart, created on first use.
#[utoipa::path(get, path = "/cart/", tag = "cart", security(("bearer" = [])),
    responses((status = 200, body = CartView), (status = 401, description = "not signed in")))]
pub async fn get_cart(
    State(state): State<AppState>,
    media: MediaUrls,
    CurrentUser(user): CurrentUser,
) -> Result<axum::Json<CartView>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(axum::Json(
        store::load_cart(&mut conn, user.id, &media).await?,
    ))
}

/// Adds a product; adding one already in the cart increases its quantity.
#[utoipa::path(post, path = "/cart/add/", tag = "cart", security(("bearer" = [])),
    request_body = AddCartItem,
    responses(
        (status = 201, body = CartItemView),
        (status = 400, description = "bad quantity, more than the stock, or an unknown/inactive product"),
        (status = 401, description = "not signed in"),
    ))]
pub async fn add_cart_item(
    State(state): State<AppState>,
    media: MediaUrls,
    CurrentUser(user): CurrentUser,
    mut draft: Draft<AddCartItem>,
) -> Result<(StatusCode, Captured, axum::Json<CartItemView>), ApiError> {
    // Read without locking, like the stock check inside a transaction would on PostgreSQL: it
    // sees the committed stock (checkout is what enforces stock), and SQLite's single writer
    // stays free for writes.
    let mut found = None;
    if let Some(product_id) = draft.request.product_id {
        found = store::product_and_cart(&state.db.pool, product_id, user.id)
            .await?
            .filter(|found| found.product.is_active.0);
        if found.is_none() {
            draft.errors.add("product_id", INVALID_PRODUCT);
        }
    }
    let body = draft.finish()?;
    // `finish` refused a body without a known product.
    let (Some(product_id), Some(found)) = (body.product_id, found) else {
        return Err(FieldErrors::single("product_id", INVALID_PRODUCT));
    };
    let (product, cart_id) = (found.product, found.cart_id);
    let stock = product.stock_quantity;
    if body.quantity > stock {
        return Err(stock_error(stock));
    }
    // One write, no transaction: the cart is created only on a first add (without marking an
    // existing one changed, should a racing first add have created it), and the line's upsert
    // checks the stock itself. On SQLite it rides in the checkouts' next shared transaction
    // (`db::group_commit`), saving the writer a commit of its own.
    // The line may hold neither more than the stock nor more than a line's maximum; when the
    // maximum is the lower of the two, it is what the sum broke.
    let limit = stock.min(MAX_QUANTITY);
    let (user_id, quantity) = (user.id, body.quantity);
    let (item_id, quantity) = state
        .writes
        .run_small(move |conn| {
            Box::pin(async move {
                let cart_id = match cart_id {
                    Some(id) => id,
                    None => store::ensure_cart(conn, user_id).await?.id,
                };
                store::add_to_line(conn, cart_id, product_id, quantity, limit).await
            })
        })
        .await?
        .ok_or_else(|| {
            if stock > MAX_QUANTITY {
                too_many_units()
            } else {
                stock_error(stock)
            }
        })?;
    Ok((
        StatusCode::CREATED,
        Captured::add_to_cart(user.id, product_id),
        axum::Json(product.into_item(item_id, quantity, &media)),
    ))
}

async fn set_quantity(
    state: &AppState,
    media: &MediaUrls,
    user_id: i64,
    item_id: i64,
    draft: Draft<SetCartQuantity>,
) -> Result<axum::Json<CartItemView>, ApiError> {
    let mut tx = state.db.begin_write().await?;
    store::touch_cart_of(&mut tx, user_id).await?;
    let item = store::find_own_item(&mut tx, user_id, item_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // `finish` refused a body without a quantity.
    let quantity = draft.finish()?.quantity.unwrap_or_default();
    let stock = inventory::stock_of(&mut tx, item.product_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if quantity > stock {
        return Err(stock_error(stock));
    }
    store::set_line_quantity(&mut tx, item_id, quantity).await?;
    let item = store::load_item(&mut tx, item_id, media).await?;
    tx.commit().await?;
    Ok(axum::Json(item))
}

/// Sets an item's quantity (≥ 1, at most the stock).
#[utoipa::path(put, path = "/cart/update/{item_id}/", tag = "cart", security(("bearer" = [])),
    params(("item_id" = i64, Path)), request_body = SetCartQuantity,
    responses((status = 200, body = CartItemView), (status = 400, description = "bad quantity or more than the stock"),
        (status = 401, description = "not signed in"), (status = 404, description = "not an item of your cart")))]
pub async fn replace_cart_item(
    State(state): State<AppState>,
    media: MediaUrls,
    CurrentUser(user): CurrentUser,
    Path(item_id): Path<i64>,
    draft: Draft<SetCartQuantity>,
) -> Result<axum::Json<CartItemView>, ApiError> {
    set_quantity(&state, &media, user.id, item_id, draft).await
}

/// Sets an item's quantity (same as `PUT`).
#[utoipa::path(patch, path = "/cart/update/{item_id}/", tag = "cart", security(("bearer" = [])),
    params(("item_id" = i64, Path)), request_body = SetCartQuantity,
    responses((status = 200, body = CartItemView), (status = 400, description = "bad quantity or more than the stock"),
        (status = 401, description = "not signed in"), (status = 404, description = "not an item of your cart")))]
pub async fn update_cart_item(
    State(state): State<AppState>,
    media: MediaUrls,
    CurrentUser(user): CurrentUser,
    Path(item_id): Path<i64>,
    draft: Draft<SetCartQuantity>,
) -> Result<axum::Json<CartItemView>, ApiError> {
    set_quantity(&state, &media, user.id, item_id, draft).await
}

/// Removes an item.
#[utoipa::path(delete, path = "/cart/remove/{item_id}/", tag = "cart", security(("bearer" = [])),
    params(("item_id" = i64, Path)),
    responses((status = 204, description = "removed"), (status = 401, description = "not signed in"),
        (status = 404, description = "not an item of your cart")))]
pub async fn remove_cart_item(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(item_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let mut tx = state.db.begin_write().await?;
    store::touch_cart_of(&mut tx, user.id).await?;
    store::find_own_item(&mut tx, user.id, item_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    store::remove_line(&mut tx, item_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Empties the cart (also when it was already empty or never used).
#[utoipa::path(delete, path = "/cart/clear/", tag = "cart", security(("bearer" = [])),
    responses((status = 204, description = "emptied"), (status = 401, description = "not signed in")))]
pub async fn clear_cart(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<StatusCode, ApiError> {
    let mut tx = state.db.begin_write().await?;
    let cart_id = store::touch_cart_of(&mut tx, user.id).await?;
    store::clear_lines(&mut tx, cart_id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Units in the cart.
#[utoipa::path(get, path = "/cart/count/", tag = "cart", security(("bearer" = [])),
    responses((status = 200, body = CartCount), (status = 401, description = "not signed in")))]
pub async fn count_cart_items(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<axum::Json<CartCount>, ApiError> {
    let count = store::count_units(&state.db.pool, user.id).await?;
    Ok(axum::Json(CartCount { count }))
}

/// The cart's total at current prices.
#[utoipa::path(get, path = "/cart/total/", tag = "cart", security(("bearer" = [])),
    responses((status = 200, body = CartTotal), (status = 401, description = "not signed in")))]
pub async fn total_cart(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<axum::Json<CartTotal>, ApiError> {
    let cents = store::total_cents(&state.db.pool, user.id).await?;
    Ok(axum::Json(CartTotal {
        total: Money::from_cents(cents),
    }))
}

/// Adds one unit (same stock rule as `add`).
#[utoipa::path(patch, path = "/cart/increase/{item_id}/", tag = "cart", security(("bearer" = [])),
    params(("item_id" = i64, Path)),
    responses((status = 200, body = CartItemView), (status = 400, description = "no more stock"),
        (status = 401, description = "not signed in"), (status = 404, description = "not an item of your cart")))]
pub async fn increase_cart_item(
    State(state): State<AppState>,
    media: MediaUrls,
    CurrentUser(user): CurrentUser,
    Path(item_id): Path<i64>,
) -> Result<axum::Json<CartItemView>, ApiError> {
    let mut tx = state.db.begin_write().await?;
    store::touch_cart_of(&mut tx, user.id).await?;
    let item = store::find_own_item(&mut tx, user.id, item_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let stock = inventory::stock_of(&mut tx, item.product_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let quantity = store::increment_line(&mut tx, item_id).await?;
    if quantity > stock || quantity > MAX_QUANTITY {
        tx.rollback().await?;
        return Err(if quantity > stock {
            stock_error(stock)
        } else {
            too_many_units()
        });
    }
    let item = store::load_item(&mut tx, item_id, &media).await?;
    tx.commit().await?;
    Ok(axum::Json(item))
}

/// Removes one unit; at quantity 1 the item itself is removed (`204`).
#[utoipa::path(patch, path = "/cart/decrease/{item_id}/", tag = "cart", security(("bearer" = [])),
    params(("item_id" = i64, Path)),
    responses((status = 200, body = CartItemView), (status = 204, description = "the last unit was removed, and the item with it"),
        (status = 401, description = "not signed in"), (status = 404, description = "not an item of your cart")))]
pub async fn decrease_cart_item(
    State(state): State<AppState>,
    media: MediaUrls,
    CurrentUser(user): CurrentUser,
    Path(item_id): Path<i64>,
) -> Result<Response, ApiError> {
    let mut tx = state.db.begin_write().await?;
    store::touch_cart_of(&mut tx, user.id).await?;
    store::find_own_item(&mut tx, user.id, item_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let response = if store::remove_last_unit(&mut tx, item_id).await? {
        StatusCode::NO_CONTENT.into_response()
    } else {
        store::decrement_line(&mut tx, item_id).await?;
        axum::Json(store::load_item(&mut tx, item_id, &media).await?).into_response()
    };
    tx.commit().await?;
    Ok(response)
}
