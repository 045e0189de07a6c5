//! Every SQL statement of product images: the rows of a page of products, the files behind
//! them, and a staff upload's insert and delete.

use std::collections::HashMap;

use sqlx::AnyConnection;

use crate::{
    db::{now_micros, Db, SqlBuilder},
    media::{absolute_url, MediaStore},
};

use super::views::ImageView;

/// The columns [`ImageRow`] reads.
const ROW_COLUMNS: &str = "id, product_id, path, thumbnail_path, alt_text, position";

/// Ids per statement: well under SQLite's bound-parameter limit, far above a page (≤ 100).
const IDS_PER_QUERY: usize = 1000;

/// A `product_images` row as stored.
#[derive(Debug, sqlx::FromRow)]
pub struct ImageRow {
    pub id: i64,
    pub product_id: i64,
    pub path: String,
    pub thumbnail_path: String,
    pub alt_text: String,
    pub position: i64,
}

impl ImageRow {
    /// The API object, with URLs made absolute against `origin_base_url` when the store gives paths.
    pub fn view(&self, media: &dyn MediaStore, origin_base_url: &str) -> ImageView {
        ImageView {
            id: self.id,
            url: absolute_url(origin_base_url, media.url(&self.path)),
            thumbnail_url: absolute_url(origin_base_url, media.url(&self.thumbnail_path)),
            alt_text: self.alt_text.clone(),
            position: self.position,
        }
    }
}

/// The two stored files of an image.
#[derive(Debug, sqlx::FromRow)]
pub struct ImageFiles {
    pub path: String,
    pub thumbnail_path: String,
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
        let mut sql = SqlBuilder::new(&format!(
            "SELECT {ROW_COLUMNS} FROM product_images WHERE product_id IN ("
        ));
        sql.push_list(ids.iter().copied())
            .push(") ORDER BY product_id, position, id");
        for row in sql.query_as::<ImageRow>().fetch_all(&db.pool).await? {
            images
                .entry(row.product_id)
                .or_default()
                .push(row.view(media, origin_base_url));
        }
    }
    Ok(images)
}

/// Every image row, by product, position and id: what the product index holds
/// (`catalog::products::index`), read inside its snapshot's transaction.
pub async fn all_image_rows(conn: &mut AnyConnection) -> Result<Vec<ImageRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ROW_COLUMNS} FROM product_images ORDER BY product_id, position, id"
    ))
    .fetch_all(conn)
    .await
}

/// The stored files (images and thumbnails) of these products' images.
///
/// Deleting a product cascades to its image rows but can't reach the files: read the keys with
/// this *before* deleting, then pass them to `delete_files` once the delete has committed.
pub async fn image_keys_for_products(
    db: &Db,
    product_ids: &[i64],
) -> Result<Vec<String>, sqlx::Error> {
    let mut keys = Vec::new();
    for ids in product_ids.chunks(IDS_PER_QUERY) {
        let mut sql = SqlBuilder::new(
            "SELECT path, thumbnail_path FROM product_images WHERE product_id IN (",
        );
        sql.push_list(ids.iter().copied()).push(")");
        for files in sql.query_as::<ImageFiles>().fetch_all(&db.pool).await? {
            keys.push(files.path);
            keys.push(files.thumbnail_path);
        }
    }
    Ok(keys)
}

/// Whether a product with this id exists.
pub async fn product_exists(db: &Db, product_id: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(found.is_some())
}

/// Inserts an image's row; without a position the image goes after the product's last one. Two
/// simultaneous uploads may get the same position, which is harmless: ties are ordered by id.
pub async fn insert(
    db: &Db,
    product_id: i64,
    files: &ImageFiles,
    alt_text: &str,
    position: Option<i64>,
) -> Result<ImageRow, sqlx::Error> {
    let insert = "INSERT INTO product_images \
                  (product_id, path, thumbnail_path, alt_text, position, created_at)";
    let sql = match position {
        Some(_) => format!("{insert} VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ROW_COLUMNS}"),
        None => format!(
            "{insert} SELECT $1, $2, $3, $4, COALESCE(MAX(position) + 1, 0), $5 \
             FROM product_images WHERE product_id = $1 RETURNING {ROW_COLUMNS}"
        ),
    };
    let mut query = sqlx::query_as::<_, ImageRow>(&sql)
        .bind(product_id)
        .bind(files.path.as_str())
        .bind(files.thumbnail_path.as_str())
        .bind(alt_text);
    if let Some(position) = position {
        query = query.bind(position);
    }
    query.bind(now_micros()).fetch_one(&db.pool).await
}

/// Deletes a product's image row in one statement (so two concurrent deletes can't both
/// succeed) and returns its files; `None` when the product has no such image.
pub async fn delete(
    db: &Db,
    product_id: i64,
    image_id: i64,
) -> Result<Option<ImageFiles>, sqlx::Error> {
    sqlx::query_as(
        "DELETE FROM product_images WHERE id = $1 AND product_id = $2 \
         RETURNING path, thumbnail_path",
    )
    .bind(image_id)
    .bind(product_id)
    .fetch_optional(&db.pool)
    .await
}

/// Gives product `product_id`'s images the positions 0, 1, 2, … in the order of `image_ids`, in
/// one transaction; `false` (and nothing changed) unless the list names each of its images once.
pub async fn set_positions(
    db: &Db,
    product_id: i64,
    image_ids: &[i64],
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let mut current: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM product_images WHERE product_id = $1")
            .bind(product_id)
            .fetch_all(&mut *tx)
            .await?;
    let mut asked = image_ids.to_vec();
    current.sort_unstable();
    asked.sort_unstable();
    if current != asked {
        return Ok(false);
    }
    for (position, id) in image_ids.iter().enumerate() {
        sqlx::query("UPDATE product_images SET position = $1 WHERE id = $2 AND product_id = $3")
            .bind(position as i64)
            .bind(*id)
            .bind(product_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
}
