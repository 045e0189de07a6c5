//! Public product routes (`products/...`): anyone reads, staff write.

use axum::{extract::State, http::StatusCode, Json};
use utoipa::IntoParams;

use super::{
    filters::{OrderKey, ProductFilters},
    key::{ProductKey, Visibility},
    request::ProductWrite,
    service,
    views::ProductView,
};
use crate::{
    accounts::{MaybeUser, Staff},
    error::ApiError,
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    inventory,
    media::MediaUrls,
    state::AppState,
    track::Captured,
    validation::Draft,
};

/// Query parameters of the product lists (documentation; parsed by [`ProductFilters::parse`]).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "describes the query string for OpenAPI; the handler parses raw pairs for DRF errors"
)]
pub struct ProductListParams {
    /// Category id or slug; descendant categories are included.
    category: Option<String>,
    /// Brand id or slug.
    brand: Option<String>,
    /// Lowest price, inclusive (`"10.00"`).
    price_min: Option<String>,
    /// Highest price, inclusive.
    price_max: Option<String>,
    /// `true`: only products in stock.
    in_stock: Option<bool>,
    /// `true`: only featured products.
    is_featured: Option<bool>,
    /// Full-text search over title, description, category and brand names (relevance order).
    search: Option<String>,
    /// `price`, `created_at`, `title`, `average_rating`, `stock_quantity`, each optionally with `-`,
    /// comma-separated. Default `-created_at`.
    ordering: Option<String>,
    page: Option<i64>,
    /// Default 20, at most 100.
    page_size: Option<i64>,
}

/// List products, filtered, searched and ordered.
#[utoipa::path(get, path = "/products/", tag = "catalog", security((), ("bearer" = [])), params(ProductListParams),
    responses((status = 200, body = Page<ProductView>), (status = 400, description = "malformed filter"),
        (status = 404, description = "Invalid page.")))]
pub async fn list_products(
    State(state): State<AppState>,
    user: MaybeUser,
    media: MediaUrls,
    page: PageRequest,
    query: QueryPairs,
) -> Result<(Option<Captured>, Json<Page<ProductView>>), ApiError> {
    let filters = ProductFilters::parse(&query)?;
    page_of(&state, filters, &user, &page, &media).await
}

/// Search products by `q` (an empty `q` is an empty page).
#[utoipa::path(get, path = "/products/search/", tag = "catalog", security((), ("bearer" = [])),
    params(("q" = Option<String>, Query, description = "search words"), ProductListParams),
    responses((status = 200, body = Page<ProductView>)))]
pub async fn search_products(
    State(state): State<AppState>,
    user: MaybeUser,
    media: MediaUrls,
    page: PageRequest,
    query: QueryPairs,
) -> Result<(Option<Captured>, Json<Page<ProductView>>), ApiError> {
    let mut filters = ProductFilters::parse(&query)?;
    let Some(q) = query.get("q") else {
        return Ok((None, Json(page.page(0, Vec::new())?)));
    };
    filters.search = Some(q.to_owned());
    page_of(&state, filters, &user, &page, &media).await
}

/// Featured products, newest first.
#[utoipa::path(get, path = "/products/featured/", tag = "catalog", security((), ("bearer" = [])), params(ProductListParams),
    responses((status = 200, body = Page<ProductView>)))]
pub async fn featured_products(
    State(state): State<AppState>,
    user: MaybeUser,
    media: MediaUrls,
    page: PageRequest,
    query: QueryPairs,
) -> Result<(Option<Captured>, Json<Page<ProductView>>), ApiError> {
    let mut filters = ProductFilters::parse(&query)?;
    filters.featured = true;
    page_of(&state, filters, &user, &page, &media).await
}

/// The newest products.
#[utoipa::path(get, path = "/products/latest/", tag = "catalog", security((), ("bearer" = [])), params(ProductListParams),
    responses((status = 200, body = Page<ProductView>)))]
pub async fn latest_products(
    State(state): State<AppState>,
    user: MaybeUser,
    media: MediaUrls,
    page: PageRequest,
    query: QueryPairs,
) -> Result<(Option<Captured>, Json<Page<ProductView>>), ApiError> {
    let mut filters = ProductFilters::parse(&query)?;
    filters.ordering = vec![OrderKey::NEWEST];
    page_of(&state, filters, &user, &page, &media).await
}

/// Create a product (staff).
#[utoipa::path(post, path = "/products/", tag = "catalog", request_body = ProductWrite,
    security(("bearer" = ["staff"])),
    responses((status = 201, body = ProductView), (status = 400, description = "validation errors"),
        (status = 401), (status = 403)))]
pub async fn create_product(
    State(state): State<AppState>,
    Staff(staff): Staff,
    media: MediaUrls,
    body: Draft<ProductWrite>,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(
            service::create(
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

/// One product by id or slug; inactive ones only for staff.
#[utoipa::path(get, path = "/products/{key}/", tag = "catalog", security((), ("bearer" = [])),
    params(("key" = String, Path, description = "product id or slug")),
    responses((status = 200, body = ProductView), (status = 404)))]
pub async fn get_product(
    State(state): State<AppState>,
    user: MaybeUser,
    media: MediaUrls,
    Path(key): Path<String>,
) -> Result<(Captured, Json<ProductView>), ApiError> {
    let key = ProductKey::parse(&key);
    let product = service::find(&state.db, &key, Visibility::for_user(&user), &media).await?;
    // Kept with the cached answer too, so a view served from the cache is still recorded.
    let viewed = Captured::product_view(product.id, user.0.as_ref().map(|u| u.id));
    Ok((viewed, Json(product)))
}

/// Replace a product's writable fields (staff).
#[utoipa::path(put, path = "/products/{key}/", tag = "catalog", request_body = ProductWrite,
    params(("key" = String, Path, description = "product id or slug")), security(("bearer" = ["staff"])),
    responses((status = 200, body = ProductView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn update_product(
    State(state): State<AppState>,
    Staff(staff): Staff,
    media: MediaUrls,
    Path(key): Path<String>,
    body: Draft<ProductWrite>,
) -> Result<Json<ProductView>, ApiError> {
    Ok(Json(
        service::update(
            &state.db,
            &key,
            body,
            staff.id,
            &media,
            inventory::Alerts::of(&state),
        )
        .await?,
    ))
}

/// Change some of a product's fields (staff).
#[utoipa::path(patch, path = "/products/{key}/", tag = "catalog", request_body = ProductWrite,
    params(("key" = String, Path, description = "product id or slug")), security(("bearer" = ["staff"])),
    responses((status = 200, body = ProductView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn patch_product(
    State(state): State<AppState>,
    Staff(staff): Staff,
    media: MediaUrls,
    Path(key): Path<String>,
    body: Draft<ProductWrite>,
) -> Result<Json<ProductView>, ApiError> {
    Ok(Json(
        service::update(
            &state.db,
            &key,
            body,
            staff.id,
            &media,
            inventory::Alerts::of(&state),
        )
        .await?,
    ))
}

/// Delete a product (staff); one that appears in orders is deactivated instead.
#[utoipa::path(delete, path = "/products/{key}/", tag = "catalog",
    params(("key" = String, Path, description = "product id or slug")), security(("bearer" = ["staff"])),
    responses((status = 204, description = "deleted, or deactivated when ordered before"), (status = 401),
        (status = 403), (status = 404)))]
pub async fn delete_product(
    State(state): State<AppState>,
    _staff: Staff,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    service::delete(&state.db, state.media.as_ref(), &key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One page of `filters` as `user` may see it: where every product list endpoint ends. A list
/// with a search text reports the search (its filters and total) to analytics.
async fn page_of(
    state: &AppState,
    filters: ProductFilters,
    user: &MaybeUser,
    page: &PageRequest,
    media: &MediaUrls,
) -> Result<(Option<Captured>, Json<Page<ProductView>>), ApiError> {
    let visibility = Visibility::for_user(user);
    let searched = filters.search.clone().map(|q| (q, filters.applied()));
    let page = service::list_page(state, filters, visibility, page, media).await?;
    let search = searched.and_then(|(q, applied)| {
        Captured::search(&q, applied, page.count, user.0.as_ref().map(|u| u.id))
    });
    Ok((search, Json(page)))
}
