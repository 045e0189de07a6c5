//! `POST auth/password/change/`: a signed-in user replaces their password.

use axum::{extract::State, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    accounts::{
        fields, password, password_reset,
        password_rules::{self, UserAttributes},
        refresh_tokens, users,
    },
    error::{ApiError, FieldErrors},
    http::{auth::CurrentUser, extract},
    mail::OutgoingEmail,
    state::AppState,
};

/// `POST auth/password/change/` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    #[schema(required = true, value_type = String)]
    pub old_password: Option<String>,
    #[schema(required = true, value_type = String)]
    pub new_password: Option<String>,
    #[schema(required = true, value_type = String)]
    pub new_password_confirm: Option<String>,
}

/// The outcome, under both keys Django clients read.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordChanged {
    pub detail: &'static str,
    pub message: &'static str,
}

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
    extract::Json(body): extract::Json<ChangePasswordRequest>,
) -> Result<Json<PasswordChanged>, ApiError> {
    let user = users::find_by_id(&state.db.pool, caller.id)
        .await?
        .ok_or_else(ApiError::not_authenticated)?;
    let mut errors = FieldErrors::new();
    let old = fields::required_password(&mut errors, "old_password", body.old_password.as_deref());
    let new = fields::required_password(&mut errors, "new_password", body.new_password.as_deref());
    let confirm = fields::required_password(
        &mut errors,
        "new_password_confirm",
        body.new_password_confirm.as_deref(),
    );
    if let Some(old) = old {
        if !password::verify(old, user.password_hash.clone()).await? {
            errors.add("old_password", "Old password is incorrect.");
        }
    }
    if let Some(new) = &new {
        let attributes = UserAttributes {
            username: &user.username,
            first_name: &user.first_name,
            last_name: &user.last_name,
            email: &user.email,
        };
        for message in password_rules::check(new, attributes) {
            errors.add("new_password", message);
        }
    }
    errors.into_result()?;
    let new = new.unwrap_or_default();
    if confirm.as_deref() != Some(new.as_str()) {
        return Err(FieldErrors::single(
            "non_field_errors",
            "Passwords don't match.",
        ));
    }
    let hash = password::hash(new, state.settings.fast_password_hashing).await?;
    let mut tx = state.db.begin_write().await?;
    users::set_password_hash(&mut *tx, user.id, &hash).await?;
    password_reset::void_reset_links(&mut tx, user.id).await?;
    refresh_tokens::revoke_all_for_user(&mut *tx, user.id).await?;
    tx.commit().await?;
    send_security_email(&state, &user.email).await;
    Ok(Json(PasswordChanged {
        detail: CHANGED,
        message: CHANGED,
    }))
}

/// Tells the account owner their password changed, so a takeover doesn't go unnoticed.
/// A mail failure is logged, not answered: the password change itself succeeded.
pub async fn send_security_email(state: &AppState, to: &str) {
    let email = OutgoingEmail {
        to: to.to_owned(),
        subject: "Your Nexus Commerce password was changed".to_owned(),
        body: "The password of your Nexus Commerce account was just changed, and every signed-in \
               session was signed out.\n\nIf this was not you, reset your password now and contact support."
            .to_owned(),
    };
    if let Err(err) = state.mailer.send(email).await {
        tracing::error!(error = ?err, "could not send the password-changed email");
    }
}
