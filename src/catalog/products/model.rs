//! The product as the API shows it (SPEC §3.2), and how it is read from a row.

use crate::product_images::ImageView;
use serde::{Serialize, Serializer};
use sqlx::{any::AnyRow, Row};
use utoipa::ToSchema;

use crate::{
    db::{types::format_micros, Flag},
    money::Money,
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

/// A product in every response that shows one.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProductView {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub description: String,
    pub price: Money,
    /// The category's id.
    pub category: i64,
    pub category_name: String,
    /// The brand's id, or null.
    pub brand: Option<i64>,
    pub brand_name: Option<String>,
    /// The first image's URL, or null.
    pub image: Option<String>,
    pub images: Vec<ImageView>,
    pub stock_quantity: i64,
    pub is_active: bool,
    pub is_featured: bool,
    #[schema(example = "2025-08-07T12:00:00.000000Z")]
    pub created_at: String,
    pub updated_at: String,
    pub average_rating: Rating,
    pub reviews_count: i64,
}

/// An average rating: a number rounded to two places, and the integer `0` when there are no
/// reviews (as the Django backend answers).
#[derive(Debug, Clone, Copy, PartialEq, ToSchema)]
#[schema(value_type = f64, example = 4.33)]
pub struct Rating(pub f64);

impl Serialize for Rating {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let rounded = (self.0 * 100.0).round() / 100.0;
        if rounded == 0.0 {
            serializer.serialize_i64(0)
        } else {
            serializer.serialize_f64(rounded)
        }
    }
}

impl ProductView {
    /// Reads a row selected with [`PRODUCT_COLUMNS`]; images are attached afterwards.
    pub fn from_row(row: &AnyRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            slug: row.try_get("slug")?,
            description: row.try_get("description")?,
            price: Money::from_cents(row.try_get("price_cents")?),
            category: row.try_get("category_id")?,
            category_name: row.try_get("category_name")?,
            brand: row.try_get("brand_id")?,
            brand_name: row.try_get("brand_name")?,
            image: None,
            images: Vec::new(),
            stock_quantity: row.try_get("stock_quantity")?,
            is_active: row.try_get::<Flag, _>("is_active")?.into(),
            is_featured: row.try_get::<Flag, _>("is_featured")?.into(),
            created_at: format_micros(row.try_get("created_at")?),
            updated_at: format_micros(row.try_get("updated_at")?),
            average_rating: Rating(row.try_get("average_rating")?),
            reviews_count: row.try_get("reviews_count")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_round_to_two_places_and_none_is_integer_zero() {
        assert_eq!(serde_json::to_string(&Rating(0.0)).unwrap(), "0");
        assert_eq!(serde_json::to_string(&Rating(3.666_666)).unwrap(), "3.67");
        assert_eq!(serde_json::to_string(&Rating(4.0)).unwrap(), "4.0");
    }
}
