//! `POST orders/`: turning a cart or a list of items into an order in one write transaction
//! (`place.rs`), replayable under an `Idempotency-Key` (`idempotency.rs`). Its outcomes are a
//! `CheckoutError` until the edge (`handlers.rs`); its SQL is in the orders store.

mod error;
pub(super) mod handlers;
mod idempotency;
mod place;
mod request;

pub use place::{order_number, Checkouts};
