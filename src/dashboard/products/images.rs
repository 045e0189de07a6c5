//! A product's images: upload (`multipart/form-data`, its CSRF token the first part, checked
//! before any of the file is read), a new order, delete; through `product_images`' own upload,
//! reorder and delete, with the API's checks, limits and messages.

use axum::{
    extract::{FromRequest, Multipart, Request, State},
    http::StatusCode,
    response::Response,
};

use super::{edit, see_other};
use crate::{
    catalog::products::{self, ProductKey, Visibility},
    dashboard::{
        extract::{Path, StaffForm},
        pages,
        session::{self, StaffSession},
    },
    error::{ApiError, FieldErrors},
    media::MediaUrls,
    product_images,
    state::AppState,
};

/// `POST /dashboard/products/{id}/images/`: stores the image after the product.
pub async fn upload(
    State(state): State<AppState>,
    session: StaffSession,
    media: MediaUrls,
    Path(id): Path<i64>,
    request: Request,
) -> Response {
    let Ok(mut multipart) = Multipart::from_request(request, &state).await else {
        return bad_form();
    };
    // The token must come first, so a forged form costs no read of its file.
    let token = match multipart.next_field().await {
        Ok(Some(field)) if field.name() == Some("csrf_token") => {
            field.text().await.unwrap_or_default()
        }
        _ => String::new(),
    };
    if !session.csrf_matches(&token) {
        return session::forged();
    }
    // An unknown product is the 404 page before any of the file is read, as in the API.
    let found = products::find(&state.db, &ProductKey::Id(id), Visibility::All, &media).await;
    if let Err(error) = found {
        return pages::error(&session, error);
    }
    let uploaded = match product_images::read_fields(&mut multipart).await {
        Ok(form) => {
            let store = state.media.as_ref();
            product_images::upload(&state.db, store, &media.origin, id, form).await
        }
        Err(error) => Err(error),
    };
    match uploaded {
        Ok(_) => see_other(&format!("/dashboard/products/{id}/?uploaded=1")),
        Err(ApiError::Validation(errors)) => {
            show_errors(
                &state,
                &session,
                &media,
                id,
                StatusCode::BAD_REQUEST,
                errors,
            )
            .await
        }
        // Over 5 MB: the API's `413` and its message, beside the upload form.
        Err(ApiError::Client { status, detail, .. }) if status != StatusCode::NOT_FOUND => {
            let mut errors = FieldErrors::new();
            errors.add("image", detail);
            show_errors(&state, &session, &media, id, status, errors).await
        }
        Err(error) => pages::error(&session, error),
    }
}

/// `POST /dashboard/products/{id}/images/order/`: the `image` fields are the product's image ids
/// in their new order (the page's move buttons each post the order they make).
pub async fn reorder(
    State(state): State<AppState>,
    media: MediaUrls,
    Path(id): Path<i64>,
    StaffForm { session, fields }: StaffForm,
) -> Response {
    let ids: Result<Vec<i64>, _> = fields.all("image").map(str::parse).collect();
    let Ok(ids) = ids else {
        return bad_form();
    };
    if let Err(error) =
        products::find(&state.db, &ProductKey::Id(id), Visibility::All, &media).await
    {
        return pages::error(&session, error);
    }
    match product_images::reorder(&state.db, id, &ids).await {
        Ok(()) => see_other(&format!("/dashboard/products/{id}/?reordered=1")),
        Err(ApiError::Validation(errors)) => {
            show_errors(
                &state,
                &session,
                &media,
                id,
                StatusCode::BAD_REQUEST,
                errors,
            )
            .await
        }
        Err(error) => pages::error(&session, error),
    }
}

/// `POST /dashboard/products/{id}/images/{image_id}/delete/`: deletes the image and its files.
pub async fn delete(
    State(state): State<AppState>,
    Path((id, image_id)): Path<(i64, i64)>,
    StaffForm { session, .. }: StaffForm,
) -> Response {
    match product_images::delete(&state.db, state.media.as_ref(), id, image_id).await {
        Ok(()) => see_other(&format!("/dashboard/products/{id}/?image_deleted=1")),
        Err(error) => pages::error(&session, error),
    }
}

/// The product's page again with the images section's errors.
async fn show_errors(
    state: &AppState,
    session: &StaffSession,
    media: &MediaUrls,
    id: i64,
    status: StatusCode,
    image_errors: FieldErrors,
) -> Response {
    let shown = edit::Shown {
        image_errors,
        ..edit::Shown::default()
    };
    edit::render(state, session, media, id, status, shown).await
}

/// A form the server could not read.
fn bad_form() -> Response {
    pages::message(
        StatusCode::BAD_REQUEST,
        "Bad form",
        "The form could not be read.",
    )
}
