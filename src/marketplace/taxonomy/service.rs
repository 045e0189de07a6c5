//! The use cases behind both taxonomies' routes, told apart by [`Kind`].

use super::{kind::Kind, request::TermWrite, store, store::TermRow};
use crate::{
    db::Db,
    error::ApiError,
    http::{
        extract::QueryPairs,
        pagination::{Page, PageRequest},
    },
    marketplace::listing,
    validation::Draft,
};

/// One page of rows: `search` over the name, `ordering` by `name` (the default) or `created_at`.
pub async fn list<V: From<TermRow>>(
    db: &Db,
    kind: Kind,
    query: &QueryPairs,
    page: &PageRequest,
) -> Result<Page<V>, ApiError> {
    let (count, rows) = store::page(
        db,
        kind,
        query.get("search"),
        &listing::parse_ordering(query, store::SORTABLE),
        page.limit(),
        page.offset(),
    )
    .await?;
    page.page(count, rows.into_iter().map(Into::into).collect())
}

/// Row `id`, or `404`.
pub async fn get<V: From<TermRow>>(db: &Db, kind: Kind, id: &str) -> Result<V, ApiError> {
    store::find(db, kind, id)
        .await?
        .map(Into::into)
        .ok_or_else(ApiError::not_found)
}

/// Creates a row; the slug is generated from the name when not given.
pub async fn create<V, B>(db: &Db, kind: Kind, draft: Draft<B>) -> Result<V, ApiError>
where
    V: From<TermRow>,
    B: Into<TermWrite>,
{
    let term = draft.finish()?.into();
    let id = store::insert(db, kind, &term).await?;
    get(db, kind, &id).await
}

/// Applies a PUT or PATCH body to row `id` (`404` before any `400`).
pub async fn update<V, B>(db: &Db, kind: Kind, id: &str, draft: Draft<B>) -> Result<V, ApiError>
where
    V: From<TermRow>,
    B: Into<TermWrite>,
{
    store::find(db, kind, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let changes = draft.finish()?.into();
    store::update(db, kind, id, &changes).await?;
    get(db, kind, id).await
}

/// Deletes row `id`, or `404`.
pub async fn delete(db: &Db, kind: Kind, id: &str) -> Result<(), ApiError> {
    store::delete(db, kind, id).await
}
