//! Every SQL statement of the cart, and the rows they read.

use std::collections::BTreeMap;

use sqlx::AnyConnection;

use super::views::{CartItemView, CartProduct, CartView};
use crate::{
    db::{now_micros, types::format_micros, Backend, Flag, SqlBuilder},
    media::MediaUrls,
    money::Money,
};

/// Items with their products and first image in one query: no query per item. The product's
/// columns are named as [`ProductRow`] reads them; the item's id is `item_id`.
const ITEM_SELECT: &str = "SELECT ci.id AS item_id, ci.quantity, p.id, p.title, p.slug, \
     p.price_cents, p.stock_quantity, p.is_active, (SELECT pi.path FROM product_images pi \
     WHERE pi.product_id = p.id ORDER BY pi.position, pi.id LIMIT 1) AS image \
     FROM cart_items ci JOIN products p ON p.id = ci.product_id";

/// A cart line with its product, as [`ITEM_SELECT`] reads it.
#[derive(Debug, sqlx::FromRow)]
struct ItemRow {
    item_id: i64,
    quantity: i64,
    #[sqlx(flatten)]
    product: ProductRow,
}

impl ItemRow {
    fn into_view(self, media: &MediaUrls) -> CartItemView {
        self.product.into_item(self.item_id, self.quantity, media)
    }
}

/// A product as a cart shows it, read before it is added (so the answer needs no second read).
#[derive(Debug, sqlx::FromRow)]
pub struct ProductRow {
    pub id: i64,
    title: String,
    slug: String,
    price_cents: i64,
    pub stock_quantity: i64,
    /// Storage key of the first image.
    image: Option<String>,
    pub is_active: Flag,
}

impl ProductRow {
    /// The cart line holding `quantity` of this product.
    pub fn into_item(self, item_id: i64, quantity: i64, media: &MediaUrls) -> CartItemView {
        let subtotal_cents = self.price_cents.saturating_mul(quantity);
        CartItemView {
            id: item_id,
            product: CartProduct {
                id: self.id,
                title: self.title,
                slug: self.slug,
                price: Money::from_cents(self.price_cents),
                image: self.image.as_deref().map(|key| media.url(key)),
                stock_quantity: self.stock_quantity,
            },
            quantity,
            subtotal: Money::from_cents(subtotal_cents),
            subtotal_cents,
        }
    }
}

/// A product and the id of the user's cart, when they have one.
#[derive(Debug, sqlx::FromRow)]
pub struct ProductAndCart {
    #[sqlx(flatten)]
    pub product: ProductRow,
    pub cart_id: Option<i64>,
}

/// An item of the caller's own cart.
#[derive(Debug, sqlx::FromRow)]
pub struct OwnItem {
    pub product_id: i64,
}

/// A cart row and the latest change of any of its lines.
#[derive(Debug, sqlx::FromRow)]
pub struct CartRow {
    pub id: i64,
    created_at: i64,
    updated_at: i64,
    line_changed: Option<i64>,
}

impl CartRow {
    /// The latest change of the cart or any of its lines (adds touch only their line).
    fn updated_at(&self) -> i64 {
        self.updated_at.max(self.line_changed.unwrap_or(0))
    }
}

/// A product with what its cart line shows, active or not, and the id of `user_id`'s cart when
/// they have one: what an add needs to know, in one read. `None` when the product doesn't exist.
pub async fn product_and_cart<'c, E>(
    executor: E,
    product_id: i64,
    user_id: i64,
) -> Result<Option<ProductAndCart>, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query_as(
        "SELECT p.id, p.title, p.slug, p.price_cents, p.stock_quantity, \
         (SELECT pi.path FROM product_images pi WHERE pi.product_id = p.id \
         ORDER BY pi.position, pi.id LIMIT 1) AS image, p.is_active, \
         (SELECT c.id FROM carts c WHERE c.user_id = $2) AS cart_id \
         FROM products p WHERE p.id = $1",
    )
    .bind(product_id)
    .bind(user_id)
    .fetch_optional(executor)
    .await
}

/// Adds `quantity` of a product to a cart unless the line would then hold more than `stock`:
/// one upsert, atomic on its own, so it needs no transaction and locks nothing but the line.
/// Racing adds of the same product add up in one row, each checked against the sum. Returns the
/// line's `(id, quantity)`, or `None` when the sum would exceed `stock` (nothing written).
///
/// A new line is not checked here: the caller has checked `quantity <= stock` already.
/// Not locking the cart row keeps the one lock order of [`touch_cart_of`] intact: an add waits
/// for nothing but its line (a checkout taking that line makes it wait, then insert anew).
pub async fn add_to_line(
    conn: &mut AnyConnection,
    cart_id: i64,
    product_id: i64,
    quantity: i64,
    stock: i64,
) -> Result<Option<(i64, i64)>, sqlx::Error> {
    sqlx::query_as(
        "INSERT INTO cart_items (cart_id, product_id, quantity, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) ON CONFLICT (cart_id, product_id) \
         DO UPDATE SET quantity = cart_items.quantity + excluded.quantity, \
         updated_at = excluded.updated_at \
         WHERE cart_items.quantity + excluded.quantity <= $5 \
         RETURNING id, quantity",
    )
    .bind(cart_id)
    .bind(product_id)
    .bind(quantity)
    .bind(now_micros())
    .bind(stock)
    .fetch_optional(conn)
    .await
}

/// The id of `user_id`'s cart, marked as changed now (created when missing), in one statement:
/// the UNIQUE constraint on `carts.user_id` makes racing first uses share one cart.
///
/// Every cart write in a transaction and the checkout of a cart call this (or lock the cart row
/// the same way) *before* touching items: one lock order — cart row, then item rows — so two of
/// them can't deadlock on PostgreSQL (adds touching the cart after their item, while a checkout
/// held the item and waited for the cart, did: `cart_adds_racing_a_cart_checkout_...`). An add
/// ([`add_to_line`]) doesn't: it locks only its line.
pub async fn touch_cart_of(conn: &mut AnyConnection, user_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO carts (user_id, created_at, updated_at) VALUES ($1, $2, $2) \
         ON CONFLICT (user_id) DO UPDATE SET updated_at = excluded.updated_at RETURNING id",
    )
    .bind(user_id)
    .bind(now_micros())
    .fetch_one(conn)
    .await
}

/// The user's cart row, created when missing. The UNIQUE
/// constraint on `carts.user_id` plus `ON CONFLICT DO NOTHING` makes racing first uses share
/// one cart instead of failing or duplicating it.
pub async fn ensure_cart(conn: &mut AnyConnection, user_id: i64) -> Result<CartRow, sqlx::Error> {
    const SELECT: &str = "SELECT c.id, c.created_at, c.updated_at, \
         (SELECT MAX(ci.updated_at) FROM cart_items ci WHERE ci.cart_id = c.id) AS line_changed \
         FROM carts c WHERE c.user_id = $1";
    if let Some(cart) = sqlx::query_as(SELECT)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok(cart);
    }
    let now = now_micros();
    sqlx::query(
        "INSERT INTO carts (user_id, created_at, updated_at) VALUES ($1, $2, $2) \
         ON CONFLICT (user_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query_as(SELECT).bind(user_id).fetch_one(conn).await
}

/// The whole cart of `user_id` (created when missing), items in the order they were added.
pub async fn load_cart(
    conn: &mut AnyConnection,
    user_id: i64,
    media: &MediaUrls,
) -> Result<CartView, sqlx::Error> {
    let cart = ensure_cart(&mut *conn, user_id).await?;
    let rows: Vec<ItemRow> = sqlx::query_as(&format!(
        "{ITEM_SELECT} WHERE ci.cart_id = $1 ORDER BY ci.id"
    ))
    .bind(cart.id)
    .fetch_all(conn)
    .await?;
    let items: Vec<CartItemView> = rows.into_iter().map(|row| row.into_view(media)).collect();
    let total_cents = items
        .iter()
        .map(|i| i.subtotal_cents)
        .fold(0i64, i64::saturating_add);
    let total = Money::from_cents(total_cents);
    Ok(CartView {
        id: cart.id,
        user: user_id,
        total_items: items.iter().map(|i| i.quantity).sum(),
        items,
        total_price: total,
        total,
        created_at: format_micros(cart.created_at),
        updated_at: format_micros(cart.updated_at()),
    })
}

/// One item with its product.
pub async fn load_item(
    conn: &mut AnyConnection,
    item_id: i64,
    media: &MediaUrls,
) -> Result<CartItemView, sqlx::Error> {
    let row: ItemRow = sqlx::query_as(&format!("{ITEM_SELECT} WHERE ci.id = $1"))
        .bind(item_id)
        .fetch_one(conn)
        .await?;
    Ok(row.into_view(media))
}

/// An item of `user_id`'s cart; `None` for anyone else's.
pub async fn find_own_item(
    conn: &mut AnyConnection,
    user_id: i64,
    item_id: i64,
) -> Result<Option<OwnItem>, sqlx::Error> {
    sqlx::query_as(
        "SELECT ci.product_id FROM cart_items ci \
         JOIN carts c ON c.id = ci.cart_id WHERE ci.id = $1 AND c.user_id = $2",
    )
    .bind(item_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await
}

/// Sets a line's quantity (the caller has checked it against the bound and the stock).
pub async fn set_line_quantity(
    conn: &mut AnyConnection,
    item_id: i64,
    quantity: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cart_items SET quantity = $1, updated_at = $2 WHERE id = $3")
        .bind(quantity)
        .bind(now_micros())
        .bind(item_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Adds one unit to a line and returns its new quantity. Unchecked: the caller compares the
/// result with the stock and rolls back when it is broken, so the check sees the written sum.
pub async fn increment_line(conn: &mut AnyConnection, item_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE cart_items SET quantity = quantity + 1, updated_at = $1 WHERE id = $2 \
         RETURNING quantity",
    )
    .bind(now_micros())
    .bind(item_id)
    .fetch_one(conn)
    .await
}

/// Removes a line if it holds its last unit; `true` when it did. Conditional in the statement
/// itself, so the quantity it decides on is the one it sees under the lock.
pub async fn remove_last_unit(conn: &mut AnyConnection, item_id: i64) -> Result<bool, sqlx::Error> {
    let removed = sqlx::query("DELETE FROM cart_items WHERE id = $1 AND quantity <= 1")
        .bind(item_id)
        .execute(conn)
        .await?
        .rows_affected();
    Ok(removed > 0)
}

/// Takes one unit off a line (the caller has seen [`remove_last_unit`] leave it, so it holds 2+).
pub async fn decrement_line(conn: &mut AnyConnection, item_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE cart_items SET quantity = quantity - 1, updated_at = $1 WHERE id = $2")
        .bind(now_micros())
        .bind(item_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes a line.
pub async fn remove_line(conn: &mut AnyConnection, item_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM cart_items WHERE id = $1")
        .bind(item_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Removes every line of a cart.
pub async fn clear_lines(conn: &mut AnyConnection, cart_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM cart_items WHERE cart_id = $1")
        .bind(cart_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Units in `user_id`'s cart (0 without one). A read that creates nothing, so it runs on the
/// pool rather than the writer.
pub async fn count_units<'c, E>(executor: E, user_id: i64) -> Result<i64, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(ci.quantity), 0) AS BIGINT) FROM cart_items ci \
         JOIN carts c ON c.id = ci.cart_id WHERE c.user_id = $1",
    )
    .bind(user_id)
    .fetch_one(executor)
    .await
}

/// `user_id`'s cart total in cents at current prices (0 without a cart), on the pool like
/// [`count_units`].
pub async fn total_cents<'c, E>(executor: E, user_id: i64) -> Result<i64, sqlx::Error>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(ci.quantity * p.price_cents), 0) AS BIGINT) FROM cart_items ci \
         JOIN carts c ON c.id = ci.cart_id JOIN products p ON p.id = ci.product_id \
         WHERE c.user_id = $1",
    )
    .bind(user_id)
    .fetch_one(executor)
    .await
}

/// A cart as a batch of checkouts found it.
#[derive(Debug)]
pub struct CartLines {
    pub cart_id: i64,
    /// The `cart_items` rows read, to delete exactly those.
    pub item_ids: Vec<i64>,
    /// Product → quantity.
    pub lines: BTreeMap<i64, i64>,
}

/// Checkout: the non-empty carts of `user_ids` and what is in them, by user, in one query. On
/// PostgreSQL `FOR NO KEY UPDATE` locks each cart row and its item rows until the checkout's
/// transaction ends (the strength of the row lock an `UPDATE` takes: an add's foreign-key check,
/// `KEY SHARE` on the cart, still passes, as it did beside the `UPDATE carts` checkout used to
/// start with), so no add changes a line read here before [`empty_carts`] deletes it: an
/// add racing a checkout is either ordered (it came first) or waits and lands in the cart
/// afterwards, and a line added meanwhile is not among the rows deleted, so units added meanwhile
/// stay in the cart rather than vanish unordered. SQLite's write transaction holds the one write
/// lock already. Nothing is written, so a checkout that fails leaves the cart as it was.
pub async fn lock_carts_for_checkout(
    conn: &mut AnyConnection,
    backend: Backend,
    user_ids: &[i64],
) -> Result<BTreeMap<i64, CartLines>, sqlx::Error> {
    if user_ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut sql = SqlBuilder::new(
        "SELECT c.user_id, c.id, ci.id, ci.product_id, ci.quantity FROM carts c \
         JOIN cart_items ci ON ci.cart_id = c.id WHERE c.user_id IN (",
    );
    sql.push_list(user_ids.iter().copied()).push(")");
    if backend == Backend::Postgres {
        sql.push(" FOR NO KEY UPDATE");
    }
    let rows: Vec<(i64, i64, i64, i64, i64)> = sql.query_as().fetch_all(conn).await?;
    let mut carts = BTreeMap::new();
    for (user_id, cart_id, item_id, product_id, quantity) in rows {
        let cart = carts.entry(user_id).or_insert_with(|| CartLines {
            cart_id,
            item_ids: Vec::new(),
            lines: BTreeMap::new(),
        });
        cart.item_ids.push(item_id);
        cart.lines.insert(product_id, quantity);
    }
    Ok(carts)
}

/// Checkout: empties the carts that were ordered, deleting the lines
/// [`lock_carts_for_checkout`] read in the same transaction, and marks the carts changed.
pub async fn empty_carts(
    conn: &mut AnyConnection,
    carts: &[&CartLines],
    now: i64,
) -> Result<(), sqlx::Error> {
    if carts.is_empty() {
        return Ok(());
    }
    let mut touch = SqlBuilder::new("UPDATE carts SET updated_at = ");
    touch
        .push_bind(now)
        .push(" WHERE id IN (")
        .push_list(carts.iter().map(|cart| cart.cart_id))
        .push(")");
    touch.query().execute(&mut *conn).await?;
    let mut empty = SqlBuilder::new("DELETE FROM cart_items WHERE id IN (");
    empty
        .push_list(carts.iter().flat_map(|cart| cart.item_ids.iter().copied()))
        .push(")");
    empty.query().execute(conn).await?;
    Ok(())
}
