//! Brand routes (`brands/...`): anyone reads, staff write.

use axum::{extract::State, http::StatusCode, Json};

use super::{request::BrandWrite, service, views::BrandView};
use crate::{
    accounts::{MaybeUser, Staff},
    error::ApiError,
    http::{
        extract::Path,
        pagination::{Page, PageRequest},
    },
    state::AppState,
    validation::Draft,
};

/// List brands by name.
#[utoipa::path(get, path = "/brands/", tag = "catalog", security((), ("bearer" = [])),
    params(("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<BrandView>), (status = 404, description = "Invalid page.")))]
pub async fn list_brands(
    State(state): State<AppState>,
    _user: MaybeUser,
    page: PageRequest,
) -> Result<Json<Page<BrandView>>, ApiError> {
    Ok(Json(service::list(&state.db, &page).await?))
}

/// Create a brand (staff).
#[utoipa::path(post, path = "/brands/", tag = "catalog", request_body = BrandWrite, security(("bearer" = ["staff"])),
    responses((status = 201, body = BrandView), (status = 400), (status = 401), (status = 403)))]
pub async fn create_brand(
    State(state): State<AppState>,
    _staff: Staff,
    body: Draft<BrandWrite>,
) -> Result<(StatusCode, Json<BrandView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&state.db, body).await?),
    ))
}

/// One brand by id or slug.
#[utoipa::path(get, path = "/brands/{key}/", tag = "catalog", security((), ("bearer" = [])),
    params(("key" = String, Path, description = "brand id or slug")),
    responses((status = 200, body = BrandView), (status = 404)))]
pub async fn get_brand(
    State(state): State<AppState>,
    _user: MaybeUser,
    Path(key): Path<String>,
) -> Result<Json<BrandView>, ApiError> {
    Ok(Json(service::get(&state.db, &key).await?))
}

/// Replace a brand's writable fields (staff).
#[utoipa::path(put, path = "/brands/{key}/", tag = "catalog", request_body = BrandWrite,
    params(("key" = String, Path, description = "brand id or slug")), security(("bearer" = ["staff"])),
    responses((status = 200, body = BrandView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn update_brand(
    State(state): State<AppState>,
    _staff: Staff,
    Path(key): Path<String>,
    body: Draft<BrandWrite>,
) -> Result<Json<BrandView>, ApiError> {
    Ok(Json(service::update(&state.db, &key, body).await?))
}

/// Change some of a brand's fields (staff).
#[utoipa::path(patch, path = "/brands/{key}/", tag = "catalog", request_body = BrandWrite,
    params(("key" = String, Path, description = "brand id or slug")), security(("bearer" = ["staff"])),
    responses((status = 200, body = BrandView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn patch_brand(
    State(state): State<AppState>,
    _staff: Staff,
    Path(key): Path<String>,
    body: Draft<BrandWrite>,
) -> Result<Json<BrandView>, ApiError> {
    Ok(Json(service::update(&state.db, &key, body).await?))
}

/// Delete a brand (staff); its products stay, without a brand.
#[utoipa::path(delete, path = "/brands/{key}/", tag = "catalog",
    params(("key" = String, Path, description = "brand id or slug")), security(("bearer" = ["staff"])),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_brand(
    State(state): State<AppState>,
    _staff: Staff,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    service::delete(&state.db, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}
