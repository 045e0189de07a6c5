//! User administration, shared by the API (`admin/users/`) and the staff dashboard's Users
//! page: the list with its filters, one user, and an admin's change of a role or active flag
//! with its rules (an admin can't demote or deactivate themselves; a deactivation ends the
//! user's refresh tokens).

use super::{
    callers,
    requests::AdminUserUpdate,
    role::Role,
    store::{refresh_tokens, users, UserFilter},
    views::AdminUserResponse,
};
use crate::{
    error::{ApiError, FieldErrors},
    http::{
        extract::QueryPairs,
        pagination::{Page, PageRequest},
    },
    state::AppState,
};

/// The list's filters from the query string (`search`, `role`, `is_active`), with
/// django-filter's messages for bad values.
pub fn user_filter(query: &QueryPairs) -> Result<UserFilter, ApiError> {
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

/// One page of the users passing `filter`, newest first.
pub async fn list_users(
    state: &AppState,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<Page<AdminUserResponse>, ApiError> {
    let count = users::count(&state.db.pool, filter).await?;
    let rows = users::list(&state.db.pool, filter, page).await?;
    page.page(count, rows.iter().map(AdminUserResponse::from).collect())
}

/// User `id` as admins see it; `404` when there is none.
pub async fn find_user(state: &AppState, id: i64) -> Result<AdminUserResponse, ApiError> {
    let user = users::find_by_id(&state.db.pool, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(AdminUserResponse::from(&user))
}

/// `admin_id` changes user `id`'s role or active flag; it takes effect on the user's very next
/// request. An admin can't demote or deactivate themselves, so the shop can't lose its last
/// admin by accident (`400` under the field).
pub async fn update_user(
    state: &AppState,
    admin_id: i64,
    id: i64,
    change: &AdminUserUpdate,
) -> Result<AdminUserResponse, ApiError> {
    if id == admin_id {
        let mut errors = FieldErrors::new();
        if change.role.is_some_and(|role| role != Role::Admin) {
            errors.add("role", "You cannot change your own role.");
        }
        if change.is_active == Some(false) {
            errors.add("is_active", "You cannot deactivate your own account.");
        }
        errors.into_result()?;
    }
    let mut tx = state.db.begin_write().await?;
    if !users::set_role_and_active(&mut *tx, id, change.role, change.is_active).await? {
        return Err(ApiError::not_found());
    }
    if change.is_active == Some(false) {
        // Access tokens already stop working (the auth extractor reads the row); this ends the
        // refresh tokens too, so reactivation doesn't revive old sessions.
        refresh_tokens::revoke_all_for_user(&mut *tx, id).await?;
    }
    tx.commit().await?;
    callers::changed(state).await;
    find_user(state, id).await
}
