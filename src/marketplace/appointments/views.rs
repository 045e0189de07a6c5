//! An appointment as the API shows it.

use serde::Serialize;
use utoipa::ToSchema;

use super::rules::Status;

/// An appointment between a contract's client and provider.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AppointmentView {
    #[schema(value_type = String, format = Uuid)]
    pub id: String,
    #[schema(value_type = String, format = Uuid)]
    pub contract: String,
    pub starts_at: String,
    /// The appointment is `[starts_at, ends_at)`: one may start when another ends.
    pub ends_at: String,
    pub location: String,
    pub status: Status,
    pub notes: String,
    /// The user (integer id) who proposed it; the other party confirms.
    pub proposed_by: i64,
    pub created_at: String,
}
