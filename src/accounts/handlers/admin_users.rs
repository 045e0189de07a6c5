//! User administration for admins: `admin/users/` (list, search, filter) and
//! `admin/users/{id}/` (read, change `role` and `is_active`).

use axum::{extract::State, Json};

use crate::{
    accounts::{
        requests::AdminUserUpdate,
        role::Role,
        store::{refresh_tokens, users, UserFilter},
        views::AdminUserResponse,
        Admin,
    },
    error::{ApiError, FieldErrors},
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
    let filter = filter(&query)?;
    let count = users::count(&state.db.pool, &filter).await?;
    let rows = users::list(&state.db.pool, &filter, &page).await?;
    let results = rows.iter().map(AdminUserResponse::from).collect();
    Ok(Json(page.page(count, results)?))
}

/// The list's filters from the query string, with django-filter's messages for bad values.
fn filter(query: &QueryPairs) -> Result<UserFilter, ApiError> {
    let role = query.get("role").map(|name| {
        Role::parse(name).ok_or_else(|| {
            FieldErrors::single(
                "role",
                format!("Select a valid choice. {name} is not one of the available choices."),
            )
        })
    });
    let is_active = query
        .get("is_active")
        .map(|value| match value.to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(FieldErrors::single("is_active", "Must be a valid boolean.")),
        });
    Ok(UserFilter {
        search: query.get("search").map(str::to_owned),
        role: role.transpose()?,
        is_active: is_active.transpose()?,
    })
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
    let user = users::find_by_id(&state.db.pool, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(AdminUserResponse::from(&user)))
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
    if id == admin.id {
        let mut errors = FieldErrors::new();
        if body.role.is_some_and(|role| role != Role::Admin) {
            errors.add("role", "You cannot change your own role.");
        }
        if body.is_active == Some(false) {
            errors.add("is_active", "You cannot deactivate your own account.");
        }
        errors.into_result()?;
    }
    let mut tx = state.db.begin_write().await?;
    if !users::set_role_and_active(&mut *tx, id, body.role, body.is_active).await? {
        return Err(ApiError::not_found());
    }
    if body.is_active == Some(false) {
        // Access tokens already stop working (the auth extractor reads the row); this ends the
        // refresh tokens too, so reactivation doesn't revive old sessions.
        refresh_tokens::revoke_all_for_user(&mut *tx, id).await?;
    }
    tx.commit().await?;
    let user = users::find_by_id(&state.db.pool, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(AdminUserResponse::from(&user)))
}
