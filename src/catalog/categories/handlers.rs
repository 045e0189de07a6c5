//! Public category routes (`categories/...`): anyone reads, staff write.

use axum::{extract::State, http::StatusCode, Json};

use super::{
    request::CategoryWrite,
    service,
    views::{CategoryList, CategoryView},
};
use crate::{
    accounts::{MaybeUser, Staff},
    catalog::products::{self, ProductFilters, ProductListParams, ProductView, Visibility},
    error::ApiError,
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    media::MediaUrls,
    state::AppState,
    track::Captured,
    validation::Draft,
};

/// List categories by name, or `?tree=true` for the nested tree (a bare list of roots).
#[utoipa::path(get, path = "/categories/", tag = "catalog", security((), ("bearer" = [])),
    params(("tree" = Option<bool>, Query, description = "`true`: nested tree instead of a page"),
        ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = CategoryList), (status = 404, description = "Invalid page.")))]
pub async fn list_categories(
    State(state): State<AppState>,
    _user: MaybeUser,
    page: PageRequest,
    query: QueryPairs,
) -> Result<Json<CategoryList>, ApiError> {
    Ok(Json(
        service::list(&state, &page, query.flag("tree")).await?,
    ))
}

/// Create a category (staff).
#[utoipa::path(post, path = "/categories/", tag = "catalog", request_body = CategoryWrite,
    security(("bearer" = ["staff"])),
    responses((status = 201, body = CategoryView), (status = 400), (status = 401), (status = 403)))]
pub async fn create_category(
    State(state): State<AppState>,
    _staff: Staff,
    body: Draft<CategoryWrite>,
) -> Result<(StatusCode, Json<CategoryView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::create(&state.db, body).await?),
    ))
}

/// One category by id or slug.
#[utoipa::path(get, path = "/categories/{key}/", tag = "catalog", security((), ("bearer" = [])),
    params(("key" = String, Path, description = "category id or slug")),
    responses((status = 200, body = CategoryView), (status = 404)))]
pub async fn get_category(
    State(state): State<AppState>,
    _user: MaybeUser,
    Path(key): Path<String>,
) -> Result<Json<CategoryView>, ApiError> {
    Ok(Json(service::get(&state, &key).await?))
}

/// Replace a category's writable fields (staff).
#[utoipa::path(put, path = "/categories/{key}/", tag = "catalog", request_body = CategoryWrite,
    params(("key" = String, Path, description = "category id or slug")), security(("bearer" = ["staff"])),
    responses((status = 200, body = CategoryView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn update_category(
    State(state): State<AppState>,
    _staff: Staff,
    Path(key): Path<String>,
    body: Draft<CategoryWrite>,
) -> Result<Json<CategoryView>, ApiError> {
    Ok(Json(service::update(&state.db, &key, body).await?))
}

/// Change some of a category's fields (staff).
#[utoipa::path(patch, path = "/categories/{key}/", tag = "catalog", request_body = CategoryWrite,
    params(("key" = String, Path, description = "category id or slug")), security(("bearer" = ["staff"])),
    responses((status = 200, body = CategoryView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn patch_category(
    State(state): State<AppState>,
    _staff: Staff,
    Path(key): Path<String>,
    body: Draft<CategoryWrite>,
) -> Result<Json<CategoryView>, ApiError> {
    Ok(Json(service::update(&state.db, &key, body).await?))
}

/// Delete a category (staff); `409 category_not_empty` while it has products or subcategories.
#[utoipa::path(delete, path = "/categories/{key}/", tag = "catalog",
    params(("key" = String, Path, description = "category id or slug")), security(("bearer" = ["staff"])),
    responses((status = 204), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "the category still has products or subcategories")))]
pub async fn delete_category(
    State(state): State<AppState>,
    _staff: Staff,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    service::delete(&state.db, &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The products of a category and its descendants (an unknown category is an empty page).
#[utoipa::path(get, path = "/categories/{key}/products/", tag = "catalog", security((), ("bearer" = [])),
    params(("key" = String, Path, description = "category id or slug"), ProductListParams),
    responses((status = 200, body = Page<ProductView>)))]
pub async fn list_category_products(
    State(state): State<AppState>,
    user: MaybeUser,
    media: MediaUrls,
    page: PageRequest,
    Path(key): Path<String>,
    query: QueryPairs,
) -> Result<(Option<Captured>, Json<Page<ProductView>>), ApiError> {
    let filters = ProductFilters::parse(&query)?;
    let visibility = Visibility::for_user(&user);
    // A search within the category is a search narrowed by it.
    let searched = filters.search.clone().map(|q| {
        let mut applied = filters.applied();
        applied.insert("category".to_owned(), key.as_str().into());
        (q, applied)
    });
    let page = products::category_page(&state, &key, filters, visibility, &page, &media).await?;
    let search = searched.and_then(|(q, applied)| {
        Captured::search(&q, applied, page.count, user.0.as_ref().map(|u| u.id))
    });
    Ok((search, Json(page)))
}
