//! The image object of the API (`{id, url, thumbnail_url, alt_text, position}`) and the queries
//! other features use: images for a page of products, and the files behind a product's images.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    db::Db,
    media::{absolute_url, MediaStore},
};

/// One product image as clients see it; URLs are absolute, as DRF renders an `ImageField`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImageView {
    pub id: i64,
    /// The full-size image (metadata stripped; JPEG, or PNG when it has transparency).
    #[schema(
        example = "http://127.0.0.1:8000/media/products/12/3f2a9c0e5b7d4e1f8a6b2c4d9e0f1a2b.jpg"
    )]
    pub url: String,
    /// At most 320 × 320 pixels, same format as `url`.
    pub thumbnail_url: String,
    pub alt_text: String,
    /// Display order within the product (ascending; ties by id).
    pub position: i64,
}

/// The columns of a `product_images` row, in [`ROW_COLUMNS`] order (no sqlx derive in this
/// build, so rows are read as tuples).
pub(crate) type RowTuple = (i64, i64, String, String, String, i64);

/// The columns [`RowTuple`] reads.
pub(crate) const ROW_COLUMNS: &str = "id, product_id, path, thumbnail_path, alt_text, position";

/// A `product_images` row as stored.
#[derive(Debug)]
pub(crate) struct ImageRow {
    pub id: i64,
    pub product_id: i64,
    pub path: String,
    pub thumbnail_path: String,
    pub alt_text: String,
    pub position: i64,
}

impl From<RowTuple> for ImageRow {
    fn from((id, product_id, path, thumbnail_path, alt_text, position): RowTuple) -> Self {
        Self {
            id,
            product_id,
            path,
            thumbnail_path,
            alt_text,
            position,
        }
    }
}

impl ImageRow {
    /// The API object, with URLs made absolute against `origin_base_url` when the store gives paths.
    pub fn into_view(self, media: &dyn MediaStore, origin_base_url: &str) -> ImageView {
        ImageView {
            id: self.id,
            url: absolute_url(origin_base_url, media.url(&self.path)),
            thumbnail_url: absolute_url(origin_base_url, media.url(&self.thumbnail_path)),
            alt_text: self.alt_text,
            position: self.position,
        }
    }
}

/// Ids per statement: well under SQLite's bound-parameter limit, far above a page (≤ 100).
const IDS_PER_QUERY: usize = 1000;

/// `$1, $2, …, $n`.
fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The images of each product in `product_ids`, ordered by position then id, in one query per
/// thousand ids (so one for any page). Every requested id has an entry, empty when it has no
/// images. `origin_base_url` is `scheme://host` of the request (`RequestOrigin::base_url`).
pub async fn images_for_products(
    db: &Db,
    media: &dyn MediaStore,
    origin_base_url: &str,
    product_ids: &[i64],
) -> Result<HashMap<i64, Vec<ImageView>>, sqlx::Error> {
    let mut images: HashMap<i64, Vec<ImageView>> =
        product_ids.iter().map(|&id| (id, Vec::new())).collect();
    for ids in product_ids.chunks(IDS_PER_QUERY) {
        let sql = format!(
            "SELECT {ROW_COLUMNS} FROM product_images \
             WHERE product_id IN ({}) ORDER BY product_id, position, id",
            placeholders(ids.len())
        );
        let mut query = sqlx::query_as::<_, RowTuple>(&sql);
        for id in ids {
            query = query.bind(id);
        }
        for row in query.fetch_all(&db.pool).await? {
            let row = ImageRow::from(row);
            let product_id = row.product_id;
            images
                .entry(product_id)
                .or_default()
                .push(row.into_view(media, origin_base_url));
        }
    }
    Ok(images)
}

/// The stored files (images and thumbnails) of these products' images.
///
/// Deleting a product cascades to its image rows but can't reach the files: read the keys with
/// this *before* deleting, then pass them to [`delete_files`] once the delete has committed.
pub async fn image_keys_for_products(
    db: &Db,
    product_ids: &[i64],
) -> Result<Vec<String>, sqlx::Error> {
    let mut keys = Vec::new();
    for ids in product_ids.chunks(IDS_PER_QUERY) {
        let sql = format!(
            "SELECT path, thumbnail_path FROM product_images WHERE product_id IN ({})",
            placeholders(ids.len())
        );
        let mut query = sqlx::query_as::<_, (String, String)>(&sql);
        for id in ids {
            query = query.bind(id);
        }
        for (path, thumbnail_path) in query.fetch_all(&db.pool).await? {
            keys.push(path);
            keys.push(thumbnail_path);
        }
    }
    Ok(keys)
}

/// Deletes stored files, logging (not returning) failures: the rows are already gone, and a
/// leftover file costs disk space, not correctness.
pub async fn delete_files(media: &dyn MediaStore, keys: &[String]) {
    for key in keys {
        if let Err(err) = media.delete(key).await {
            tracing::warn!(error = ?err, %key, "could not delete a media file; it is left behind");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_from_one() {
        assert_eq!(placeholders(3), "$1, $2, $3");
        assert_eq!(placeholders(1), "$1");
    }
}
