//! Every SQL statement on products: one product by id or slug here, the list in [`list`], the
//! staff writes in [`write`]. Rows decode into [`ProductRow`]; the view is built from it.

mod list;
mod write;

pub use list::{list, search_ranks, ListQuery};
pub use write::{delete, insert, update, Removal};

use super::{
    key::{ProductKey, Visibility},
    views::ProductView,
};
use crate::{
    db::{Db, Flag, SqlBuilder},
    error::ApiError,
};

/// The columns every product read selects, with the joins that provide the names.
/// Listed explicitly: PostgreSQL's `search_vector` can't be decoded by the `Any` driver.
pub const PRODUCT_COLUMNS: &str =
    "p.id, p.title, p.slug, p.description, p.price_cents, p.category_id, \
     c.name AS category_name, p.brand_id, b.name AS brand_name, p.stock_quantity, p.is_active, \
     p.is_featured, p.created_at, p.updated_at, p.average_rating, p.reviews_count";

/// The joins that provide [`PRODUCT_COLUMNS`]' names, after a `products p` in the `FROM`
/// (`FROM products p{PRODUCT_NAME_JOINS}`, or a derived table of ids joined to `products p`).
pub const PRODUCT_NAME_JOINS: &str =
    " JOIN categories c ON c.id = p.category_id LEFT JOIN brands b ON b.id = p.brand_id";

/// A product as [`PRODUCT_COLUMNS`] selects it.
#[derive(Debug, sqlx::FromRow)]
pub struct ProductRow {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub description: String,
    pub price_cents: i64,
    pub category_id: i64,
    pub category_name: String,
    pub brand_id: Option<i64>,
    pub brand_name: Option<String>,
    pub stock_quantity: i64,
    pub is_active: Flag,
    pub is_featured: Flag,
    pub created_at: i64,
    pub updated_at: i64,
    pub average_rating: f64,
    pub reviews_count: i64,
}

/// The product named by `key` (without its images); `None` when absent or invisible.
pub async fn find(
    db: &Db,
    key: &ProductKey,
    visibility: Visibility,
) -> Result<Option<ProductView>, ApiError> {
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
    let row = sql
        .query_as::<ProductRow>()
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(ProductView::from))
}

/// The id of the product named by `key`, whatever its state (for staff writes).
pub async fn resolve_id(db: &Db, key: &ProductKey) -> Result<Option<i64>, ApiError> {
    let id: Option<i64> = match key {
        ProductKey::Id(id) => sqlx::query_scalar("SELECT id FROM products WHERE id = $1").bind(*id),
        ProductKey::Slug(slug) => {
            sqlx::query_scalar("SELECT id FROM products WHERE slug = $1").bind(slug.as_str())
        }
    }
    .fetch_optional(&db.pool)
    .await?;
    Ok(id)
}
