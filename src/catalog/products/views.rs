//! The product as the API shows it (SPEC §3.2), and how it is built from a stored row.

use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use super::store::ProductRow;
use crate::{db::types::format_micros, money::Money, product_images::ImageView};

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

impl From<ProductRow> for ProductView {
    /// The product without its images, which are attached afterwards for a whole page at once.
    fn from(row: ProductRow) -> Self {
        Self {
            id: row.id,
            title: row.title,
            slug: row.slug,
            description: row.description,
            price: Money::from_cents(row.price_cents),
            category: row.category_id,
            category_name: row.category_name,
            brand: row.brand_id,
            brand_name: row.brand_name,
            image: None,
            images: Vec::new(),
            stock_quantity: row.stock_quantity,
            is_active: row.is_active.into(),
            is_featured: row.is_featured.into(),
            created_at: format_micros(row.created_at),
            updated_at: format_micros(row.updated_at),
            average_rating: Rating(row.average_rating),
            reviews_count: row.reviews_count,
        }
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
