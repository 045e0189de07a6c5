//! `POST products/{id}/images/` and `DELETE products/{id}/images/{image_id}/` (staff).

use axum::{
    extract::{Request, State},
    http::StatusCode,
    Json,
};

use super::{
    files::{self, delete_files},
    form::{self, ImageUploadForm, MAX_IMAGE_BYTES},
    processing::{self, Rejection},
    store,
    views::ImageView,
};
use crate::{
    accounts::Staff,
    db::{ResultExt, Violation},
    error::{ApiError, FieldErrors},
    http::{extract::Path, origin::RequestOrigin},
    state::AppState,
};

/// Django's `ImageField` message for anything that doesn't decode as an accepted image.
pub const INVALID_IMAGE: &str =
    "Upload a valid image. The file you uploaded was either not an image or a corrupted image.";

/// Upload an image for a product: it is verified by decoding, stripped of metadata (EXIF),
/// re-encoded (JPEG, or PNG when transparent) and given a 320 px thumbnail.
#[utoipa::path(post, path = "/products/{id}/images/", tag = "catalog",
    params(("id" = i64, Path, description = "Product id")),
    request_body(content = ImageUploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored image", body = ImageView),
        (status = 400, description = "`{\"image\": [\"...\"]}` (no file, not an accepted image, too many pixels) or `alt_text`/`position` errors"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Not staff"),
        (status = 404, description = "No such product"),
        (status = 413, description = "The file (or the request) is over 5 MB"),
        (status = 415, description = "The body is not multipart/form-data"),
    ),
    security(("bearer" = ["staff"])))]
pub async fn upload_product_image(
    _staff: Staff,
    State(state): State<AppState>,
    Path(product_id): Path<i64>,
    origin: RequestOrigin,
    request: Request,
) -> Result<(StatusCode, Json<ImageView>), ApiError> {
    // The product is checked before the body is read: an unknown product is a 404 whatever
    // was uploaded, and no work is spent decoding for it.
    if !store::product_exists(&state.db, product_id).await? {
        return Err(ApiError::not_found());
    }
    let form = form::read(request).await?;
    debug_assert!(form.image.len() <= MAX_IMAGE_BYTES);
    let ImageUploadForm {
        image,
        alt_text,
        position,
    } = form;
    let processed = processing::process_off_thread(image)
        .await?
        .map_err(|rejection| FieldErrors::single("image", rejection_message(&rejection)))?;

    let saved = files::save(state.media.as_ref(), product_id, processed).await?;
    let inserted = store::insert(&state.db, product_id, &saved, &alt_text, position)
        .await
        // The product was deleted while its image was being processed.
        .on_constraint(|violation| (violation == Violation::ForeignKey).then(ApiError::not_found));
    let row = match inserted {
        Ok(row) => row,
        Err(err) => {
            // No row points at the files: remove them rather than leave orphans.
            delete_files(state.media.as_ref(), &[saved.path, saved.thumbnail_path]).await;
            return Err(err);
        }
    };
    let view = row.into_view(state.media.as_ref(), &origin.base_url());
    Ok((StatusCode::CREATED, Json(view)))
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

/// Delete a product image and its files.
#[utoipa::path(delete, path = "/products/{id}/images/{image_id}/", tag = "catalog",
    params(
        ("id" = i64, Path, description = "Product id"),
        ("image_id" = i64, Path, description = "Image id (of that product)"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not authenticated"),
        (status = 403, description = "Not staff"),
        (status = 404, description = "No such image for this product"),
    ),
    security(("bearer" = ["staff"])))]
pub async fn delete_product_image(
    _staff: Staff,
    State(state): State<AppState>,
    Path((product_id, image_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let deleted = store::delete(&state.db, product_id, image_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // Files go after the row: a failure here leaves an unreferenced file, never a row whose
    // file is missing.
    delete_files(
        state.media.as_ref(),
        &[deleted.path, deleted.thumbnail_path],
    )
    .await;
    Ok(StatusCode::NO_CONTENT)
}
