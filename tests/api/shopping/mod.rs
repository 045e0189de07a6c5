//! Cart, checkout, orders, payment and inventory: every row of SPEC §3.3/§3.4 and the races.

pub mod helpers;

mod cart;
mod checkout;
mod idempotency;
mod inventory;
mod orders;
mod payment;
mod product_history;
mod races;
mod staff_orders;
