//! A product's images as staff manage them, for the API's handlers and the dashboard alike:
//! upload (decode, re-encode, store, insert), delete, and a new order.

use super::{
    files::{self, delete_files},
    form::{ImageUploadForm, MAX_IMAGE_BYTES},
    processing::{self, Rejection},
    store,
    views::ImageView,
};
use crate::{
    db::{Db, ResultExt, Violation},
    error::{ApiError, FieldErrors},
    media::MediaStore,
};

/// Django's `ImageField` message for anything that doesn't decode as an accepted image.
pub const INVALID_IMAGE: &str =
    "Upload a valid image. The file you uploaded was either not an image or a corrupted image.";

/// Stores `form`'s image (verified by decoding, stripped of metadata, re-encoded, with a
/// thumbnail) as product `product_id`'s; a file that isn't an accepted image is a `400` under
/// `image`, a product deleted meanwhile a `404`. URLs are made absolute against `origin`.
pub async fn upload(
    db: &Db,
    media: &dyn MediaStore,
    origin: &str,
    product_id: i64,
    form: ImageUploadForm,
) -> Result<ImageView, ApiError> {
    debug_assert!(form.image.len() <= MAX_IMAGE_BYTES);
    let ImageUploadForm {
        image,
        alt_text,
        position,
    } = form;
    let processed = processing::process_off_thread(image)
        .await?
        .map_err(|rejection| FieldErrors::single("image", rejection_message(&rejection)))?;

    let saved = files::save(media, product_id, processed).await?;
    let inserted = store::insert(db, product_id, &saved, &alt_text, position)
        .await
        // The product was deleted while its image was being processed.
        .on_constraint(|violation| (violation == Violation::ForeignKey).then(ApiError::not_found));
    let row = match inserted {
        Ok(row) => row,
        Err(err) => {
            // No row points at the files: remove them rather than leave orphans.
            delete_files(media, &[saved.path, saved.thumbnail_path]).await;
            return Err(err);
        }
    };
    Ok(row.view(media, origin))
}

fn rejection_message(rejection: &Rejection) -> String {
    match rejection {
        Rejection::NotAnImage => INVALID_IMAGE.to_owned(),
        Rejection::TooLarge { width, height } => format!(
            "Image dimensions {width}×{height} are too large: at most {} pixels a side and {} megapixels.",
            processing::MAX_SIDE,
            processing::MAX_PIXELS / 1_000_000
        ),
    }
}

/// Deletes image `image_id` of product `product_id` and then its files; `404` when the product
/// has no such image.
pub async fn delete(
    db: &Db,
    media: &dyn MediaStore,
    product_id: i64,
    image_id: i64,
) -> Result<(), ApiError> {
    let deleted = store::delete(db, product_id, image_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // Files go after the row: a failure here leaves an unreferenced file, never a row whose
    // file is missing.
    delete_files(media, &[deleted.path, deleted.thumbnail_path]).await;
    Ok(())
}

/// Puts product `product_id`'s images in the order of `image_ids` (positions 0, 1, 2, …). The
/// list must name each of the product's images once: one uploaded or deleted since the list was
/// shown makes it a `400`, and nothing moves.
pub async fn reorder(db: &Db, product_id: i64, image_ids: &[i64]) -> Result<(), ApiError> {
    if store::set_positions(db, product_id, image_ids).await? {
        Ok(())
    } else {
        Err(FieldErrors::single(
            "image",
            "The images have changed since this page was shown: reload it and try again.",
        ))
    }
}
