//! `POST products/{id}/images/` and `DELETE products/{id}/images/{image_id}/` (staff).

use axum::{
    extract::{Request, State},
    http::StatusCode,
    Json,
};
use utoipa::ToSchema;

use super::{
    form::{self, MAX_IMAGE_BYTES},
    processing::{self, Processed, Rejection},
    views::{delete_files, ImageRow, ImageView, RowTuple, ROW_COLUMNS},
};
use crate::{
    db::{self, now_micros},
    error::{ApiError, FieldErrors},
    http::{auth::Staff, extract::Path, origin::RequestOrigin},
    media::MediaKey,
    state::AppState,
};

/// Django's `ImageField` message for anything that doesn't decode as an accepted image.
pub const INVALID_IMAGE: &str =
    "Upload a valid image. The file you uploaded was either not an image or a corrupted image.";

/// The upload form, for the OpenAPI document (the handler reads the parts itself).
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "only describes the multipart form in the OpenAPI document"
)]
pub struct ImageUploadForm {
    /// JPEG, PNG, WebP or GIF, at most 5 MB and 10,000 px a side / 40 megapixels; checked by
    /// decoding, whatever the file name or content type says.
    #[schema(value_type = String, format = Binary)]
    image: Vec<u8>,
    /// Up to 255 characters; empty when not given.
    alt_text: Option<String>,
    /// Display order; defaults to after the product's last image.
    #[schema(minimum = 0)]
    position: Option<i64>,
}

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
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM products WHERE id = $1")
        .bind(product_id)
        .fetch_optional(&state.db.pool)
        .await?;
    if exists.is_none() {
        return Err(ApiError::not_found());
    }
    let form = form::read(request).await?;
    debug_assert!(form.image.len() <= MAX_IMAGE_BYTES);
    let processed = processing::process_off_thread(form.image)
        .await?
        .map_err(|rejection| FieldErrors::single("image", rejection_message(&rejection)))?;

    let keys = store(&state, product_id, processed).await?;
    let inserted = insert_row(&state, product_id, &keys, &form.alt_text, form.position).await;
    let row = match inserted {
        Ok(row) => row,
        Err(err) => {
            // No row points at the files: remove them rather than leave orphans.
            delete_files(state.media.as_ref(), &[keys.0, keys.1]).await;
            return Err(if db::is_foreign_key_violation(&err) {
                // The product was deleted while its image was being processed.
                ApiError::not_found()
            } else {
                err.into()
            });
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

/// Writes the image and its thumbnail under fresh random keys; `(image key, thumbnail key)`.
async fn store(
    state: &AppState,
    product_id: i64,
    processed: Processed,
) -> Result<(String, String), ApiError> {
    let Processed { image, thumbnail } = processed;
    let folder = format!("products/{product_id}");
    let key = MediaKey::generate(&folder, image.extension).map_err(anyhow::Error::from)?;
    let thumbnail_key = key
        .with_suffix("-thumb", thumbnail.extension)
        .map_err(anyhow::Error::from)?;
    state
        .media
        .put(key.as_str(), image.bytes, image.content_type)
        .await?;
    if let Err(err) = state
        .media
        .put(
            thumbnail_key.as_str(),
            thumbnail.bytes,
            thumbnail.content_type,
        )
        .await
    {
        delete_files(state.media.as_ref(), &[key.to_string()]).await;
        return Err(err.into());
    }
    Ok((key.to_string(), thumbnail_key.to_string()))
}

/// Inserts the row; without a position the image goes after the product's last one. Two
/// simultaneous uploads may get the same position, which is harmless: ties are ordered by id.
async fn insert_row(
    state: &AppState,
    product_id: i64,
    (path, thumbnail_path): &(String, String),
    alt_text: &str,
    position: Option<i64>,
) -> Result<ImageRow, sqlx::Error> {
    let insert = "INSERT INTO product_images \
                  (product_id, path, thumbnail_path, alt_text, position, created_at)";
    let sql = match position {
        Some(_) => format!("{insert} VALUES ($1, $2, $3, $4, $5, $6) RETURNING {ROW_COLUMNS}"),
        None => format!(
            "{insert} SELECT $1, $2, $3, $4, COALESCE(MAX(position) + 1, 0), $5 \
             FROM product_images WHERE product_id = $1 RETURNING {ROW_COLUMNS}"
        ),
    };
    let mut query = sqlx::query_as::<_, RowTuple>(&sql)
        .bind(product_id)
        .bind(path)
        .bind(thumbnail_path)
        .bind(alt_text);
    if let Some(position) = position {
        query = query.bind(position);
    }
    query
        .bind(now_micros())
        .fetch_one(&state.db.pool)
        .await
        .map(ImageRow::from)
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
    // One statement finds and deletes the row, so two concurrent deletes can't both succeed.
    let deleted: Option<(String, String)> = sqlx::query_as(
        "DELETE FROM product_images WHERE id = $1 AND product_id = $2 \
         RETURNING path, thumbnail_path",
    )
    .bind(image_id)
    .bind(product_id)
    .fetch_optional(&state.db.pool)
    .await?;
    let (path, thumbnail_path) = deleted.ok_or_else(ApiError::not_found)?;
    // Files go after the row: a failure here leaves an unreferenced file, never a row whose
    // file is missing.
    delete_files(state.media.as_ref(), &[path, thumbnail_path]).await;
    Ok(StatusCode::NO_CONTENT)
}
