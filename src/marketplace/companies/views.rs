//! A company as the API shows it.

use serde::Serialize;
use utoipa::ToSchema;

/// A company: `owner` is the user's id, `members_count` the providers that name it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompanyView {
    #[schema(value_type = String, format = Uuid)]
    pub id: String,
    pub name: String,
    pub description: String,
    pub website: String,
    pub owner: i64,
    pub members_count: i64,
    pub created_at: String,
}
