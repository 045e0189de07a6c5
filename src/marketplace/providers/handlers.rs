//! Provider profile routes: anyone reads; a signed-in user creates their one profile; the owner
//! edits it; staff set `is_verified` on any. Someone else's profile is `404` to write.

use axum::{extract::State, http::StatusCode, Json};
use uuid::Uuid;

use super::{filters::ProviderFilter, request::ProviderWrite, service, store, views::ProviderView};
use crate::{
    accounts::{CurrentUser, MaybeUser},
    error::ApiError,
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    marketplace::ids::stored,
    state::AppState,
    validation::Draft,
};

/// List providers, newest first unless `ordering` says otherwise.
#[utoipa::path(get, path = "/providers/", tag = "marketplace", security((), ("bearer" = [])),
    params(("skill" = Option<String>, Query, format = Uuid, description = "providers with this skill"),
        ("company" = Option<String>, Query, format = Uuid, description = "members of this company"),
        ("is_verified" = Option<bool>, Query),
        ("min_rating" = Option<f64>, Query, description = "the lowest average rating"),
        ("search" = Option<String>, Query, description = "a part of the display name or bio"),
        ("ordering" = Option<String>, Query,
            description = "`created_at`, `rating`, `hourly_rate` or `reviews_count`, optionally with `-`"),
        ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<ProviderView>),
        (status = 400, description = "a malformed `skill`, `company` or `min_rating`"),
        (status = 404, description = "Invalid page.")))]
pub async fn list_providers(
    State(state): State<AppState>,
    _user: MaybeUser,
    query: QueryPairs,
    page: PageRequest,
) -> Result<Json<Page<ProviderView>>, ApiError> {
    let filter = ProviderFilter::parse(&query)?;
    let (count, providers) = store::page(&state.db, &filter, page.limit(), page.offset()).await?;
    Ok(Json(page.page(count, providers)?))
}

/// Create the caller's provider profile (one per user).
#[utoipa::path(post, path = "/providers/", tag = "marketplace", request_body = ProviderWrite,
    security(("bearer" = [])),
    responses((status = 201, body = ProviderView),
        (status = 400, description = "a bad field, an unknown skill or company, or a second profile (`non_field_errors`)"),
        (status = 401)))]
pub async fn create_provider(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    body: Draft<ProviderWrite>,
) -> Result<(StatusCode, Json<ProviderView>), ApiError> {
    let provider = service::create(&state.db, &user, body).await?;
    Ok((StatusCode::CREATED, Json(provider)))
}

/// One provider profile.
#[utoipa::path(get, path = "/providers/{id}/", tag = "marketplace", security((), ("bearer" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = ProviderView), (status = 404)))]
pub async fn get_provider(
    State(state): State<AppState>,
    _user: MaybeUser,
    Path(id): Path<Uuid>,
) -> Result<Json<ProviderView>, ApiError> {
    Ok(Json(service::get(&state.db, &stored(id)).await?))
}

/// Replace the caller's profile's writable fields (staff: `is_verified` on any profile).
#[utoipa::path(put, path = "/providers/{id}/", tag = "marketplace", request_body = ProviderWrite,
    params(("id" = String, Path, format = Uuid)), security(("bearer" = [])),
    responses((status = 200, body = ProviderView), (status = 400), (status = 401),
        (status = 404, description = "no such profile, or not the caller's")))]
pub async fn replace_provider(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
    body: Draft<ProviderWrite>,
) -> Result<Json<ProviderView>, ApiError> {
    Ok(Json(
        service::update(&state.db, &user, &stored(id), body).await?,
    ))
}

/// Change some of the caller's profile's fields (staff: `is_verified` on any profile).
#[utoipa::path(patch, path = "/providers/{id}/", tag = "marketplace", request_body = ProviderWrite,
    params(("id" = String, Path, format = Uuid)), security(("bearer" = [])),
    responses((status = 200, body = ProviderView), (status = 400), (status = 401),
        (status = 404, description = "no such profile, or not the caller's")))]
pub async fn patch_provider(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
    body: Draft<ProviderWrite>,
) -> Result<Json<ProviderView>, ApiError> {
    Ok(Json(
        service::update(&state.db, &user, &stored(id), body).await?,
    ))
}
