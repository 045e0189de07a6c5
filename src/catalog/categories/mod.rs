//! Categories: a hierarchy (no cycles) with subtree product counts; anyone reads, staff write.

pub mod handlers;
pub mod queries;
pub mod write;

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use self::{
    queries::{CategoryNode, CategoryView},
    write::CategoryChanges,
};
use crate::{
    db::Db,
    error::ApiError,
    http::pagination::{Page, PageRequest},
};

/// `categories/` answers a page, or with `?tree=true` the bare list of roots.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CategoryList {
    Page(Page<CategoryView>),
    Tree(Vec<CategoryNode>),
}

/// The category list: a page by name, or the whole tree.
pub async fn list(db: &Db, page: &PageRequest, tree: bool) -> Result<CategoryList, ApiError> {
    if tree {
        return Ok(CategoryList::Tree(queries::tree(db).await?));
    }
    let count = queries::count(db).await?;
    let results = if page.offset() < count {
        queries::page(db, page.limit(), page.offset()).await?
    } else {
        Vec::new()
    };
    Ok(CategoryList::Page(page.page(count, results)?))
}

/// The category named by `key`, or `404`.
pub async fn get(db: &Db, key: &str) -> Result<CategoryView, ApiError> {
    queries::find(db, key)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Creates a category from a complete body.
pub async fn create(db: &Db, body: Value) -> Result<CategoryView, ApiError> {
    let changes = CategoryChanges::parse(db, body, false).await?;
    let id = write::create(db, &changes).await?;
    get(db, &id.to_string()).await
}

/// Applies a PUT (`partial = false`) or PATCH body to the category named by `key`.
pub async fn update(
    db: &Db,
    key: &str,
    body: Value,
    partial: bool,
) -> Result<CategoryView, ApiError> {
    let id = queries::resolve(db, key)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let changes = CategoryChanges::parse(db, body, partial).await?;
    write::update(db, id, &changes).await?;
    get(db, &id.to_string()).await
}

/// Deletes the category named by `key` (`409` while it has products or children).
pub async fn delete(db: &Db, key: &str) -> Result<(), ApiError> {
    let id = queries::resolve(db, key)
        .await?
        .ok_or_else(ApiError::not_found)?;
    write::delete(db, id).await
}
