//! User administration for admins: `admin/users/` (list, search, filter) and
//! `admin/users/{id}/` (read, change `role` and `is_active`). The rules are the accounts
//! front's (`admin.rs`), which the staff dashboard calls too.

use axum::{extract::State, Json};

use crate::{
    accounts::{admin, requests::AdminUserUpdate, role::Role, views::AdminUserResponse, Admin},
    error::ApiError,
    http::{
        extract::{Path, QueryPairs, Valid},
        pagination::{Page, PageRequest},
    },
    state::AppState,
};

/// Every user, newest first; `search` matches email or username (case-insensitive substring).
#[utoipa::path(get, path = "/admin/users/", tag = "accounts", security(("bearer" = ["admin"])),
    params(("search" = Option<String>, Query), ("role" = Option<Role>, Query), ("is_active" = Option<bool>, Query),
        ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<AdminUserResponse>), (status = 400, description = "bad filter value"),
        (status = 401, description = "not signed in"), (status = 403, description = "not an admin")))]
pub async fn list_users(
    State(state): State<AppState>,
    _admin: Admin,
    query: QueryPairs,
    page: PageRequest,
) -> Result<Json<Page<AdminUserResponse>>, ApiError> {
    let filter = admin::user_filter(&query)?;
    Ok(Json(admin::list_users(&state, &filter, &page).await?))
}

/// One user.
#[utoipa::path(get, path = "/admin/users/{id}/", tag = "accounts", security(("bearer" = ["admin"])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AdminUserResponse), (status = 401, description = "not signed in"),
        (status = 403, description = "not an admin"), (status = 404, description = "no such user")))]
pub async fn get_user(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<i64>,
) -> Result<Json<AdminUserResponse>, ApiError> {
    Ok(Json(admin::find_user(&state, id).await?))
}

/// Changes a user's role or active flag; takes effect on their very next request. An admin can't
/// demote or deactivate themselves, so the shop can't lose its last admin by accident.
#[utoipa::path(patch, path = "/admin/users/{id}/", tag = "accounts", security(("bearer" = ["admin"])),
    params(("id" = i64, Path)), request_body = AdminUserUpdate,
    responses((status = 200, body = AdminUserResponse), (status = 400, description = "invalid role, or a change to yourself"),
        (status = 401, description = "not signed in"), (status = 403, description = "not an admin"),
        (status = 404, description = "no such user")))]
pub async fn update_user(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<i64>,
    Valid(body): Valid<AdminUserUpdate>,
) -> Result<Json<AdminUserResponse>, ApiError> {
    Ok(Json(admin::update_user(&state, admin.id, id, &body).await?))
}
