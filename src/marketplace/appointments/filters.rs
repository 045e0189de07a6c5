//! The appointment list's query string: `contract`, `status`, `search` and `ordering`
//! (`starts_at` by default, or `created_at`; read by `marketplace::listing`).

use uuid::Uuid;

use super::{rules::Status, store::SORTABLE};
use crate::{
    accounts::AuthUser,
    error::{ApiError, FieldErrors},
    http::extract::QueryPairs,
    marketplace::{
        ids,
        listing::{self, OrderKey},
    },
    validation::messages,
};

/// What a list request asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct AppointmentFilters {
    /// Only appointments of contracts this user is a party of; `None` for staff, who see all.
    pub viewer: Option<i64>,
    pub contract: Option<String>,
    pub status: Option<Status>,
    pub search: Option<String>,
    /// The known `ordering` keys; empty for the default, by `starts_at`.
    pub ordering: Vec<OrderKey>,
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
        let status = listing::status_filter(query, &Status::ALL.map(Status::as_str), &mut errors)
            .and_then(Status::parse);
        errors.into_result()?;
        Ok(Self {
            viewer: (!user.role.is_staff()).then_some(user.id),
            contract,
            status,
            search: query.get("search").map(str::to_owned),
            ordering: listing::parse_ordering(query, SORTABLE),
        })
    }
}
