//! `POST products/{id}/images/` and `DELETE products/{id}/images/{image_id}/` (staff).

use axum::{
    extract::{Request, State},
    http::StatusCode,
    Json,
};

use super::{
    form::{self, ImageUploadForm},
    manage, store,
    views::ImageView,
};
use crate::{
    accounts::Staff,
    error::ApiError,
    http::{extract::Path, origin::RequestOrigin},
    state::AppState,
};

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
    let view = manage::upload(
        &state.db,
        state.media.as_ref(),
        &origin.base_url(),
        product_id,
        form,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view)))
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
    manage::delete(&state.db, state.media.as_ref(), product_id, image_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
