//! Products: the public list and detail, and the staff writes (shared with the staff router).

pub mod handlers;
pub mod list;
pub mod model;
pub mod queries;
pub mod write;

use crate::media::MediaUrls;
use crate::{inventory, media::MediaStore, product_images};
use serde_json::Value;

use self::{
    list::{ListQuery, ProductFilters},
    model::ProductView,
    queries::{ProductKey, Visibility},
    write::ProductChanges,
};
use crate::{
    catalog::{brands, categories},
    db::Db,
    error::{ApiError, FieldErrors},
    http::pagination::{Page, PageRequest},
};

/// django-filter's message for a `category`/`brand` filter naming nothing.
const INVALID_CHOICE: &str =
    "Select a valid choice. That choice is not one of the available choices.";

/// A page of products matching `filters`; an unknown `category` or `brand` is a `400`.
pub async fn list_page(
    db: &Db,
    filters: ProductFilters,
    visibility: Visibility,
    page: &PageRequest,
    media: &MediaUrls,
) -> Result<Page<ProductView>, ApiError> {
    let mut errors = FieldErrors::new();
    let mut category_ids = None;
    if let Some(key) = &filters.category {
        category_ids = categories::queries::scope(db, key).await?;
        if category_ids.is_none() {
            errors.add("category", INVALID_CHOICE);
        }
    }
    let mut brand_id = None;
    if let Some(key) = &filters.brand {
        brand_id = brands::resolve(db, key).await?;
        if brand_id.is_none() {
            errors.add("brand", INVALID_CHOICE);
        }
    }
    errors.into_result()?;
    list::list(
        db,
        &ListQuery {
            filters,
            category_ids,
            brand_id,
            visibility,
        },
        page,
        media,
    )
    .await
}

/// The products of the category named by `key` and its descendants; an unknown category is an
/// empty page, as the Django backend answers.
pub async fn category_page(
    db: &Db,
    key: &str,
    mut filters: ProductFilters,
    visibility: Visibility,
    page: &PageRequest,
    media: &MediaUrls,
) -> Result<Page<ProductView>, ApiError> {
    let Some(category_ids) = categories::queries::scope(db, key).await? else {
        return page.page(0, Vec::new());
    };
    filters.category = None;
    let mut brand_id = None;
    if let Some(key) = &filters.brand {
        brand_id = brands::resolve(db, key).await?;
        if brand_id.is_none() {
            return Err(FieldErrors::single("brand", INVALID_CHOICE));
        }
    }
    let query = ListQuery {
        filters,
        category_ids: Some(category_ids),
        brand_id,
        visibility,
    };
    list::list(db, &query, page, media).await
}

/// Creates a product from a complete body and returns it as staff see it.
///
/// The product is inserted with no stock; its starting stock is then an `initial` movement, so
/// stock always equals the sum of the product's movements.
pub async fn create(
    db: &Db,
    body: Value,
    actor: i64,
    media: &MediaUrls,
) -> Result<ProductView, ApiError> {
    let changes = ProductChanges::parse(db, body, false).await?;
    let id = write::create(db, &changes).await?;
    if let Some(stock) = changes.stock_quantity {
        inventory::set_level(db, id, stock, inventory::reason::INITIAL, Some(actor)).await?;
    }
    queries::find(db, &ProductKey::Id(id), Visibility::All, media).await
}

/// Applies a PUT (`partial = false`) or PATCH body to the product named by `key`.
pub async fn update(
    db: &Db,
    key: &str,
    body: Value,
    partial: bool,
    actor: i64,
    media: &MediaUrls,
) -> Result<ProductView, ApiError> {
    let id = queries::resolve_id(db, &ProductKey::parse(key)).await?;
    let changes = ProductChanges::parse(db, body, partial).await?;
    write::update(db, id, &changes).await?;
    if let Some(stock) = changes.stock_quantity {
        inventory::set_level(db, id, stock, inventory::reason::PRODUCT_EDIT, Some(actor)).await?;
    }
    queries::find(db, &ProductKey::Id(id), Visibility::All, media).await
}

/// Deletes (or, when ordered before, deactivates) the product named by `key`.
///
/// The image rows cascade with a deleted product; their files are removed once the delete has
/// happened (a deactivated product keeps them).
pub async fn delete(db: &Db, media: &dyn MediaStore, key: &str) -> Result<(), ApiError> {
    let id = queries::resolve_id(db, &ProductKey::parse(key)).await?;
    let image_files = product_images::image_keys_for_products(db, &[id]).await?;
    if write::delete(db, id).await? == write::Removal::Deleted {
        product_images::delete_files(media, &image_files).await;
    }
    Ok(())
}
