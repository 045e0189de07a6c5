//! `POST auth/password/change/`: a signed-in user replaces their password.

use axum::{extract::State, Json};

use crate::{
    accounts::{
        emails, password, password_rules,
        requests::ChangePasswordRequest,
        store::{refresh_tokens, reset_links, users},
        views::PasswordChanged,
    },
    error::{ApiError, FieldErrors},
    http::{auth::CurrentUser, extract::Valid},
    state::AppState,
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
    Valid(body): Valid<ChangePasswordRequest>,
) -> Result<Json<PasswordChanged>, ApiError> {
    let user = users::find_by_id(&state.db.pool, caller.id)
        .await?
        .ok_or_else(ApiError::not_authenticated)?;
    let mut errors = FieldErrors::new();
    if !password::verify(body.old_password, user.password_hash.clone()).await? {
        errors.add("old_password", "Old password is incorrect.");
    }
    for message in password_rules::check(&body.new_password, (&user).into()) {
        errors.add("new_password", message);
    }
    errors.into_result()?;
    if body.new_password_confirm != body.new_password {
        return Err(FieldErrors::single(
            "non_field_errors",
            super::PASSWORDS_DIFFER,
        ));
    }
    let hash = password::hash(body.new_password, state.settings.fast_password_hashing).await?;
    let mut tx = state.db.begin_write().await?;
    users::set_password_hash(&mut *tx, user.id, &hash).await?;
    reset_links::void_all_for_user(&mut tx, user.id).await?;
    refresh_tokens::revoke_all_for_user(&mut *tx, user.id).await?;
    tx.commit().await?;
    emails::send_password_changed(&state, &user.email).await;
    Ok(Json(PasswordChanged {
        detail: CHANGED,
        message: CHANGED,
    }))
}
