//! The HTTP edge of accounts, one file per use case: extractors in, views out.

pub(super) mod addresses;
pub(super) mod admin_users;
pub(super) mod password_change;
pub(super) mod password_reset;
pub(super) mod profile;
pub(super) mod registration;
pub(crate) mod session;

/// Django REST Framework's object-level message when a password and its confirmation differ.
const PASSWORDS_DIFFER: &str = "Passwords don't match.";
