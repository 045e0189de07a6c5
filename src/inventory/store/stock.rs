//! Every statement that changes `products.stock_quantity`: take (a batch of checkouts'
//! [`Shelves`]), put back, adjust, set. Each writes its movement in the caller's transaction, so stock keeps equalling the sum of its
//! movements, and the decreasing ones report the level they left (`low_stock`).

use std::collections::{BTreeMap, BTreeSet};

use sqlx::AnyConnection;

use super::record_movement;
use crate::db::{insert_values, now_micros, Backend, Flag, SqlBuilder};
use crate::inventory::{
    low_stock::StockChange,
    movements::{reason, NewMovement},
    views::MovementView,
    MAX_STOCK,
};

/// Units an order takes from a product's stock, as its line will show them.
#[derive(Debug, Clone)]
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

/// Why [`Shelves::take`] refused an order's lines; nothing was taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Shortfall {
    /// These products don't exist or are inactive.
    Unknown(Vec<i64>),
    /// These products are there and active, but hold fewer units than asked: `(product,
    /// available)`.
    Short(Vec<(i64, i64)>),
}

/// A product as a batch of checkouts found it.
#[derive(Debug, sqlx::FromRow)]
struct Shelf {
    id: i64,
    title: String,
    price_cents: i64,
    stock_quantity: i64,
    is_active: Flag,
}

/// The products a batch of checkouts orders, locked until its transaction ends, and what the
/// batch has taken from them so far. Orders take from it one after another, as if each ran
/// alone ([`Shelves::take`]); [`Shelves::write`] then changes every product's stock in one
/// statement.
#[derive(Debug)]
pub struct Shelves {
    /// Product → its row and the stock left after the takes so far.
    products: BTreeMap<i64, (Shelf, i64)>,
}

impl Shelves {
    /// Reads and locks `product_ids` on `conn` (the write transaction). On PostgreSQL
    /// `FOR NO KEY UPDATE` locks the rows in id order, the order every checkout locks products
    /// in, so concurrent batches queue rather than deadlock, and no other writer changes the
    /// stock before this transaction ends. It is the lock an `UPDATE` of the stock takes: rows
    /// that only reference a product (a cart line added, another order's line) still pass their
    /// foreign-key check (`KEY SHARE`) without waiting. SQLite's write transaction holds the one
    /// write lock already.
    pub async fn lock(
        conn: &mut AnyConnection,
        backend: Backend,
        product_ids: &BTreeSet<i64>,
    ) -> Result<Self, sqlx::Error> {
        if product_ids.is_empty() {
            return Ok(Self {
                products: BTreeMap::new(),
            });
        }
        let mut sql = SqlBuilder::new(
            "SELECT id, title, price_cents, stock_quantity, is_active FROM products WHERE id IN (",
        );
        sql.push_list(product_ids.iter().copied())
            .push(") ORDER BY id");
        if backend == Backend::Postgres {
            sql.push(" FOR NO KEY UPDATE");
        }
        let rows: Vec<Shelf> = sql.query_as().fetch_all(conn).await?;
        Ok(Self {
            products: rows
                .into_iter()
                .map(|shelf| {
                    let left = shelf.stock_quantity;
                    (shelf.id, (shelf, left))
                })
                .collect(),
        })
    }

    /// Shelves holding `(id, price in cents, stock, active)` products, as if read and locked
    /// (for tests of what orders take).
    #[cfg(test)]
    pub fn stocked(products: &[(i64, i64, i64, bool)]) -> Self {
        Self {
            products: products
                .iter()
                .map(|&(id, price_cents, stock_quantity, active)| {
                    let shelf = Shelf {
                        id,
                        title: format!("Product {id}"),
                        price_cents,
                        stock_quantity,
                        is_active: Flag(active),
                    };
                    (id, (shelf, stock_quantity))
                })
                .collect(),
        }
    }

    /// Takes every line (product → quantity) of one order from what is left, or none: an unknown
    /// or inactive product, or a short line, refuses the order and names every such line.
    pub fn take(&mut self, lines: &BTreeMap<i64, i64>) -> Result<Vec<Taken>, Shortfall> {
        let mut unknown = Vec::new();
        let mut short = Vec::new();
        for (&product_id, &quantity) in lines {
            match self.products.get(&product_id) {
                Some((shelf, _)) if !shelf.is_active.0 => unknown.push(product_id),
                None => unknown.push(product_id),
                Some((_, left)) if *left < quantity => short.push((product_id, *left)),
                Some(_) => {}
            }
        }
        if !unknown.is_empty() {
            return Err(Shortfall::Unknown(unknown));
        }
        if !short.is_empty() {
            return Err(Shortfall::Short(short));
        }
        Ok(lines
            .iter()
            .map(|(&product_id, &quantity)| {
                let (shelf, left) = self
                    .products
                    .get_mut(&product_id)
                    .expect("every line was found above");
                *left -= quantity;
                Taken {
                    product_id,
                    quantity,
                    title: shelf.title.clone(),
                    unit_price_cents: shelf.price_cents,
                    stock_left: *left,
                }
            })
            .collect())
    }

    /// Gives back what [`Shelves::take`] took for an order refused after all (its total would
    /// overflow).
    pub fn put_back(&mut self, taken: &[Taken]) {
        for line in taken {
            if let Some((_, left)) = self.products.get_mut(&line.product_id) {
                *left += line.quantity;
            }
        }
    }

    /// Writes what was taken: one `UPDATE … FROM (VALUES …)` for every product the batch took
    /// from. Each row keeps its guard (`stock_quantity >= taken`); the rows are locked and were
    /// read in this transaction, so a row refused here means the database is not what was read,
    /// and the whole batch fails (and is run again order by order).
    pub async fn write(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let taken: Vec<(i64, i64)> = self
            .products
            .into_iter()
            .filter_map(|(id, (shelf, left))| {
                let taken = shelf.stock_quantity - left;
                (taken > 0).then_some((id, taken))
            })
            .collect();
        if taken.is_empty() {
            return Ok(());
        }
        let mut sql = SqlBuilder::new(
            "UPDATE products SET stock_quantity = stock_quantity - v.column2 FROM (VALUES ",
        );
        sql.push_rows(taken.iter().map(|&(id, quantity)| [id, quantity]))
            .push(") AS v WHERE products.id = v.column1 AND products.stock_quantity >= v.column2");
        let written = sql.query().execute(conn).await?.rows_affected();
        if written != taken.len() as u64 {
            return Err(sqlx::Error::Protocol(format!(
                "stock of {} locked products changed under a checkout batch",
                taken.len() as u64 - written
            )));
        }
        Ok(())
    }
}

/// Writes the `order` movement (−quantity) of every line taken, for a batch of orders: `(order
/// id, customer, the line)`, in multi-row statements on the transaction that took them.
pub async fn record_taken(
    conn: &mut AnyConnection,
    lines: &[(i64, i64, &Taken)],
) -> Result<(), sqlx::Error> {
    let now = now_micros();
    let rows = lines
        .iter()
        .map(|&(order_id, actor_id, line)| {
            vec![
                line.product_id.into(),
                (-line.quantity).into(),
                reason::ORDER.into(),
                actor_id.into(),
                order_id.into(),
                now.into(),
            ]
        })
        .collect();
    insert_values(
        conn,
        "INSERT INTO stock_movements (product_id, delta, reason, actor_id, order_id, created_at)          VALUES ",
        "",
        rows,
        drop,
    )
    .await?;
    Ok(())
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
