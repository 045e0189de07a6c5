//! Product images: staff upload and delete (`products/{id}/images/…`, and the dashboard through
//! the same [`upload`] and [`delete`], plus [`reorder`]), and [`images_for_products`] for the
//! catalog to render a page of products' `images` lists.
//!
//! Files go through the [`crate::media::MediaStore`]; rows live in `product_images`.

mod files;
mod form;
mod handlers;
mod manage;
mod processing;
mod store;
mod views;

use axum::extract::DefaultBodyLimit;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

pub use files::delete_files;
pub use form::{read_fields, ImageUploadForm, MAX_IMAGE_BYTES, UPLOAD_BODY_LIMIT};
pub use manage::{delete, reorder, upload, INVALID_IMAGE};
pub use processing::process_off_thread as process_image;
pub use store::{all_image_rows, image_keys_for_products, images_for_products, ImageRow};
pub use views::ImageView;

/// The image routes under `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::upload_product_image))
        // Only the upload may exceed the global 1 MB body limit; `.layer` here applies to
        // the routes registered above it, not to the delete route below.
        .layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT))
        .routes(routes!(handlers::delete_product_image))
}
