//! Paying for an order through the [`payment_gateway`](crate::payment_gateway)'s provider, so a
//! real provider (a Stripe-style intent confirmed later by a webhook) plugs in without touching
//! the handlers: `authorize` may answer `Pending`, and whatever later learns the result calls
//! `settle::settle` with it.

pub(super) mod handlers;
mod request;
mod settle;
