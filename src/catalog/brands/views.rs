//! A brand as the API shows it.

use serde::Serialize;
use utoipa::ToSchema;

/// A brand as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BrandView {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
}
