//! The product as the API shows it (SPEC §3.2), and how it is built from a stored row.

use serde::Serialize;
use utoipa::ToSchema;

use super::store::ProductRow;
use crate::{db::types::format_micros, money::Money, product_images::ImageView, reviews::Rating};

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
