//! `POST auth/password/change/`: a signed-in user replaces their password.

use axum::{extract::State, Json};

use crate::{
    accounts::{
        notices, password, password_rules,
        requests::ChangePasswordRequest,
        store::{refresh_tokens, reset_links, users},
        views::PasswordChanged,
        CurrentUser,
    },
    error::{ApiError, FieldErrors},
    state::AppState,
    validation::Draft,
};

const CHANGED: &str = "Password changed successfully.";

/// Changes the caller's password and ends all their sessions (every refresh token is revoked:
/// a request carries no session id, so "the others" can't be told apart from the current one);
/// reset links asked for before the change stop working.
#[utoipa::path(post, path = "/auth/password/change/", tag = "accounts", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses((status = 200, body = PasswordChanged), (status = 400, description = "wrong old password or rule failures"),
        (status = 401, description = "not signed in")))]
pub async fn change_password(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    mut draft: Draft<ChangePasswordRequest>,
) -> Result<Json<PasswordChanged>, ApiError> {
    let user = users::find_by_id(&state.db.pool, caller.id)
        .await?
        .ok_or_else(ApiError::not_authenticated)?;
    let body = &draft.request;
    if let Some(old) = body.old_password.clone() {
        if !password::verify(old, user.password_hash.clone()).await? {
            draft
                .errors
                .add("old_password", "Old password is incorrect.");
        }
    }
    if let Some(new) = &draft.request.new_password {
        for message in password_rules::check(new, (&user).into()) {
            draft.errors.add("new_password", message);
        }
    }
    let body = draft.finish()?;
    // Required fields: `finish` refused a body without them.
    let new_password = body.new_password.unwrap_or_default();
    // Like DRF, object-level checks run only once every field is valid.
    if body.new_password_confirm.as_deref() != Some(new_password.as_str()) {
        return Err(FieldErrors::single(
            "non_field_errors",
            super::PASSWORDS_DIFFER,
        ));
    }
    let hash = password::hash(new_password, state.settings.fast_password_hashing).await?;
    let mut tx = state.db.begin_write().await?;
    users::set_password_hash(&mut *tx, user.id, &hash).await?;
    reset_links::void_all_for_user(&mut tx, user.id).await?;
    refresh_tokens::revoke_all_for_user(&mut *tx, user.id).await?;
    let announcement = notices::password_changed(&mut tx, user.id).await?;
    tx.commit().await?;
    announcement.announce(&state.live);
    Ok(Json(PasswordChanged {
        detail: CHANGED,
        message: CHANGED,
    }))
}
