//! Placing checkouts: the orders waiting at one moment are placed together, in one write
//! transaction, with one statement per table for the whole batch rather than a dozen per order
//! (docs/orders.md, "How checkout commits"). A lone order takes the same path, as a batch of one.
//!
//! Each order is still decided as if it ran alone, one after another in arrival order: its
//! lines (explicit, or its cart), then its stock, taken from rows the batch has read and locked
//! ([`Shelves`]: a product's stock is never read and then written unlocked, so racing buyers
//! can't oversell on either engine). An order refused (an empty cart, unknown products, too
//! little stock, a key already used) writes nothing, and the orders after it see the stock as
//! it left it. Then everything the accepted orders change is written at once.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use sqlx::AnyConnection;

use super::{
    error::{CheckoutError, Shortage},
    request::{CheckoutRequest, MAX_LINES, MAX_QUANTITY},
};
use crate::{
    accounts::AuthUser,
    cart::{self, CartLines},
    db::{now_micros, types::format_micros, Backend, Batch, Ran},
    inventory::{self, Shelves, Shortfall, StockChange, Taken},
    money::Money,
    notify::{self, Announcement},
    orders::{
        notices,
        status::{OrderStatus, PaymentStatus},
        store::{self, NewKey, NewOrder},
        views::{OrderItemView, OrderView, ShippingAddress, StatusHistoryView},
    },
};

/// The first history note of every order.
const PLACED_NOTE: &str = "Order placed.";

/// `NX-YYYYMMDD-000123`: the order's date and its id, so it is unique without a lookup (the id
/// is drawn before the order is written: `store::draw_ids`).
pub fn order_number(created_at_micros: i64, id: i64) -> String {
    let date = DateTime::<Utc>::from_timestamp_micros(created_at_micros).unwrap_or_default();
    format!("NX-{}-{id:06}", date.format("%Y%m%d"))
}

/// One checkout request, as the combiner runs it (possibly twice: see `db::group_commit`).
#[derive(Debug)]
pub struct Order {
    pub user: AuthUser,
    pub request: CheckoutRequest,
    pub address: Option<ShippingAddress>,
    /// The `Idempotency-Key` and the body's fingerprint.
    pub key: Option<(String, String)>,
}

/// What became of one order of a batch, delivered after its transaction ended.
#[derive(Debug)]
pub enum Attempt {
    /// Placed: committed by the time anyone sees it.
    Placed(Box<Placed>),
    /// Not placed: the order was refused (stock, cart, products).
    Failed(CheckoutError),
    /// Not placed: the key was recorded by an earlier request, whose order is replayed.
    KeyTaken,
}

/// A placed order as `GET orders/{id}/` shows it, its total in cents, and who to tell once the
/// transaction commits (the customer; staff when it left stock low).
#[derive(Debug)]
pub struct Placed {
    pub order: OrderView,
    pub total_cents: i64,
    pub announcement: Announcement,
}

/// The combiner's batch of checkouts (`db::group_commit`).
#[derive(Debug)]
pub struct Checkouts {
    pub backend: Backend,
    pub low_stock_threshold: i64,
}

impl Batch for Checkouts {
    type Item = Order;
    type Outcome = Attempt;

    fn run<'c>(
        &'c self,
        conn: &'c mut AnyConnection,
        orders: &'c mut [Order],
    ) -> BoxFuture<'c, Result<Vec<Ran<Attempt>>, sqlx::Error>> {
        Box::pin(self.place_all(conn, orders))
    }
}

/// An order the batch accepted: its lines taken, its total, the cart it empties.
struct Accepted<'a> {
    order: &'a Order,
    taken: Vec<Taken>,
    total_cents: i64,
    cart: Option<&'a CartLines>,
}

/// A batch's choices so far: what it has taken, which carts and keys its accepted orders used.
struct Choices<'a> {
    carts: &'a BTreeMap<i64, CartLines>,
    shelves: Shelves,
    emptied: BTreeSet<i64>,
    keys: HashSet<(i64, &'a str)>,
}

impl<'a> Choices<'a> {
    /// Decides `order` against what the orders before it left: accepted (its lines taken) or
    /// refused with the answer it gets, having taken nothing.
    fn decide(&mut self, order: &'a Order) -> Result<Accepted<'a>, Attempt> {
        let key = order
            .key
            .as_ref()
            .map(|(key, _)| (order.user.id, key.as_str()));
        if key.is_some_and(|key| self.keys.contains(&key)) {
            // An earlier order of this batch recorded the key: this request replays it.
            return Err(Attempt::KeyTaken);
        }
        let (lines, cart) = match &order.request.items {
            // Explicit items were bounded when read.
            Some(items) => (items, None),
            None => {
                let cart = self
                    .carts
                    .get(&order.user.id)
                    .filter(|cart| !self.emptied.contains(&cart.cart_id))
                    .ok_or(Attempt::Failed(CheckoutError::EmptyCart))?;
                // A cart is bounded here (carts filled before the bounds existed may exceed
                // them), and left as it is.
                if cart.lines.len() > MAX_LINES
                    || cart.lines.values().any(|&quantity| quantity > MAX_QUANTITY)
                {
                    return Err(Attempt::Failed(CheckoutError::CartTooLarge));
                }
                (&cart.lines, Some(cart))
            }
        };
        let taken = self
            .shelves
            .take(lines)
            .map_err(|shortfall| Attempt::Failed(refusal(shortfall)))?;
        let Some(total_cents) = total_of(&taken) else {
            self.shelves.put_back(&taken);
            return Err(Attempt::Failed(CheckoutError::TotalTooLarge));
        };
        if let Some(cart) = cart {
            self.emptied.insert(cart.cart_id);
        }
        if let Some(key) = key {
            self.keys.insert(key);
        }
        Ok(Accepted {
            order,
            taken,
            total_cents,
            cart,
        })
    }
}

/// The answer to lines the stock refused.
fn refusal(shortfall: Shortfall) -> CheckoutError {
    match shortfall {
        Shortfall::Unknown(products) => CheckoutError::UnknownProducts(products),
        Shortfall::Short(lines) => CheckoutError::InsufficientStock(
            lines
                .into_iter()
                .map(|(product_id, available)| Shortage {
                    product_id,
                    available,
                })
                .collect(),
        ),
    }
}

/// The order's total in cents; `None` past `i64`.
fn total_of(taken: &[Taken]) -> Option<i64> {
    taken.iter().try_fold(0i64, |sum, line| {
        line.unit_price_cents
            .checked_mul(line.quantity)
            .and_then(|subtotal| sum.checked_add(subtotal))
    })
}

impl Checkouts {
    /// Places `orders` on `conn` (the write transaction), each as if alone and in order, and
    /// answers each one's outcome. An `Err` is a database error: the combiner undoes the batch
    /// and runs its orders again one by one.
    async fn place_all(
        &self,
        conn: &mut AnyConnection,
        orders: &[Order],
    ) -> Result<Vec<Ran<Attempt>>, sqlx::Error> {
        let now = now_micros();
        let mut owners: Vec<i64> = orders
            .iter()
            .filter(|order| order.request.items.is_none())
            .map(|order| order.user.id)
            .collect();
        owners.sort_unstable();
        owners.dedup();
        let carts = cart::lock_carts_for_checkout(conn, self.backend, &owners).await?;
        let products: BTreeSet<i64> = orders
            .iter()
            .filter_map(|order| order.request.items.as_ref())
            .chain(carts.values().map(|cart| &cart.lines))
            .flat_map(|lines| lines.keys().copied())
            .collect();
        let mut choices = Choices {
            carts: &carts,
            shelves: Shelves::lock(conn, self.backend, &products).await?,
            emptied: BTreeSet::new(),
            keys: HashSet::new(),
        };
        let decided: Vec<Result<Accepted, Attempt>> =
            orders.iter().map(|order| choices.decide(order)).collect();
        let accepted: Vec<&Accepted> = decided.iter().filter_map(|d| d.as_ref().ok()).collect();
        let placed = if accepted.is_empty() {
            Vec::new()
        } else {
            choices.shelves.write(conn).await?;
            let emptied: Vec<&CartLines> = accepted.iter().filter_map(|a| a.cart).collect();
            cart::empty_carts(conn, &emptied, now).await?;
            self.write(conn, &accepted, now).await?
        };
        if !record_keys(conn, &accepted, &placed, now).await? {
            // A key was recorded meanwhile by a request on another connection. Its order must
            // not stay, and which order's key it was is not known: the transaction is undone
            // (cart adds sharing it included) and its work run again one by one. An order alone
            // answers this error, and its request then finds the key and replays that order.
            return Err(sqlx::Error::Protocol(
                "an idempotency key of the batch was taken meanwhile".into(),
            ));
        }
        let mut placed = placed.into_iter();
        Ok(decided
            .into_iter()
            .map(|decided| match decided {
                Ok(_) => Ran::Keep(Attempt::Placed(Box::new(
                    placed.next().expect("one placed order per accepted one"),
                ))),
                Err(attempt) => Ran::Undo(attempt),
            })
            .collect())
    }

    /// Writes the accepted orders, their lines and movements, the customers' notifications and
    /// confirmation emails and staff's low-stock notices: one statement per table (more only past
    /// a statement's row bound). Answers each order as placed, in order.
    async fn write(
        &self,
        conn: &mut AnyConnection,
        accepted: &[&Accepted<'_>],
        now: i64,
    ) -> Result<Vec<Placed>, sqlx::Error> {
        let order_ids = store::draw_ids(conn, self.backend, "orders", accepted.len()).await?;
        let lines = accepted.iter().map(|a| a.taken.len()).sum();
        let mut item_ids = store::draw_ids(conn, self.backend, "order_items", lines)
            .await?
            .into_iter();
        let mut rows = Vec::with_capacity(accepted.len());
        let mut items = Vec::with_capacity(lines);
        let mut movements = Vec::with_capacity(lines);
        let mut changes = Vec::with_capacity(lines);
        let mut views = Vec::with_capacity(accepted.len());
        for (accepted, id) in accepted.iter().zip(order_ids) {
            let Accepted { order, taken, .. } = accepted;
            let mut item_views = Vec::with_capacity(taken.len());
            for line in taken {
                let item_id = item_ids.next().expect("one id drawn per line");
                items.push((item_id, id, line));
                movements.push((id, order.user.id, line));
                changes.push(StockChange {
                    product_id: line.product_id,
                    title: line.title.clone(),
                    delta: -line.quantity,
                    stock: line.stock_left,
                });
                item_views.push(OrderItemView::new(
                    item_id,
                    line.product_id,
                    line.title.clone(),
                    line.quantity,
                    line.unit_price_cents,
                ));
            }
            let view = placed_view(order, id, accepted.total_cents, item_views, now);
            rows.push(NewOrder {
                id,
                number: view.order_number.clone(),
                user_id: order.user.id,
                total_cents: accepted.total_cents,
                shipping_address: order
                    .address
                    .as_ref()
                    .map(|a| serde_json::to_string(a).unwrap_or_default()),
                notes: &order.request.notes,
                now,
            });
            views.push(view);
        }
        store::insert_orders(conn, &rows, PLACED_NOTE).await?;
        store::insert_items(conn, &items, now).await?;
        inventory::record_taken(conn, &movements).await?;
        let customers: Vec<i64> = views.iter().map(|view| view.user).collect();
        let notices: Vec<_> = views.iter().map(notices::placed).collect();
        let mut announcements = notify::notify_users(conn, &customers, &notices).await?;
        let staff = inventory::alert_low_stock(conn, self.low_stock_threshold, &changes).await?;
        if let Some(first) = announcements.first_mut() {
            *first = std::mem::take(first).and(staff);
        }
        Ok(views
            .into_iter()
            .zip(accepted)
            .zip(announcements)
            .map(|((order, accepted), announcement)| Placed {
                order,
                total_cents: accepted.total_cents,
                announcement,
            })
            .collect())
    }
}

/// Records the keys of the placed orders that came with one; `false` when one was taken (by a
/// request committed meanwhile, or one still running on another connection).
async fn record_keys(
    conn: &mut AnyConnection,
    accepted: &[&Accepted<'_>],
    placed: &[Placed],
    now: i64,
) -> Result<bool, sqlx::Error> {
    let keys: Vec<NewKey> = accepted
        .iter()
        .zip(placed)
        .filter_map(|(accepted, placed)| {
            let (key, fingerprint) = accepted.order.key.as_ref()?;
            Some(NewKey {
                user_id: accepted.order.user.id,
                key,
                fingerprint,
                order_id: placed.order.id,
            })
        })
        .collect();
    if keys.is_empty() {
        return Ok(true);
    }
    let recorded = store::record_keys(conn, &keys, now).await?;
    Ok(recorded == keys.len() as u64)
}

/// The placed order as `GET orders/{id}/` shows it, built from what is written.
fn placed_view(
    order: &Order,
    id: i64,
    total_cents: i64,
    items: Vec<OrderItemView>,
    now: i64,
) -> OrderView {
    OrderView {
        id,
        order_number: order_number(now, id),
        user: order.user.id,
        user_email: order.user.email.clone(),
        status: OrderStatus::Pending,
        payment_status: PaymentStatus::Unpaid,
        total_amount: Money::from_cents(total_cents),
        shipping_address: order.address.clone(),
        items,
        status_history: vec![StatusHistoryView {
            status: OrderStatus::Pending.as_str().to_owned(),
            note: PLACED_NOTE.to_owned(),
            created_at: format_micros(now),
        }],
        notes: order.request.notes.clone(),
        created_at: format_micros(now),
        updated_at: format_micros(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Role;

    fn order(user: i64, items: Option<&[(i64, i64)]>, key: Option<&str>) -> Order {
        Order {
            user: AuthUser {
                id: user,
                email: format!("u{user}@example.com"),
                username: format!("u{user}"),
                role: Role::Customer,
            },
            request: CheckoutRequest {
                items: items.map(|items| items.iter().copied().collect()),
                shipping_address_id: None,
                shipping_address: None,
                notes: String::new(),
            },
            address: None,
            key: key.map(|key| (key.to_owned(), "fingerprint".to_owned())),
        }
    }

    fn cart(cart_id: i64, lines: &[(i64, i64)]) -> CartLines {
        CartLines {
            cart_id,
            item_ids: vec![cart_id * 100],
            lines: lines.iter().copied().collect(),
        }
    }

    /// An order's lines as taken, `(product, quantity, stock left)`, or its refusal.
    type Decided = Result<Vec<(i64, i64, i64)>, String>;

    /// Each order's outcome, decided in order.
    fn decide_all(
        carts: &BTreeMap<i64, CartLines>,
        products: &[(i64, i64, i64, bool)],
        orders: &[Order],
    ) -> Vec<Decided> {
        let mut choices = Choices {
            carts,
            shelves: Shelves::stocked(products),
            emptied: BTreeSet::new(),
            keys: HashSet::new(),
        };
        orders
            .iter()
            .map(|order| match choices.decide(order) {
                Ok(accepted) => Ok(accepted
                    .taken
                    .iter()
                    .map(|line| (line.product_id, line.quantity, line.stock_left))
                    .collect()),
                Err(Attempt::Failed(error)) => Err(format!("{error:?}")),
                Err(Attempt::KeyTaken) => Err("KeyTaken".to_owned()),
                Err(Attempt::Placed(_)) => unreachable!("a refusal places nothing"),
            })
            .collect()
    }

    #[test]
    fn orders_of_a_batch_take_stock_one_after_another_and_a_refused_one_takes_nothing() {
        let products = [(1, 100, 3, true), (2, 100, 10, true)];
        let orders = [
            order(1, Some(&[(1, 2)]), None),
            // Short of product 1: takes nothing, not even product 2.
            order(2, Some(&[(1, 2), (2, 5)]), None),
            order(3, Some(&[(1, 1), (2, 1)]), None),
            order(4, Some(&[(1, 1)]), None),
        ];
        assert_eq!(
            decide_all(&BTreeMap::new(), &products, &orders),
            [
                Ok(vec![(1, 2, 1)]),
                Err("InsufficientStock([Shortage { product_id: 1, available: 1 }])".into()),
                Ok(vec![(1, 1, 0), (2, 1, 9)]),
                Err("InsufficientStock([Shortage { product_id: 1, available: 0 }])".into()),
            ]
        );
    }

    #[test]
    fn unknown_or_inactive_products_are_named_before_any_shortage() {
        let products = [(1, 100, 0, true), (2, 100, 5, false)];
        let orders = [order(1, Some(&[(1, 1), (2, 1), (3, 1)]), None)];
        assert_eq!(
            decide_all(&BTreeMap::new(), &products, &orders),
            [Err("UnknownProducts([2, 3])".into())]
        );
    }

    #[test]
    fn a_cart_is_ordered_once_and_only_within_the_bounds_of_one_order() {
        let carts = BTreeMap::from([
            (1, cart(10, &[(1, 2)])),
            (2, cart(20, &[(1, MAX_QUANTITY + 1)])),
        ]);
        let products = [(1, 100, 100_000, true)];
        let orders = [
            order(1, None, None),
            order(1, None, None),
            order(2, None, None),
            // No cart at all.
            order(3, None, None),
        ];
        assert_eq!(
            decide_all(&carts, &products, &orders),
            [
                Ok(vec![(1, 2, 99_998)]),
                Err("EmptyCart".into()),
                Err("CartTooLarge".into()),
                Err("EmptyCart".into()),
            ]
        );
    }

    #[test]
    fn a_key_is_taken_by_the_first_order_placed_with_it_not_by_one_refused() {
        let products = [(1, 100, 1, true)];
        let orders = [
            // Refused: the key stays free.
            order(1, Some(&[(1, 5)]), Some("k")),
            order(1, Some(&[(1, 1)]), Some("k")),
            order(1, Some(&[(1, 1)]), Some("k")),
            // Another user's key of the same name is theirs.
            order(2, Some(&[(1, 1)]), Some("k")),
        ];
        assert_eq!(
            decide_all(&BTreeMap::new(), &products, &orders),
            [
                Err("InsufficientStock([Shortage { product_id: 1, available: 1 }])".into()),
                Ok(vec![(1, 1, 0)]),
                Err("KeyTaken".into()),
                Err("InsufficientStock([Shortage { product_id: 1, available: 0 }])".into()),
            ]
        );
    }

    #[test]
    fn an_order_whose_total_overflows_gives_its_units_back() {
        let products = [(1, i64::MAX / 2, 10, true)];
        let orders = [
            order(1, Some(&[(1, 3)]), None),
            order(2, Some(&[(1, 1)]), None),
        ];
        assert_eq!(
            decide_all(&BTreeMap::new(), &products, &orders),
            [Err("TotalTooLarge".into()), Ok(vec![(1, 1, 9)])]
        );
    }

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
