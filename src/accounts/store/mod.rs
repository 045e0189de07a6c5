//! Every SQL statement of accounts: users, addresses, refresh tokens and reset links. Rows are
//! `FromRow` structs, and every query of a user's own rows is scoped to that user.

pub(super) mod addresses;
mod callers;
pub(super) mod refresh_tokens;
pub(super) mod reset_links;
pub(super) mod users;

pub use addresses::{Address, AddressFields};
pub use callers::{find_caller, Caller};
pub use users::{User, UserFilter};
