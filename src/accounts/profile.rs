//! The signed-in user's own profile: `auth/users/me/` (GET, PUT, PATCH).
//!
//! Only `username`, `first_name` and `last_name` are writable here; `id`, `email`, `role` and
//! the dates are read-only and silently ignored, as DRF does with read-only fields.

use axum::{extract::State, Json};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    accounts::{
        fields,
        users::{self, UserResponse},
    },
    db::ResultExt,
    error::{ApiError, FieldErrors},
    http::{auth::CurrentUser, extract},
    state::AppState,
};

/// `PUT`/`PATCH auth/users/me/` body. `username` is required by `PUT`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProfileRequest {
    pub username: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

async fn current(state: &AppState, user_id: i64) -> Result<Json<UserResponse>, ApiError> {
    // The extractor just read this row; a miss means it was deleted mid-request.
    let user = users::find_by_id(&state.db.pool, user_id)
        .await?
        .ok_or_else(ApiError::not_authenticated)?;
    Ok(Json(UserResponse::from(&user)))
}

/// The signed-in user's profile.
#[utoipa::path(get, path = "/auth/users/me/", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = UserResponse), (status = 401, description = "not signed in")))]
pub async fn get_profile(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<UserResponse>, ApiError> {
    current(&state, user.id).await
}

/// Replaces the writable profile fields (`username` required).
#[utoipa::path(put, path = "/auth/users/me/", tag = "accounts", security(("bearer" = [])), request_body = ProfileRequest,
    responses((status = 200, body = UserResponse), (status = 400, description = "field errors"),
        (status = 401, description = "not signed in")))]
pub async fn replace_profile(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    extract::Json(body): extract::Json<ProfileRequest>,
) -> Result<Json<UserResponse>, ApiError> {
    save(&state, user.id, body, false).await
}

/// Updates the given profile fields.
#[utoipa::path(patch, path = "/auth/users/me/", tag = "accounts", security(("bearer" = [])), request_body = ProfileRequest,
    responses((status = 200, body = UserResponse), (status = 400, description = "field errors"),
        (status = 401, description = "not signed in")))]
pub async fn update_profile(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    extract::Json(body): extract::Json<ProfileRequest>,
) -> Result<Json<UserResponse>, ApiError> {
    save(&state, user.id, body, true).await
}

async fn save(
    state: &AppState,
    user_id: i64,
    body: ProfileRequest,
    partial: bool,
) -> Result<Json<UserResponse>, ApiError> {
    let mut errors = FieldErrors::new();
    let username = if partial && body.username.is_none() {
        None
    } else {
        fields::username(&mut errors, "username", body.username.as_deref())
    };
    let first_name = fields::optional_name(&mut errors, "first_name", body.first_name.as_deref());
    let last_name = fields::optional_name(&mut errors, "last_name", body.last_name.as_deref());
    if let Some(username) = &username {
        if users::username_taken(&state.db.pool, username, Some(user_id)).await? {
            errors.add("username", users::duplicate_message("username"));
        }
    }
    errors.into_result()?;
    let updated = sqlx::query(
        "UPDATE users SET username = COALESCE($1, username), first_name = COALESCE($2, first_name), \
         last_name = COALESCE($3, last_name) WHERE id = $4",
    )
    .bind(username)
    .bind(first_name)
    .bind(last_name)
    .bind(user_id)
    .execute(&state.db.pool)
    .await;
    updated.on_constraint(users::duplicate)?;
    current(state, user_id).await
}
