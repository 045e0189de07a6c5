//! Orders: checkout (SPEC §3.4) with its idempotency key, the customer's and staff's order
//! endpoints, payment, and the races over real HTTP.

mod checkout;
mod customer;
mod group_commit;
mod idempotency;
mod payment;
mod races;
mod shapes;
mod staff;
