//! A service category and a skill as the API shows them.

use serde::Serialize;
use utoipa::ToSchema;

/// A service category.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceCategoryView {
    #[schema(value_type = String, format = Uuid)]
    pub id: String,
    pub name: String,
    pub slug: String,
    pub description: String,
}

/// A skill (also how a provider's `skills` list shows each).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SkillView {
    #[schema(value_type = String, format = Uuid)]
    pub id: String,
    pub name: String,
    pub slug: String,
}
