//! Every SQL statement of orders, its checkout and its payments (one store for the feature and
//! its sub-features): reading orders with their lines and history, placing them, moving them
//! through the status machine, and the payment rows.
//!
//! Stock is not written here: `inventory` is the only module that changes it.

mod history;
mod keys;
mod payments;
mod placing;
mod reading;

pub use history::{
    insert_history, lines_to_restock, move_status, release_money, staff_history, MovedOrder,
};
pub use keys::{find_key, record_keys, NewKey, StoredKey};
pub use payments::{
    abandon_stale_claims, capture_order, claim_payment, mark_payment, mark_payment_pending,
    pending_payment, release_claim, set_payment_outcome, LIVE_PAYMENT, LIVE_PAYMENT_SQLITE,
};
pub use placing::{draw_ids, insert_items, insert_orders, NewOrder};
pub use reading::{core, list, one, OrderCore, OrderFilter};
