//! Reading products: one product by id or slug, and images for a whole page in one query.

use std::collections::HashMap;

use sqlx::{any::AnyRow, Row};

use super::model::{ImageView, ProductView, PRODUCT_COLUMNS, PRODUCT_FROM};
use crate::{catalog::sql::SqlBuilder, db::Db, error::ApiError};

/// How a product is named in a path: `products/42/` or `products/red-lamp/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductKey {
    Id(i64),
    Slug(String),
}

impl ProductKey {
    /// Digits are an id; anything else is a slug.
    pub fn parse(raw: &str) -> Self {
        raw.parse()
            .map(Self::Id)
            .unwrap_or_else(|_| Self::Slug(raw.to_owned()))
    }
}

/// Who is looking: staff see inactive products, everyone else does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    ActiveOnly,
    All,
}

impl Visibility {
    pub fn for_staff(is_staff: bool) -> Self {
        if is_staff {
            Self::All
        } else {
            Self::ActiveOnly
        }
    }
}

/// The product named by `key`, with its images; `404` when absent or invisible to the caller.
pub async fn find(
    db: &Db,
    key: &ProductKey,
    visibility: Visibility,
    media_base: &str,
) -> Result<ProductView, ApiError> {
    let mut sql = SqlBuilder::new(&format!("SELECT {PRODUCT_COLUMNS}{PRODUCT_FROM} WHERE "));
    match key {
        ProductKey::Id(id) => sql.push("p.id = ").push_bind(*id),
        ProductKey::Slug(slug) => sql.push("p.slug = ").push_bind(slug.as_str()),
    };
    if visibility == Visibility::ActiveOnly {
        sql.push(" AND p.is_active = TRUE");
    }
    let rows = sql.fetch_all(&db.pool).await?;
    let mut products = views(&rows)?;
    attach_images(db, &mut products, media_base).await?;
    products.pop().ok_or_else(ApiError::not_found)
}

/// The id of the product named by `key`, whatever its state (for staff writes).
pub async fn resolve_id(db: &Db, key: &ProductKey) -> Result<i64, ApiError> {
    let id: Option<i64> = match key {
        ProductKey::Id(id) => sqlx::query_scalar("SELECT id FROM products WHERE id = $1").bind(*id),
        ProductKey::Slug(slug) => {
            sqlx::query_scalar("SELECT id FROM products WHERE slug = $1").bind(slug.as_str())
        }
    }
    .fetch_optional(&db.pool)
    .await?;
    id.ok_or_else(ApiError::not_found)
}

/// Rows selected with `PRODUCT_COLUMNS` as views.
pub fn views(rows: &[AnyRow]) -> Result<Vec<ProductView>, ApiError> {
    Ok(rows
        .iter()
        .map(ProductView::from_row)
        .collect::<Result<_, _>>()?)
}

/// Fills `images` and `image` for every product with one query, whatever the page size.
pub async fn attach_images(
    db: &Db,
    products: &mut [ProductView],
    media_base: &str,
) -> Result<(), ApiError> {
    if products.is_empty() {
        return Ok(());
    }
    let mut sql =
        SqlBuilder::new("SELECT id, product_id, path, thumbnail_path, alt_text, position FROM product_images WHERE product_id IN (");
    for (n, product) in products.iter().enumerate() {
        if n > 0 {
            sql.push(", ");
        }
        sql.push_bind(product.id);
    }
    sql.push(") ORDER BY product_id, position, id");
    let mut by_product: HashMap<i64, Vec<ImageView>> = HashMap::new();
    for row in sql.fetch_all(&db.pool).await? {
        let path: String = row.try_get("path")?;
        let thumbnail: String = row.try_get("thumbnail_path")?;
        by_product
            .entry(row.try_get("product_id")?)
            .or_default()
            .push(ImageView {
                id: row.try_get("id")?,
                url: media_url(media_base, &path),
                thumbnail_url: media_url(media_base, &thumbnail),
                alt_text: row.try_get("alt_text")?,
                position: row.try_get("position")?,
            });
    }
    for product in products {
        product.images = by_product.remove(&product.id).unwrap_or_default();
        product.image = product.images.first().map(|image| image.url.clone());
    }
    Ok(())
}

/// The absolute URL of a stored media file (`http://host/media/products/1/a.jpg`).
fn media_url(media_base: &str, path: &str) -> String {
    format!(
        "{}/media/{}",
        media_base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_name_an_id_and_anything_else_a_slug() {
        assert_eq!(ProductKey::parse("42"), ProductKey::Id(42));
        assert_eq!(
            ProductKey::parse("red-lamp"),
            ProductKey::Slug("red-lamp".into())
        );
        assert_eq!(
            media_url("http://shop", "/products/a.jpg"),
            "http://shop/media/products/a.jpg"
        );
    }
}
