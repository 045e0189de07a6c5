//! Password reset by email: `auth/password/reset/` queues a single-use link valid for one hour
//! (the `password_reset` job in `reset_link.rs` makes and mails it), `auth/password/reset/confirm/`
//! redeems it.
//!
//! Only a SHA-256 of the emailed token is stored, so reading the database doesn't let anyone
//! reset a password. The request answers the same whether or not the account exists.

use axum::{extract::State, Json};

use crate::{
    accounts::{
        notices, password, password_rules,
        requests::{ResetConfirmRequest, ResetRequest},
        reset_link::{self, decode_uid, hash_token},
        store::{refresh_tokens, reset_links, users, User},
        views::DetailResponse,
    },
    db::now_micros,
    error::{ApiError, FieldErrors},
    http::extract::Valid,
    state::AppState,
};

const INVALID_TOKEN: &str = "Invalid or expired token.";

/// Queues a reset link when the address belongs to an active account; answers the same either way.
#[utoipa::path(post, path = "/auth/password/reset/", tag = "accounts", request_body = ResetRequest,
    responses((status = 200, body = DetailResponse), (status = 400, description = "missing or malformed email")))]
pub async fn request_password_reset(
    State(state): State<AppState>,
    Valid(body): Valid<ResetRequest>,
) -> Result<Json<DetailResponse>, ApiError> {
    // Off the request path, the lookup included: an existing account costs one more insert than
    // an unknown one, which would otherwise tell them apart by the time the answer takes.
    tokio::spawn(async move {
        if let Err(err) = queue_reset_link(&state, &body.email).await {
            tracing::error!(error = ?err, "could not queue a password reset link");
        }
    });
    Ok(Json(DetailResponse {
        detail: "If the account exists, an email has been sent.",
    }))
}

/// Queues the `password_reset` job when `email` is an active account's.
async fn queue_reset_link(state: &AppState, email: &str) -> Result<(), sqlx::Error> {
    let Some(user) = users::find_by_email(&state.db.pool, email)
        .await?
        .filter(|user| user.is_active.0)
    else {
        return Ok(());
    };
    let mut conn = state.db.write_connection().await?;
    reset_link::queue(&mut conn, user.id).await
}

/// Sets a new password from a reset link; the link then stops working and every session ends.
#[utoipa::path(post, path = "/auth/password/reset/confirm/", tag = "accounts", request_body = ResetConfirmRequest,
    responses((status = 200, body = DetailResponse),
        (status = 400, description = "invalid or expired token, rule failures, or mismatch")))]
pub async fn confirm_password_reset(
    State(state): State<AppState>,
    Valid(body): Valid<ResetConfirmRequest>,
) -> Result<Json<DetailResponse>, ApiError> {
    let token_hash = hash_token(&body.token);
    let user = redeemable_user(&state, &body.uid, &token_hash)
        .await?
        .ok_or_else(|| FieldErrors::single("token", INVALID_TOKEN))?;
    let mut errors = FieldErrors::new();
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
    if !reset_links::claim(&mut *tx, &token_hash).await? {
        return Err(FieldErrors::single("token", INVALID_TOKEN));
    }
    users::set_password_hash(&mut *tx, user.id, &hash).await?;
    // Any other outstanding link for this account is void now too.
    reset_links::void_all_for_user(&mut tx, user.id).await?;
    refresh_tokens::revoke_all_for_user(&mut *tx, user.id).await?;
    let announcement = notices::password_changed(&mut tx, user.id).await?;
    tx.commit().await?;
    announcement.announce(&state.live);
    Ok(Json(DetailResponse {
        detail: "Password reset successful.",
    }))
}

/// The active user a live, unused token for `uid` belongs to.
async fn redeemable_user(
    state: &AppState,
    uid: &str,
    token_hash: &str,
) -> Result<Option<User>, ApiError> {
    let Some(user_id) = decode_uid(uid) else {
        return Ok(None);
    };
    let link = reset_links::find(&state.db.pool, token_hash).await?;
    let live = link.is_some_and(|link| {
        link.user_id == user_id && link.used_at.is_none() && link.expires_at > now_micros()
    });
    if !live {
        return Ok(None);
    }
    Ok(users::find_by_id(&state.db.pool, user_id)
        .await?
        .filter(|u| u.is_active.0))
}
