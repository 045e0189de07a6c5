//! Service routes (`services/...`, `providers/{id}/services/`, `providers/{id}/reviews/`):
//! anyone reads what they may see, the service's provider writes, signed-in users like, and
//! clients with a completed contract comment.

use axum::{extract::State, http::StatusCode, Json};
use utoipa::IntoParams;
use uuid::Uuid;

use super::{
    actions, engagement,
    filters::ServiceFilters,
    request::{CommentWrite, ServiceWrite},
    viewer::Viewer,
    views::{CommentView, LikeView, ServiceView},
};
use crate::{
    accounts::{CurrentUser, MaybeUser},
    error::ApiError,
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    marketplace::ids::stored,
    state::AppState,
    track::Captured,
    validation::Draft,
};

/// Query parameters of the service lists (documentation; parsed by [`ServiceFilters::parse`]).
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
#[expect(
    dead_code,
    reason = "describes the query string for OpenAPI; the handler parses raw pairs for DRF errors"
)]
pub struct ServiceListParams {
    /// A service category id.
    category: Option<Uuid>,
    /// A provider id.
    provider: Option<Uuid>,
    /// Lowest `price_from`, inclusive (`"10.00"`).
    price_min: Option<String>,
    /// Highest `price_from`, inclusive.
    price_max: Option<String>,
    /// Least average rating, 0–5.
    min_rating: Option<String>,
    /// Full-text search over title, description, provider name, skills and category (relevance
    /// order unless `ordering` is given).
    search: Option<String>,
    /// `price_from`, `rating`, `likes_count`, `created_at`, `title`, each optionally with `-`,
    /// comma-separated. Default `-created_at`.
    ordering: Option<String>,
    page: Option<i64>,
    /// Default 20, at most 100.
    page_size: Option<i64>,
}

/// List the services the caller may see, filtered, searched and ordered. A search is recorded
/// for analytics (a `marketplace_search` event with its result count).
#[utoipa::path(get, path = "/services/", tag = "marketplace", security((), ("bearer" = [])),
    params(ServiceListParams),
    responses((status = 200, body = Page<ServiceView>), (status = 400, description = "malformed filter"),
        (status = 404, description = "Invalid page.")))]
pub async fn list_services(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    page: PageRequest,
    query: QueryPairs,
) -> Result<(Option<Captured>, Json<Page<ServiceView>>), ApiError> {
    let filters = ServiceFilters::parse(&query)?;
    let viewer = Viewer::of(&state.db, user.as_ref()).await?;
    let page = actions::list(&state.db, &viewer, &filters, &page).await?;
    let searched = filters.search.as_deref().and_then(|q| {
        Captured::marketplace_search(q, filters.applied(), page.count, user.map(|u| u.id))
    });
    Ok((searched, Json(page)))
}

/// Offer a service (a user with a provider profile).
#[utoipa::path(post, path = "/services/", tag = "marketplace", request_body = ServiceWrite,
    security(("bearer" = [])),
    responses((status = 201, body = ServiceView), (status = 400), (status = 401),
        (status = 403, description = "no provider profile")))]
pub async fn create_service(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    body: Draft<ServiceWrite>,
) -> Result<(StatusCode, Json<ServiceView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(actions::create(&state.db, &user, body).await?),
    ))
}

/// One service (an inactive one only for its provider and staff); the view is recorded for the
/// provider's figures (`analytics/provider/`).
#[utoipa::path(get, path = "/services/{id}/", tag = "marketplace", security((), ("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ServiceView), (status = 404)))]
pub async fn get_service(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<Uuid>,
) -> Result<(Captured, Json<ServiceView>), ApiError> {
    let viewer = Viewer::of(&state.db, user.as_ref()).await?;
    let service = actions::get(&state.db, &viewer, &stored(id)).await?;
    let viewed = Captured::service_view(&service.id, user.map(|u| u.id));
    Ok((viewed, Json(service)))
}

/// Replace a service's writable fields (its provider).
#[utoipa::path(put, path = "/services/{id}/", tag = "marketplace", request_body = ServiceWrite,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = ServiceView), (status = 400), (status = 401),
        (status = 404, description = "no such service of the caller's")))]
pub async fn update_service(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
    body: Draft<ServiceWrite>,
) -> Result<Json<ServiceView>, ApiError> {
    Ok(Json(
        actions::update(&state.db, &user, &stored(id), body).await?,
    ))
}

/// Change some of a service's fields (its provider).
#[utoipa::path(patch, path = "/services/{id}/", tag = "marketplace", request_body = ServiceWrite,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = ServiceView), (status = 400), (status = 401),
        (status = 404, description = "no such service of the caller's")))]
pub async fn patch_service(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
    body: Draft<ServiceWrite>,
) -> Result<Json<ServiceView>, ApiError> {
    Ok(Json(
        actions::update(&state.db, &user, &stored(id), body).await?,
    ))
}

/// Delete a service (its provider); its comments go with it and their ratings leave the
/// provider's.
#[utoipa::path(delete, path = "/services/{id}/", tag = "marketplace",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 204), (status = 401),
        (status = 404, description = "no such service of the caller's")))]
pub async fn delete_service(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    actions::delete(&state.db, &user, &stored(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Like a service, or take the like back (a toggle); a like is recorded for analytics.
#[utoipa::path(post, path = "/services/{id}/like/", tag = "marketplace",
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 200, body = LikeView), (status = 401), (status = 404)))]
pub async fn like_service(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<(Option<Captured>, Json<LikeView>), ApiError> {
    let id = stored(id);
    let like = engagement::toggle_like(&state, &user, &id).await?;
    let liked = like.liked.then(|| Captured::service_like(user.id, &id));
    Ok((liked, Json(like)))
}

/// A service's comments, newest first.
#[utoipa::path(get, path = "/services/{id}/comments/", tag = "marketplace", security((), ("bearer" = [])),
    params(("id" = Uuid, Path), ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<CommentView>), (status = 404)))]
pub async fn list_comments(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<Uuid>,
    page: PageRequest,
) -> Result<Json<Page<CommentView>>, ApiError> {
    let viewer = Viewer::of(&state.db, user.as_ref()).await?;
    Ok(Json(
        engagement::comments(&state, &viewer, &stored(id), &page).await?,
    ))
}

/// Comment on a service with a rating: a client whose completed contract came from a proposal
/// naming it, once per such contract.
#[utoipa::path(post, path = "/services/{id}/comments/", tag = "marketplace", request_body = CommentWrite,
    params(("id" = Uuid, Path)), security(("bearer" = [])),
    responses((status = 201, body = CommentView), (status = 400), (status = 401),
        (status = 403, description = "no completed contract for this service"),
        (status = 404), (status = 409, description = "already_commented: every such contract has its comment")))]
pub async fn create_comment(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
    body: Draft<CommentWrite>,
) -> Result<(StatusCode, Json<CommentView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(engagement::comment(&state, &user, &stored(id), body).await?),
    ))
}

/// A provider's services (inactive ones only for the provider and staff), filtered like
/// `services/`.
#[utoipa::path(get, path = "/providers/{id}/services/", tag = "marketplace", security((), ("bearer" = [])),
    params(("id" = Uuid, Path), ServiceListParams),
    responses((status = 200, body = Page<ServiceView>), (status = 400, description = "malformed filter"),
        (status = 404, description = "no such provider, or Invalid page.")))]
pub async fn provider_services(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<Uuid>,
    page: PageRequest,
    query: QueryPairs,
) -> Result<Json<Page<ServiceView>>, ApiError> {
    let filters = ServiceFilters::parse(&query)?;
    let viewer = Viewer::of(&state.db, user.as_ref()).await?;
    Ok(Json(
        actions::provider_services(&state.db, &viewer, &stored(id), filters, &page).await?,
    ))
}

/// The comments on a provider's services, newest first.
#[utoipa::path(get, path = "/providers/{id}/reviews/", tag = "marketplace", security((), ("bearer" = [])),
    params(("id" = Uuid, Path), ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<CommentView>),
        (status = 404, description = "no such provider, or Invalid page.")))]
pub async fn provider_reviews(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<Uuid>,
    page: PageRequest,
) -> Result<Json<Page<CommentView>>, ApiError> {
    let viewer = Viewer::of(&state.db, user.as_ref()).await?;
    Ok(Json(
        actions::provider_reviews(&state.db, &viewer, &stored(id), &page).await?,
    ))
}
