//! The Django backend's staff router (`admin/`, `admin/products`, `admin/categories`): staff
//! only, reads included. Thin handlers over the same functions the public routes use; products
//! are seen whatever their state. (Trailing slashes are optional everywhere, see `http::aliases`.)

use axum::{extract::State, http::StatusCode, Json};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    categories::{self, CategoryList, CategoryView, CategoryWrite},
    products::{
        self, ProductFilters, ProductKey, ProductListParams, ProductView, ProductWrite, Visibility,
    },
};
use crate::{
    accounts::Staff,
    error::ApiError,
    http::{
        extract::{Path, QueryPairs},
        origin::RequestOrigin,
        pagination::{Page, PageRequest},
    },
    inventory,
    media::MediaUrls,
    state::AppState,
    validation::Draft,
};

/// The staff routes (`admin/...`).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(admin_index))
        .routes(routes!(admin_list_products, admin_create_product))
        .routes(routes!(
            admin_get_product,
            admin_update_product,
            admin_patch_product,
            admin_delete_product
        ))
        .routes(routes!(admin_list_categories, admin_create_category))
        .routes(routes!(
            admin_get_category,
            admin_update_category,
            admin_patch_category,
            admin_delete_category
        ))
}

/// Links to the staff collections.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminIndex {
    pub products: String,
    pub categories: String,
}

/// The staff router's index.
#[utoipa::path(get, path = "/admin/", tag = "catalog", security(("bearer" = ["staff"])),
    responses((status = 200, body = AdminIndex), (status = 401), (status = 403)))]
pub async fn admin_index(_staff: Staff, origin: RequestOrigin) -> Json<AdminIndex> {
    let base = origin.base_url();
    Json(AdminIndex {
        products: format!("{base}/api/v1/admin/products"),
        categories: format!("{base}/api/v1/admin/categories"),
    })
}

/// All products, inactive included, with the public list's filters.
#[utoipa::path(get, path = "/admin/products/", tag = "catalog", params(ProductListParams), security(("bearer" = ["staff"])),
    responses((status = 200, body = Page<ProductView>), (status = 400), (status = 401), (status = 403)))]
pub async fn admin_list_products(
    State(state): State<AppState>,
    _staff: Staff,
    media: MediaUrls,
    page: PageRequest,
    query: QueryPairs,
) -> Result<Json<Page<ProductView>>, ApiError> {
    let filters = ProductFilters::parse(&query)?;
    Ok(Json(
        products::list_page(&state, filters, Visibility::All, &page, &media).await?,
    ))
}

/// Create a product.
#[utoipa::path(post, path = "/admin/products/", tag = "catalog", request_body = ProductWrite, security(("bearer" = ["staff"])),
    responses((status = 201, body = ProductView), (status = 400), (status = 401), (status = 403)))]
pub async fn admin_create_product(
    State(state): State<AppState>,
    Staff(staff): Staff,
    media: MediaUrls,
    body: Draft<ProductWrite>,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            products::create(
                &state.db,
                body,
                staff.id,
                &media,
                inventory::Alerts::of(&state),
            )
            .await?,
        ),
    ))
}

/// One product, active or not.
#[utoipa::path(get, path = "/admin/products/{id}/", tag = "catalog", security(("bearer" = ["staff"])),
    params(("id" = String, Path, description = "product id or slug")),
    responses((status = 200, body = ProductView), (status = 401), (status = 403), (status = 404)))]
pub async fn admin_get_product(
    State(state): State<AppState>,
    _staff: Staff,
    media: MediaUrls,
    Path(id): Path<String>,
) -> Result<Json<ProductView>, ApiError> {
    let key = ProductKey::parse(&id);
    Ok(Json(
        products::find(&state.db, &key, Visibility::All, &media).await?,
    ))
}

/// Replace a product's writable fields.
#[utoipa::path(put, path = "/admin/products/{id}/", tag = "catalog", request_body = ProductWrite,
    params(("id" = String, Path, description = "product id or slug")), security(("bearer" = ["staff"])),
    responses((status = 200, body = ProductView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn admin_update_product(
    State(state): State<AppState>,
    Staff(staff): Staff,
    media: MediaUrls,
    Path(id): Path<String>,
    body: Draft<ProductWrite>,
) -> Result<Json<ProductView>, ApiError> {
    Ok(Json(
        products::update(
            &state.db,
            &id,
            body,
            staff.id,
            &media,
            inventory::Alerts::of(&state),
        )
        .await?,
    ))
}

/// Change some of a product's fields.
#[utoipa::path(patch, path = "/admin/products/{id}/", tag = "catalog", request_body = ProductWrite,
    params(("id" = String, Path, description = "product id or slug")), security(("bearer" = ["staff"])),
    responses((status = 200, body = ProductView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn admin_patch_product(
    State(state): State<AppState>,
    Staff(staff): Staff,
    media: MediaUrls,
    Path(id): Path<String>,
    body: Draft<ProductWrite>,
) -> Result<Json<ProductView>, ApiError> {
    Ok(Json(
        products::update(
            &state.db,
            &id,
            body,
            staff.id,
            &media,
            inventory::Alerts::of(&state),
        )
        .await?,
    ))
}

/// Delete a product (deactivated instead when it appears in orders).
#[utoipa::path(delete, path = "/admin/products/{id}/", tag = "catalog",
    params(("id" = String, Path, description = "product id or slug")), security(("bearer" = ["staff"])),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn admin_delete_product(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    products::delete(&state.db, state.media.as_ref(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Categories by name, or `?tree=true` for the tree.
#[utoipa::path(get, path = "/admin/categories/", tag = "catalog", security(("bearer" = ["staff"])),
    params(("tree" = Option<bool>, Query), ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = CategoryList), (status = 401), (status = 403)))]
pub async fn admin_list_categories(
    State(state): State<AppState>,
    _staff: Staff,
    page: PageRequest,
    query: QueryPairs,
) -> Result<Json<CategoryList>, ApiError> {
    Ok(Json(
        categories::list(&state, &page, query.flag("tree")).await?,
    ))
}

/// Create a category.
#[utoipa::path(post, path = "/admin/categories/", tag = "catalog", request_body = CategoryWrite,
    security(("bearer" = ["staff"])),
    responses((status = 201, body = CategoryView), (status = 400), (status = 401), (status = 403)))]
pub async fn admin_create_category(
    State(state): State<AppState>,
    _staff: Staff,
    body: Draft<CategoryWrite>,
) -> Result<(StatusCode, Json<CategoryView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(categories::create(&state.db, body).await?),
    ))
}

/// One category.
#[utoipa::path(get, path = "/admin/categories/{id}/", tag = "catalog", security(("bearer" = ["staff"])),
    params(("id" = String, Path, description = "category id or slug")),
    responses((status = 200, body = CategoryView), (status = 401), (status = 403), (status = 404)))]
pub async fn admin_get_category(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<Json<CategoryView>, ApiError> {
    Ok(Json(categories::get(&state, &id).await?))
}

/// Replace a category's writable fields.
#[utoipa::path(put, path = "/admin/categories/{id}/", tag = "catalog", request_body = CategoryWrite,
    params(("id" = String, Path, description = "category id or slug")), security(("bearer" = ["staff"])),
    responses((status = 200, body = CategoryView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn admin_update_category(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
    body: Draft<CategoryWrite>,
) -> Result<Json<CategoryView>, ApiError> {
    Ok(Json(categories::update(&state.db, &id, body).await?))
}

/// Change some of a category's fields.
#[utoipa::path(patch, path = "/admin/categories/{id}/", tag = "catalog", request_body = CategoryWrite,
    params(("id" = String, Path, description = "category id or slug")), security(("bearer" = ["staff"])),
    responses((status = 200, body = CategoryView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn admin_patch_category(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
    body: Draft<CategoryWrite>,
) -> Result<Json<CategoryView>, ApiError> {
    Ok(Json(categories::update(&state.db, &id, body).await?))
}

/// Delete a category (`409` while it has products or subcategories).
#[utoipa::path(delete, path = "/admin/categories/{id}/", tag = "catalog",
    params(("id" = String, Path, description = "category id or slug")), security(("bearer" = ["staff"])),
    responses((status = 204), (status = 401), (status = 403), (status = 404), (status = 409)))]
pub async fn admin_delete_category(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    categories::delete(&state.db, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
