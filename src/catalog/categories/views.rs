//! Categories as the API shows them: one category, the nested tree, and the list answering either.

use serde::Serialize;
use utoipa::ToSchema;

use crate::http::pagination::Page;

/// A category as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryView {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: String,
    /// The parent category's id, or null for a root.
    pub parent: Option<i64>,
    /// Active products in this category and its descendants.
    pub products_count: i64,
    pub created_at: String,
}

/// A category with its subcategories, for `categories/?tree=true`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CategoryNode {
    #[serde(flatten)]
    pub category: CategoryView,
    #[schema(no_recursion)]
    pub children: Vec<CategoryNode>,
}

/// `categories/` answers a page, or with `?tree=true` the bare list of roots.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CategoryList {
    Page(Page<CategoryView>),
    Tree(Vec<CategoryNode>),
}
