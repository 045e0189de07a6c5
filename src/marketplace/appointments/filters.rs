//! The appointment list's query string: `contract`, `status`, `search` and `ordering`
//! (`starts_at` by default, or `created_at`; `-` for descending; unknown keys ignored as DRF does).

use uuid::Uuid;

use super::rules::Status;
use crate::{
    accounts::AuthUser,
    error::{ApiError, FieldErrors},
    http::extract::QueryPairs,
    marketplace::ids,
    validation::messages,
};

/// A field the list can be ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderKey {
    StartsAt,
    CreatedAt,
}

/// What a list request asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct AppointmentFilters {
    /// Only appointments of contracts this user is a party of; `None` for staff, who see all.
    pub viewer: Option<i64>,
    pub contract: Option<String>,
    pub status: Option<Status>,
    pub search: Option<String>,
    /// `(key, descending)` in order; never empty.
    pub ordering: Vec<(OrderKey, bool)>,
}

impl AppointmentFilters {
    /// Reads the query; a malformed `contract` or an unknown `status` is a `400` under its name.
    pub fn parse(user: &AuthUser, query: &QueryPairs) -> Result<Self, ApiError> {
        let mut errors = FieldErrors::new();
        let contract = query.get("contract").and_then(|raw| {
            Uuid::parse_str(raw)
                .map(ids::stored)
                .map_err(|_| errors.add("contract", messages::INVALID_UUID_FILTER))
                .ok()
        });
        let status = query.get("status").and_then(|raw| {
            Status::parse(raw).or_else(|| {
                errors.add("status", messages::unknown_filter_choice(raw));
                None
            })
        });
        errors.into_result()?;
        let mut ordering = query
            .get("ordering")
            .map(parse_ordering)
            .unwrap_or_default();
        if ordering.is_empty() {
            ordering.push((OrderKey::StartsAt, false));
        }
        Ok(Self {
            viewer: (!user.role.is_staff()).then_some(user.id),
            contract,
            status,
            search: query.get("search").map(str::to_owned),
            ordering,
        })
    }
}

/// `ordering=-created_at,starts_at` → the known keys, in order, each once.
fn parse_ordering(raw: &str) -> Vec<(OrderKey, bool)> {
    let mut keys: Vec<(OrderKey, bool)> = Vec::new();
    for part in raw.split(',').map(str::trim) {
        let (descending, name) = match part.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, part),
        };
        let key = match name {
            "starts_at" => OrderKey::StartsAt,
            "created_at" => OrderKey::CreatedAt,
            _ => continue,
        };
        if !keys.iter().any(|(k, _)| *k == key) {
            keys.push((key, descending));
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordering_keeps_known_keys_once_and_ignores_the_rest() {
        assert_eq!(
            parse_ordering("-created_at, bogus,starts_at,created_at"),
            vec![(OrderKey::CreatedAt, true), (OrderKey::StartsAt, false)]
        );
        assert!(parse_ordering("price,-id").is_empty());
    }
}
