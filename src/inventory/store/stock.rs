//! Every statement that changes `products.stock_quantity`: take, put back, adjust, set. Each
//! writes its movement in the caller's transaction, so stock keeps equalling the sum of its
//! movements, and the decreasing ones report the level they left (`low_stock`).

use sqlx::AnyConnection;

use super::record_movement;
use crate::db::{now_micros, Flag};
use crate::inventory::{
    low_stock::StockChange,
    movements::{reason, NewMovement},
    views::MovementView,
    MAX_STOCK,
};

/// What [`take`] found for one line.
#[derive(Debug)]
pub enum Take {
    /// The units were taken; record them with [`Taken::record`] once the order exists.
    Taken(Taken),
    /// The product is there and active but holds only `available` units; nothing was taken.
    Short { available: i64 },
    /// No such product, or it is inactive; nothing was taken.
    Unknown,
}

/// Units taken from a product's stock whose `order` movement is still to be written: the order
/// id it names only exists after every line was taken (a short line must cost no order insert).
#[derive(Debug)]
#[must_use = "taken stock must be recorded as a movement in the same transaction"]
pub struct Taken {
    pub product_id: i64,
    pub quantity: i64,
    /// The product's title when taken, the order line's snapshot.
    pub title: String,
    /// The product's price when taken, the order line's snapshot.
    pub unit_price_cents: i64,
    /// The stock this take left, for the low-stock check (`inventory::low_stock`).
    pub stock_left: i64,
}

/// Takes `quantity` units of an active product on `conn` (the checkout transaction). Callers
/// take their lines in product-id order, so concurrent checkouts lock rows in the same order and
/// can't deadlock on PostgreSQL.
pub async fn take(
    conn: &mut AnyConnection,
    product_id: i64,
    quantity: i64,
) -> Result<Take, sqlx::Error> {
    // The condition is the stock check: it can't be outrun by a concurrent checkout, and
    // RETURNING snapshots the title and price of the row as it was taken, and the stock left
    // (the low-stock check costs no read of its own).
    let row: Option<(String, i64, i64)> = sqlx::query_as(
        "UPDATE products SET stock_quantity = stock_quantity - $1 \
         WHERE id = $2 AND is_active = TRUE AND stock_quantity >= $1 \
         RETURNING title, price_cents, stock_quantity",
    )
    .bind(quantity)
    .bind(product_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((title, unit_price_cents, stock_left)) = row {
        return Ok(Take::Taken(Taken {
            product_id,
            quantity,
            title,
            unit_price_cents,
            stock_left,
        }));
    }
    // Only a refused line costs this read, to say why it was refused.
    let row: Option<(i64, Flag)> =
        sqlx::query_as("SELECT stock_quantity, is_active FROM products WHERE id = $1")
            .bind(product_id)
            .fetch_optional(conn)
            .await?;
    Ok(match row {
        Some((available, Flag(true))) => Take::Short { available },
        _ => Take::Unknown,
    })
}

impl Taken {
    /// Writes the `order` movement (−quantity) of these units, on the transaction that took them.
    pub async fn record(
        &self,
        conn: &mut AnyConnection,
        order_id: i64,
        actor_id: i64,
    ) -> Result<(), sqlx::Error> {
        record_movement(
            conn,
            NewMovement {
                product_id: self.product_id,
                delta: -self.quantity,
                reason: reason::ORDER,
                actor_id: Some(actor_id),
                order_id: Some(order_id),
            },
        )
        .await?;
        Ok(())
    }
}

/// Puts `quantity` units an order took back on the shelf, with their movement (`why`: a
/// cancel, a fail or a declined payment). Callers put products back in id order, the order
/// checkout takes them in, so the two can't deadlock.
///
/// The rule (docs/orders.md "Restocking"): the units come back whole, even past [`MAX_STOCK`],
/// which bounds what staff set, not what returns. A stock so large that the sum would leave
/// `BIGINT` (possible only by writing the database directly) is left as it is, with no movement
/// and a logged warning: a cancel never fails on arithmetic, and stock minus its movements stays
/// what it was.
pub async fn put_back(
    conn: &mut AnyConnection,
    product_id: i64,
    quantity: i64,
    why: &str,
    actor_id: Option<i64>,
    order_id: i64,
) -> Result<(), sqlx::Error> {
    // The guard `stock <= MAX - q` can't overflow, and the sum is only computed for a row that
    // passed it.
    let restocked = sqlx::query(
        "UPDATE products SET stock_quantity = stock_quantity + $1 \
         WHERE id = $2 AND stock_quantity <= $3 - $1",
    )
    .bind(quantity)
    .bind(product_id)
    .bind(i64::MAX)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if restocked == 0 {
        tracing::warn!(
            product_id,
            order_id,
            quantity,
            "stock too close to the integer limit to take the units back: left as it is"
        );
        return Ok(());
    }
    record_movement(
        conn,
        NewMovement {
            product_id,
            delta: quantity,
            reason: why,
            actor_id,
            order_id: Some(order_id),
        },
    )
    .await?;
    Ok(())
}

/// Why [`adjust`] refused: the result would leave `0..=MAX_STOCK`. `available` is the stock
/// the refusal was decided against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub available: i64,
}

/// Adds `delta` (either sign) to an existing product's stock on `conn` and records staff's
/// movement; returns it and the change (with the stock after it).
pub async fn adjust(
    conn: &mut AnyConnection,
    product_id: i64,
    delta: i64,
    why: &str,
    actor_id: i64,
) -> Result<Result<(MovementView, StockChange), Refused>, sqlx::Error> {
    // The condition is the guard: a concurrent checkout can't slip between a check and the write.
    // It keeps the result at or above 0 and an increase at or below MAX_STOCK, written so that
    // nothing in it can overflow whatever the stored stock (`$4 - $1` and `0 - stock` are in
    // range); the sum in SET is only computed for a row that passed it.
    let row: Option<(i64, String)> = sqlx::query_as(
        "UPDATE products SET stock_quantity = stock_quantity + $1, updated_at = $2 \
         WHERE id = $3 AND $1 >= 0 - stock_quantity AND ($1 < 0 OR stock_quantity <= $4 - $1) \
         RETURNING stock_quantity, title",
    )
    .bind(delta)
    .bind(now_micros())
    .bind(product_id)
    .bind(MAX_STOCK)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((stock, title)) = row else {
        let available: i64 =
            sqlx::query_scalar("SELECT stock_quantity FROM products WHERE id = $1")
                .bind(product_id)
                .fetch_one(&mut *conn)
                .await?;
        return Ok(Err(Refused { available }));
    };
    let movement = record_movement(
        conn,
        NewMovement {
            product_id,
            delta,
            reason: why,
            actor_id: Some(actor_id),
            order_id: None,
        },
    )
    .await?;
    let change = StockChange {
        product_id,
        title,
        delta,
        stock,
    };
    Ok(Ok((movement, change)))
}

/// Sets a product's stock to `target` on `conn` (a write transaction) and records the difference
/// as one movement, so stock keeps equalling the sum of its movements when staff type a number
/// into the product form. Returns the movement and the change, or `None` when the level was
/// already `target` or the product is gone.
pub async fn set_level(
    conn: &mut AnyConnection,
    product_id: i64,
    target: i64,
    reason: &str,
    actor_id: Option<i64>,
) -> Result<Option<(MovementView, StockChange)>, sqlx::Error> {
    // Reading then writing is safe here: SQLite's BEGIN IMMEDIATE holds the write lock, and on
    // PostgreSQL the update only applies if no checkout moved the stock in between (the
    // statement then changes no row and we read again).
    loop {
        let current: Option<i64> =
            sqlx::query_scalar("SELECT stock_quantity FROM products WHERE id = $1")
                .bind(product_id)
                .fetch_optional(&mut *conn)
                .await?;
        let Some(current) = current else {
            return Ok(None);
        };
        if current == target {
            return Ok(None);
        }
        let title: Option<String> = sqlx::query_scalar(
            "UPDATE products SET stock_quantity = $1, updated_at = $2 \
             WHERE id = $3 AND stock_quantity = $4 RETURNING title",
        )
        .bind(target)
        .bind(now_micros())
        .bind(product_id)
        .bind(current)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(title) = title {
            let movement = NewMovement {
                product_id,
                delta: target - current,
                reason,
                actor_id,
                order_id: None,
            };
            let view = record_movement(conn, movement).await?;
            let change = StockChange {
                product_id,
                title,
                delta: target - current,
                stock: target,
            };
            return Ok(Some((view, change)));
        }
    }
}
