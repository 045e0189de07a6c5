//! A service request as the API shows it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::money::Money;

/// A client's request for work (SPEC §3.12).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestView {
    #[schema(value_type = String, format = Uuid)]
    pub id: String,
    /// The client's user id.
    pub client: i64,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub category: Option<String>,
    pub title: String,
    pub description: String,
    pub budget_min: Option<Money>,
    pub budget_max: Option<Money>,
    /// A calendar date, `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<String>,
    /// `open`, `awarded`, `closed` or `cancelled`.
    #[schema(example = "open")]
    pub status: String,
    pub proposals_count: i64,
    pub created_at: String,
}
