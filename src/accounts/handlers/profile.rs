//! The signed-in user's own profile: `auth/users/me/` (GET, PUT, PATCH).
//!
//! Only `username`, `first_name` and `last_name` are writable here; `id`, `email`, `role` and
//! the dates are read-only and silently ignored, as DRF does with read-only fields.

use axum::{extract::State, Json};

use crate::{
    accounts::{callers, requests::ProfileRequest, store::users, views::UserResponse, CurrentUser},
    error::ApiError,
    state::AppState,
    validation::Draft,
};

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
    draft: Draft<ProfileRequest>,
) -> Result<Json<UserResponse>, ApiError> {
    save(&state, user.id, draft).await
}

/// Updates the given profile fields.
#[utoipa::path(patch, path = "/auth/users/me/", tag = "accounts", security(("bearer" = [])), request_body = ProfileRequest,
    responses((status = 200, body = UserResponse), (status = 400, description = "field errors"),
        (status = 401, description = "not signed in")))]
pub async fn update_profile(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    draft: Draft<ProfileRequest>,
) -> Result<Json<UserResponse>, ApiError> {
    save(&state, user.id, draft).await
}

/// Writes the given fields (the `Draft` made `username` required for a `PUT`); a taken
/// username is reported with the other field errors.
async fn save(
    state: &AppState,
    user_id: i64,
    mut draft: Draft<ProfileRequest>,
) -> Result<Json<UserResponse>, ApiError> {
    if let Some(username) = &draft.request.username {
        if users::username_taken(&state.db.pool, username, Some(user_id)).await? {
            let message = users::duplicate_message("username");
            draft.errors.add("username", message);
        }
    }
    let body = draft.finish()?;
    users::update_profile(
        &state.db.pool,
        user_id,
        body.username.as_deref(),
        body.first_name.as_deref(),
        body.last_name.as_deref(),
    )
    .await?;
    if body.username.is_some() {
        // Callers carry their username.
        callers::changed(state).await;
    }
    current(state, user_id).await
}
