//! The brand use cases behind the routes.

use super::{request::BrandWrite, store, views::BrandView};
use crate::{
    db::Db,
    error::ApiError,
    http::pagination::{Page, PageRequest},
    validation::Draft,
};

/// One page of brands by name.
pub async fn list(db: &Db, page: &PageRequest) -> Result<Page<BrandView>, ApiError> {
    let count = store::count(db).await?;
    let brands = if page.offset() < count {
        store::page(db, page.limit(), page.offset()).await?
    } else {
        Vec::new()
    };
    page.page(count, brands)
}

/// The id of the brand named by `key` (an id or a slug), or `404`.
async fn resolve_id(db: &Db, key: &str) -> Result<i64, ApiError> {
    store::resolve(db, key)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// The brand named by `key`, or `404`.
pub async fn get(db: &Db, key: &str) -> Result<BrandView, ApiError> {
    let id = resolve_id(db, key).await?;
    store::find(db, id).await?.ok_or_else(ApiError::not_found)
}

/// Creates a brand; the slug is generated from the name when not given.
pub async fn create(db: &Db, draft: Draft<BrandWrite>) -> Result<BrandView, ApiError> {
    let brand = draft.finish()?;
    let id = store::insert(db, &brand).await?;
    get(db, &id.to_string()).await
}

/// Applies a PUT or PATCH body to the brand named by `key` (`404` before any `400`).
pub async fn update(db: &Db, key: &str, draft: Draft<BrandWrite>) -> Result<BrandView, ApiError> {
    let id = resolve_id(db, key).await?;
    let changes = draft.finish()?;
    store::update(db, id, &changes).await?;
    get(db, &id.to_string()).await
}

/// Deletes the brand named by `key`; its products stay, without a brand.
pub async fn delete(db: &Db, key: &str) -> Result<(), ApiError> {
    let id = resolve_id(db, key).await?;
    store::delete(db, id).await
}
