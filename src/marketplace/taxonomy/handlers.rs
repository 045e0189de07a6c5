//! Service category and skill routes: anyone reads, staff write (`401` anonymous, `403` others).

use axum::{extract::State, http::StatusCode, Json};
use uuid::Uuid;

use super::{
    kind::Kind,
    request::{ServiceCategoryWrite, SkillWrite},
    service,
    views::{ServiceCategoryView, SkillView},
};
use crate::{
    accounts::{MaybeUser, Staff},
    error::ApiError,
    http::{
        extract::{Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    marketplace::ids::stored,
    state::AppState,
    validation::Draft,
};

/// List service categories (by name unless `ordering` says otherwise).
#[utoipa::path(get, path = "/service-categories/", tag = "marketplace", security((), ("bearer" = [])),
    params(("search" = Option<String>, Query, description = "a part of the name"),
        ("ordering" = Option<String>, Query, description = "`name` or `created_at`, optionally with `-`"),
        ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<ServiceCategoryView>), (status = 404, description = "Invalid page.")))]
pub async fn list_categories(
    State(state): State<AppState>,
    _user: MaybeUser,
    query: QueryPairs,
    page: PageRequest,
) -> Result<Json<Page<ServiceCategoryView>>, ApiError> {
    Ok(Json(
        service::list(&state.db, Kind::Category, &query, &page).await?,
    ))
}

/// Create a service category (staff).
#[utoipa::path(post, path = "/service-categories/", tag = "marketplace", request_body = ServiceCategoryWrite,
    security(("bearer" = ["staff"])),
    responses((status = 201, body = ServiceCategoryView), (status = 400, description = "a missing name, a bad or taken slug"),
        (status = 401), (status = 403)))]
pub async fn create_category(
    State(state): State<AppState>,
    _staff: Staff,
    body: Draft<ServiceCategoryWrite>,
) -> Result<(StatusCode, Json<ServiceCategoryView>), ApiError> {
    let category = service::create(&state.db, Kind::Category, body).await?;
    Ok((StatusCode::CREATED, Json(category)))
}

/// One service category.
#[utoipa::path(get, path = "/service-categories/{id}/", tag = "marketplace", security((), ("bearer" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = ServiceCategoryView), (status = 404)))]
pub async fn get_category(
    State(state): State<AppState>,
    _user: MaybeUser,
    Path(id): Path<Uuid>,
) -> Result<Json<ServiceCategoryView>, ApiError> {
    Ok(Json(
        service::get(&state.db, Kind::Category, &stored(id)).await?,
    ))
}

/// Replace a service category's writable fields (staff); a rename reaches its services' search.
#[utoipa::path(put, path = "/service-categories/{id}/", tag = "marketplace", request_body = ServiceCategoryWrite,
    params(("id" = String, Path, format = Uuid)), security(("bearer" = ["staff"])),
    responses((status = 200, body = ServiceCategoryView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn replace_category(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<Uuid>,
    body: Draft<ServiceCategoryWrite>,
) -> Result<Json<ServiceCategoryView>, ApiError> {
    Ok(Json(
        service::update(&state.db, Kind::Category, &stored(id), body).await?,
    ))
}

/// Change some of a service category's fields (staff).
#[utoipa::path(patch, path = "/service-categories/{id}/", tag = "marketplace", request_body = ServiceCategoryWrite,
    params(("id" = String, Path, format = Uuid)), security(("bearer" = ["staff"])),
    responses((status = 200, body = ServiceCategoryView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn patch_category(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<Uuid>,
    body: Draft<ServiceCategoryWrite>,
) -> Result<Json<ServiceCategoryView>, ApiError> {
    Ok(Json(
        service::update(&state.db, Kind::Category, &stored(id), body).await?,
    ))
}

/// Delete a service category (staff); its services and requests stay, without a category.
#[utoipa::path(delete, path = "/service-categories/{id}/", tag = "marketplace",
    params(("id" = String, Path, format = Uuid)), security(("bearer" = ["staff"])),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_category(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    service::delete(&state.db, Kind::Category, &stored(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// List skills (by name unless `ordering` says otherwise).
#[utoipa::path(get, path = "/skills/", tag = "marketplace", security((), ("bearer" = [])),
    params(("search" = Option<String>, Query, description = "a part of the name"),
        ("ordering" = Option<String>, Query, description = "`name` or `created_at`, optionally with `-`"),
        ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<SkillView>), (status = 404, description = "Invalid page.")))]
pub async fn list_skills(
    State(state): State<AppState>,
    _user: MaybeUser,
    query: QueryPairs,
    page: PageRequest,
) -> Result<Json<Page<SkillView>>, ApiError> {
    Ok(Json(
        service::list(&state.db, Kind::Skill, &query, &page).await?,
    ))
}

/// Create a skill (staff).
#[utoipa::path(post, path = "/skills/", tag = "marketplace", request_body = SkillWrite,
    security(("bearer" = ["staff"])),
    responses((status = 201, body = SkillView), (status = 400, description = "a missing name, a bad or taken slug"),
        (status = 401), (status = 403)))]
pub async fn create_skill(
    State(state): State<AppState>,
    _staff: Staff,
    body: Draft<SkillWrite>,
) -> Result<(StatusCode, Json<SkillView>), ApiError> {
    let skill = service::create(&state.db, Kind::Skill, body).await?;
    Ok((StatusCode::CREATED, Json(skill)))
}

/// One skill.
#[utoipa::path(get, path = "/skills/{id}/", tag = "marketplace", security((), ("bearer" = [])),
    params(("id" = String, Path, format = Uuid)),
    responses((status = 200, body = SkillView), (status = 404)))]
pub async fn get_skill(
    State(state): State<AppState>,
    _user: MaybeUser,
    Path(id): Path<Uuid>,
) -> Result<Json<SkillView>, ApiError> {
    Ok(Json(
        service::get(&state.db, Kind::Skill, &stored(id)).await?,
    ))
}

/// Replace a skill's writable fields (staff); a rename reaches its providers' services' search.
#[utoipa::path(put, path = "/skills/{id}/", tag = "marketplace", request_body = SkillWrite,
    params(("id" = String, Path, format = Uuid)), security(("bearer" = ["staff"])),
    responses((status = 200, body = SkillView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn replace_skill(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<Uuid>,
    body: Draft<SkillWrite>,
) -> Result<Json<SkillView>, ApiError> {
    Ok(Json(
        service::update(&state.db, Kind::Skill, &stored(id), body).await?,
    ))
}

/// Change some of a skill's fields (staff).
#[utoipa::path(patch, path = "/skills/{id}/", tag = "marketplace", request_body = SkillWrite,
    params(("id" = String, Path, format = Uuid)), security(("bearer" = ["staff"])),
    responses((status = 200, body = SkillView), (status = 400), (status = 401), (status = 403), (status = 404)))]
pub async fn patch_skill(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<Uuid>,
    body: Draft<SkillWrite>,
) -> Result<Json<SkillView>, ApiError> {
    Ok(Json(
        service::update(&state.db, Kind::Skill, &stored(id), body).await?,
    ))
}

/// Delete a skill (staff); the providers that had it lose it.
#[utoipa::path(delete, path = "/skills/{id}/", tag = "marketplace",
    params(("id" = String, Path, format = Uuid)), security(("bearer" = ["staff"])),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn delete_skill(
    State(state): State<AppState>,
    _staff: Staff,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    service::delete(&state.db, Kind::Skill, &stored(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
