//! The product use cases the public and staff routes share: list pages, one product, and the
//! staff writes, with stock changes recorded as inventory movements.

use std::sync::Arc;

use super::{
    filters::ProductFilters,
    index,
    key::{ProductKey, Visibility},
    request::{check_references, ProductWrite},
    store::{self, ListQuery, Removal},
    views::ProductView,
};
use crate::{
    catalog::{brands, categories},
    db::Db,
    error::{ApiError, FieldErrors},
    http::pagination::{Page, PageRequest},
    inventory,
    media::{MediaStore, MediaUrls},
    product_images,
    state::AppState,
    validation::{messages, Draft},
};

/// A page of products matching `filters`; an unknown `category` or `brand` is a `400`.
pub async fn list_page(
    state: &AppState,
    filters: ProductFilters,
    visibility: Visibility,
    page: &PageRequest,
    media: &MediaUrls,
) -> Result<Page<ProductView>, ApiError> {
    let source = Source::for_list(state, &filters, visibility).await;
    let mut errors = FieldErrors::new();
    let mut category_ids = None;
    if let Some(key) = &filters.category {
        category_ids = source.scope(key).await?;
        if category_ids.is_none() {
            errors.add("category", messages::UNKNOWN_CHOICE);
        }
    }
    let mut brand_id = None;
    if let Some(key) = &filters.brand {
        brand_id = source.brand(key).await?;
        if brand_id.is_none() {
            errors.add("brand", messages::UNKNOWN_CHOICE);
        }
    }
    errors.into_result()?;
    let query = ListQuery {
        filters,
        category_ids,
        brand_id,
        visibility,
    };
    source.page(&query, page, media).await
}

/// The products of the category named by `key` and its descendants; an unknown category is an
/// empty page, as the Django backend answers.
pub async fn category_page(
    state: &AppState,
    key: &str,
    mut filters: ProductFilters,
    visibility: Visibility,
    page: &PageRequest,
    media: &MediaUrls,
) -> Result<Page<ProductView>, ApiError> {
    let source = Source::for_list(state, &filters, visibility).await;
    let Some(category_ids) = source.scope(key).await? else {
        return page.page(0, Vec::new());
    };
    filters.category = None;
    let mut brand_id = None;
    if let Some(key) = &filters.brand {
        brand_id = source.brand(key).await?;
        if brand_id.is_none() {
            return Err(FieldErrors::single("brand", messages::UNKNOWN_CHOICE));
        }
    }
    let query = ListQuery {
        filters,
        category_ids: Some(category_ids),
        brand_id,
        visibility,
    };
    source.page(&query, page, media).await
}

/// Where a list is read from: the product index when it can answer, else the database. Both
/// answer alike; `tests/api/catalog/product_index.rs` holds them to it.
enum Source<'a> {
    Database(&'a Db),
    /// The snapshot, and the database that ranks its searches.
    Index(Arc<index::Snapshot>, &'a Db),
}

impl<'a> Source<'a> {
    /// The index for a list of active products it can answer (no staff filter) when it has a
    /// snapshot for the catalog version now; the database otherwise.
    async fn for_list(
        state: &'a AppState,
        filters: &ProductFilters,
        visibility: Visibility,
    ) -> Source<'a> {
        if visibility == Visibility::ActiveOnly && index::answerable(filters) {
            if let Some(snapshot) = index::snapshot(state).await {
                return Source::Index(snapshot, &state.db);
            }
        }
        Source::Database(&state.db)
    }

    /// The category named by `key` and its descendants, sorted by id.
    async fn scope(&self, key: &str) -> Result<Option<Vec<i64>>, ApiError> {
        match self {
            Source::Database(db) => categories::scope(db, key).await,
            Source::Index(snapshot, _) => Ok(snapshot.scope(key)),
        }
    }

    /// The brand named by `key`.
    async fn brand(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self {
            Source::Database(db) => brands::resolve(db, key).await,
            Source::Index(snapshot, _) => Ok(snapshot.brand(key)),
        }
    }

    /// One page of `query` with the products' images: from memory (a search ranked by the
    /// database once per snapshot), or a page query, `COUNT` and one images query.
    async fn page(
        &self,
        query: &ListQuery,
        page: &PageRequest,
        media: &MediaUrls,
    ) -> Result<Page<ProductView>, ApiError> {
        let (snapshot, db) = match self {
            Source::Database(db) => return database_page(db, query, page, media).await,
            Source::Index(snapshot, db) => (snapshot, *db),
        };
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit()).unwrap_or(0);
        let (count, listed) = match &query.filters.search {
            None => index::page(snapshot, query, offset, limit),
            Some(text) => match snapshot.matches(db, text).await {
                Some(matches) => index::search_page(snapshot, &matches, query, offset, limit),
                None => return database_page(db, query, page, media).await,
            },
        };
        let products = listed
            .into_iter()
            .map(|product| with_images(product, media))
            .collect();
        page.page(count as i64, products)
    }
}

/// One page of `query` read from the database: a page query, `COUNT` and one images query.
async fn database_page(
    db: &Db,
    query: &ListQuery,
    page: &PageRequest,
    media: &MediaUrls,
) -> Result<Page<ProductView>, ApiError> {
    let (count, mut products) = store::list(db, query, page).await?;
    attach_images(db, &mut products, media).await?;
    page.page(count, products)
}

/// An indexed product as the list shows it, its image URLs made for this request's origin.
fn with_images(product: &index::Indexed, media: &MediaUrls) -> ProductView {
    let mut view = product.view.clone();
    view.images = product
        .images
        .iter()
        .map(|image| image.view(media.store.as_ref(), &media.origin))
        .collect();
    view.image = view.images.first().map(|image| image.url.clone());
    view
}

/// The product named by `key`, with its images; `404` when absent or invisible to the caller.
pub async fn find(
    db: &Db,
    key: &ProductKey,
    visibility: Visibility,
    media: &MediaUrls,
) -> Result<ProductView, ApiError> {
    let product = store::find(db, key, visibility)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let mut products = [product];
    attach_images(db, &mut products, media).await?;
    let [product] = products;
    Ok(product)
}

/// Fills `images` and `image` for every product with one query, whatever the page size.
async fn attach_images(
    db: &Db,
    products: &mut [ProductView],
    media: &MediaUrls,
) -> Result<(), ApiError> {
    if products.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = products.iter().map(|p| p.id).collect();
    let mut by_product =
        product_images::images_for_products(db, media.store.as_ref(), &media.origin, &ids).await?;
    for product in products {
        product.images = by_product.remove(&product.id).unwrap_or_default();
        product.image = product.images.first().map(|image| image.url.clone());
    }
    Ok(())
}

/// The id of the product named by `key`, whatever its state, or `404`.
async fn resolve_id(db: &Db, key: &str) -> Result<i64, ApiError> {
    store::resolve_id(db, &ProductKey::parse(key))
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Creates a product from a complete body and returns it as staff see it.
///
/// The product is inserted with no stock; its starting stock is then an `initial` movement, so
/// stock always equals the sum of the product's movements.
pub async fn create(
    db: &Db,
    mut draft: Draft<ProductWrite>,
    actor: i64,
    media: &MediaUrls,
    alerts: inventory::Alerts<'_>,
) -> Result<ProductView, ApiError> {
    check_references(db, &mut draft).await?;
    let product = draft.finish()?;
    let id = store::insert(db, &product).await?;
    if let Some(stock) = product.stock_quantity {
        inventory::set_level(
            db,
            alerts,
            id,
            stock,
            inventory::reason::INITIAL,
            Some(actor),
        )
        .await?;
    }
    find(db, &ProductKey::Id(id), Visibility::All, media).await
}

/// Applies a PUT or PATCH body to the product named by `key` (`404` before any `400`).
pub async fn update(
    db: &Db,
    key: &str,
    mut draft: Draft<ProductWrite>,
    actor: i64,
    media: &MediaUrls,
    alerts: inventory::Alerts<'_>,
) -> Result<ProductView, ApiError> {
    let id = resolve_id(db, key).await?;
    check_references(db, &mut draft).await?;
    let changes = draft.finish()?;
    store::update(db, id, &changes).await?;
    if let Some(stock) = changes.stock_quantity {
        let reason = inventory::reason::PRODUCT_EDIT;
        inventory::set_level(db, alerts, id, stock, reason, Some(actor)).await?;
    }
    find(db, &ProductKey::Id(id), Visibility::All, media).await
}

/// Deletes (or, when ordered before, deactivates) the product named by `key`.
///
/// The image rows cascade with a deleted product; their files are removed once the delete has
/// happened (a deactivated product keeps them).
pub async fn delete(db: &Db, media: &dyn MediaStore, key: &str) -> Result<(), ApiError> {
    let id = resolve_id(db, key).await?;
    let image_files = product_images::image_keys_for_products(db, &[id]).await?;
    if store::delete(db, id).await? == Removal::Deleted {
        product_images::delete_files(media, &image_files).await;
    }
    Ok(())
}
