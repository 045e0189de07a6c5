//! The category use cases the public and staff routes share.

use super::{
    request::{check_parent, CategoryWrite},
    store, tree,
    views::{CategoryList, CategoryView},
};
use crate::{
    catalog::products, db::Db, error::ApiError, http::pagination::PageRequest, state::AppState,
    validation::Draft,
};

/// The category list: a page by name, or the whole tree; from the product index's snapshot
/// when there is one for the catalog version now (docs/cache.md), else from the database.
pub async fn list(
    state: &AppState,
    page: &PageRequest,
    tree: bool,
) -> Result<CategoryList, ApiError> {
    if let Some(snapshot) = products::index_snapshot(state).await {
        if tree {
            let categories = snapshot.categories_with_own_counts();
            return Ok(CategoryList::Tree(tree::build_forest(categories)));
        }
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit()).unwrap_or(0);
        let (count, results) = snapshot.categories_page(offset, limit);
        return Ok(CategoryList::Page(page.page(count as i64, results)?));
    }
    let db = &state.db;
    if tree {
        let categories = store::all_with_own_counts(&mut *db.pool.acquire().await?).await?;
        return Ok(CategoryList::Tree(tree::build_forest(categories)));
    }
    let count = store::count(db).await?;
    let results = if page.offset() < count {
        store::page(db, page.limit(), page.offset()).await?
    } else {
        Vec::new()
    };
    Ok(CategoryList::Page(page.page(count, results)?))
}

/// The category named by `key`, or `404`; from the product index's snapshot when there is one.
pub async fn get(state: &AppState, key: &str) -> Result<CategoryView, ApiError> {
    let found = match products::index_snapshot(state).await {
        Some(snapshot) => snapshot.category(key),
        None => store::find(&state.db, key).await?,
    };
    found.ok_or_else(ApiError::not_found)
}

/// The id of the category named by `key`, or `404`.
async fn resolve_id(db: &Db, key: &str) -> Result<i64, ApiError> {
    store::resolve(db, key)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Creates a category from a complete body.
pub async fn create(db: &Db, mut draft: Draft<CategoryWrite>) -> Result<CategoryView, ApiError> {
    check_parent(db, &mut draft).await?;
    let category = draft.finish()?;
    let id = store::insert(db, &category).await?;
    written(db, id).await
}

/// Applies a PUT or PATCH body to the category named by `key` (`404` before any `400`).
pub async fn update(
    db: &Db,
    key: &str,
    mut draft: Draft<CategoryWrite>,
) -> Result<CategoryView, ApiError> {
    let id = resolve_id(db, key).await?;
    check_parent(db, &mut draft).await?;
    let changes = draft.finish()?;
    store::update(db, id, &changes).await?;
    written(db, id).await
}

/// A category just written, read back from the database: the index's snapshot can't have it
/// yet (the version is bumped once the handler has answered).
async fn written(db: &Db, id: i64) -> Result<CategoryView, ApiError> {
    store::find(db, &id.to_string())
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Deletes the category named by `key` (`409` while it has products or children).
pub async fn delete(db: &Db, key: &str) -> Result<(), ApiError> {
    let id = resolve_id(db, key).await?;
    store::delete(db, id).await
}

/// Every category as `(id, "Root › Child › Leaf")`, ordered by that path: what a form's category
/// picker offers (a shop has tens or hundreds of categories, never thousands).
pub async fn choices(db: &Db) -> Result<Vec<(i64, String)>, ApiError> {
    let rows = store::names(db).await?;
    let by_id: std::collections::HashMap<i64, (&str, Option<i64>)> = rows
        .iter()
        .map(|(id, name, parent)| (*id, (name.as_str(), *parent)))
        .collect();
    let mut choices: Vec<(i64, String)> = rows
        .iter()
        .map(|(id, name, parent)| {
            let mut path = vec![name.as_str()];
            let mut next = *parent;
            // Bounded by the depth rule, and again here so a cyclic row can't loop.
            while let Some((name, parent)) = next.and_then(|id| by_id.get(&id)) {
                if path.len() as i64 > tree::MAX_DEPTH {
                    break;
                }
                path.push(name);
                next = *parent;
            }
            path.reverse();
            (*id, path.join(" › "))
        })
        .collect();
    choices.sort_by_key(|(id, label)| (label.to_lowercase(), *id));
    Ok(choices)
}
