//! Reading products: one product by id or slug, and images for a whole page in one query.

use crate::media::MediaUrls;
use sqlx::any::AnyRow;

use super::model::{ProductView, PRODUCT_COLUMNS, PRODUCT_NAME_JOINS};
use crate::{db::Db, db::SqlBuilder, error::ApiError, product_images};

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
    media: &MediaUrls,
) -> Result<ProductView, ApiError> {
    let mut sql = SqlBuilder::new(&format!(
        "SELECT {PRODUCT_COLUMNS} FROM products p{PRODUCT_NAME_JOINS} WHERE "
    ));
    match key {
        ProductKey::Id(id) => sql.push("p.id = ").push_bind(*id),
        ProductKey::Slug(slug) => sql.push("p.slug = ").push_bind(slug.as_str()),
    };
    if visibility == Visibility::ActiveOnly {
        sql.push(" AND p.is_active = TRUE");
    }
    let rows = sql.fetch_all(&db.pool).await?;
    let mut products = views(&rows)?;
    attach_images(db, &mut products, media).await?;
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
    }
}
