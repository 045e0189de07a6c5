//! The image object of the API: `{id, url, thumbnail_url, alt_text, position}`.

use serde::Serialize;
use utoipa::ToSchema;

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
