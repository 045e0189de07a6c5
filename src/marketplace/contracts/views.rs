//! A contract as the API shows it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::money::Money;

/// One status a contract took; the first row (`from_status` null, `active`) is its creation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusChangeView {
    pub from_status: Option<String>,
    pub status: String,
    pub note: String,
    /// The user who made the move (null once that user is deleted).
    pub changed_by: Option<i64>,
    pub created_at: String,
}

/// The work agreed by accepting a proposal (SPEC §3.12); the same shape in lists and alone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractView {
    #[schema(value_type = String, format = Uuid)]
    pub id: String,
    #[schema(value_type = String, format = Uuid)]
    pub request: String,
    #[schema(value_type = String, format = Uuid)]
    pub proposal: String,
    /// The client's user id.
    pub client: i64,
    /// The provider's id.
    #[schema(value_type = String, format = Uuid)]
    pub provider: String,
    pub price: Money,
    /// `active`, `delivered`, `completed`, `disputed` or `cancelled`.
    #[schema(example = "active")]
    pub status: String,
    /// Oldest first.
    pub status_history: Vec<StatusChangeView>,
    pub created_at: String,
}
