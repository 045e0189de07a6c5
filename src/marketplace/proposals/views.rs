//! A proposal as the API shows it.

use serde::Serialize;
use utoipa::ToSchema;

use crate::money::Money;

/// A provider's offer on a request (SPEC §3.12).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProposalView {
    #[schema(value_type = String, format = Uuid)]
    pub id: String,
    #[schema(value_type = String, format = Uuid)]
    pub request: String,
    /// The provider's id.
    #[schema(value_type = String, format = Uuid)]
    pub provider: String,
    /// One of the provider's services the offer is for, if named.
    #[schema(value_type = Option<String>, format = Uuid)]
    pub service: Option<String>,
    pub price: Money,
    pub message: String,
    pub estimated_days: Option<i64>,
    /// `pending`, `accepted`, `rejected` or `withdrawn`.
    #[schema(example = "pending")]
    pub status: String,
    pub created_at: String,
}
