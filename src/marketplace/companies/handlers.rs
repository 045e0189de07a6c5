//! Company routes: anyone reads, any signed-in user creates (and owns), the owner writes. Staff
//! may edit or delete any company (moderation); anyone else is answered `404`.

use axum::{extract::State, http::StatusCode, Json};
use uuid::Uuid;

use super::{
    request::CompanyWrite,
    store::{self, CompanyFilter, CompanyRow},
    views::CompanyView,
};
use crate::{
    accounts::{AuthUser, CurrentUser, MaybeUser},
    db::Db,
    error::ApiError,
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    marketplace::{ids::stored, listing},
    state::AppState,
    validation::Draft,
};

/// List companies, newest first unless `ordering` says otherwise.
#[utoipa::path(get, path = "/companies/", tag = "marketplace", security((), ("bearer" = [])),
    params(("owner" = Option<i64>, Query, description = "the owner's user id"),
        ("search" = Option<String>, Query, description = "a part of the name or description"),
        ("ordering" = Option<String>, Query, description = "`name`, `created_at` or `members_count`, optionally with `-`"),
        ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<CompanyView>), (status = 400, description = "`owner` is not an integer"),
        (status = 404, description = "Invalid page.")))]
pub async fn list_companies(
    State(state): State<AppState>,
    _user: MaybeUser,
    query: QueryPairs,
    page: PageRequest,
) -> Result<Json<Page<CompanyView>>, ApiError> {
    let filter = CompanyFilter {
        owner: query.int("owner")?,
        search: query.get("search"),
        ordering: listing::parse_ordering(&query, store::SORTABLE),
    };
    let (count, rows) = store::page(&state.db, &filter, page.limit(), page.offset()).await?;
    Ok(Json(
        page.page(count, rows.into_iter().map(Into::into).collect())?,
    ))
}

/// Create a company; the caller becomes its owner.
#[utoipa::path(post, path = "/companies/", tag = "marketplace", request_body = CompanyWrite,
    security(("bearer" = [])),
    responses((status = 201, body = CompanyView), (status = 400, description = "a missing name or a bad website"),
        (status = 401)))]
pub async fn create_company(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    body: Draft<CompanyWrite>,
) -> Result<(StatusCode, Json<CompanyView>), ApiError> {
    let company = body.finish()?;
    let id = store::insert(&state.db, user.id, &company).await?;
    Ok((StatusCode::CREATED, Json(get(&state.db, &id).await?)))
}

/// One company.
#[utoipa::path(get, path = "/companies/{id}/", tag = "marketplace", security((), ("bearer" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = CompanyView), (status = 404)))]
pub async fn get_company(
    State(state): State<AppState>,
    _user: MaybeUser,
    Path(id): Path<Uuid>,
) -> Result<Json<CompanyView>, ApiError> {
    Ok(Json(get(&state.db, &stored(id)).await?))
}

/// Replace a company's writable fields (its owner, or staff).
#[utoipa::path(put, path = "/companies/{id}/", tag = "marketplace", request_body = CompanyWrite,
    params(("id" = String, Path, format = Uuid)), security(("bearer" = [])),
    responses((status = 200, body = CompanyView), (status = 400), (status = 401),
        (status = 404, description = "no such company, or not the caller's")))]
pub async fn replace_company(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
    body: Draft<CompanyWrite>,
) -> Result<Json<CompanyView>, ApiError> {
    Ok(Json(update(&state.db, &user, &stored(id), body).await?))
}

/// Change some of a company's fields (its owner, or staff).
#[utoipa::path(patch, path = "/companies/{id}/", tag = "marketplace", request_body = CompanyWrite,
    params(("id" = String, Path, format = Uuid)), security(("bearer" = [])),
    responses((status = 200, body = CompanyView), (status = 400), (status = 401),
        (status = 404, description = "no such company, or not the caller's")))]
pub async fn patch_company(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
    body: Draft<CompanyWrite>,
) -> Result<Json<CompanyView>, ApiError> {
    Ok(Json(update(&state.db, &user, &stored(id), body).await?))
}

/// Delete a company (its owner, or staff); its members stay providers, without a company.
#[utoipa::path(delete, path = "/companies/{id}/", tag = "marketplace",
    params(("id" = String, Path, format = Uuid)), security(("bearer" = [])),
    responses((status = 204), (status = 401), (status = 404, description = "no such company, or not the caller's")))]
pub async fn delete_company(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    let id = stored(id);
    writable(&state.db, &user, &id).await?;
    store::delete(&state.db, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn get(db: &Db, id: &str) -> Result<CompanyView, ApiError> {
    store::find(db, id)
        .await?
        .map(Into::into)
        .ok_or_else(ApiError::not_found)
}

/// Company `id` if `user` may change it: its owner, or staff; `404` for anyone else.
async fn writable(db: &Db, user: &AuthUser, id: &str) -> Result<CompanyRow, ApiError> {
    store::find(db, id)
        .await?
        .filter(|company| company.owner_id == user.id || user.role.is_staff())
        .ok_or_else(ApiError::not_found)
}

/// Applies a PUT or PATCH body (`404` before any `400`).
async fn update(
    db: &Db,
    user: &AuthUser,
    id: &str,
    body: Draft<CompanyWrite>,
) -> Result<CompanyView, ApiError> {
    writable(db, user, id).await?;
    let changes = body.finish()?;
    store::update(db, id, &changes).await?;
    get(db, id).await
}
