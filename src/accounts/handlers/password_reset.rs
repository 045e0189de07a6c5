//! Password reset by email: `auth/password/reset/` mails a single-use link valid for one hour,
//! `auth/password/reset/confirm/` redeems it.
//!
//! Only a SHA-256 of the emailed token is stored, so reading the database doesn't let anyone
//! reset a password. The request answers the same whether or not the account exists.

use axum::{extract::State, Json};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{
    accounts::{
        emails, notices, password, password_rules,
        requests::{ResetConfirmRequest, ResetRequest},
        store::{refresh_tokens, reset_links, users, User},
        views::DetailResponse,
    },
    db::now_micros,
    error::{ApiError, FieldErrors},
    http::extract::Valid,
    state::AppState,
};

/// How long a reset link works.
const TOKEN_LIFETIME_MICROS: i64 = 3600 * 1_000_000;

const INVALID_TOKEN: &str = "Invalid or expired token.";

/// Django's `urlsafe_base64_encode(force_bytes(pk))`: the id's decimal digits, base64url, unpadded.
fn encode_uid(user_id: i64) -> String {
    URL_SAFE_NO_PAD.encode(user_id.to_string())
}

fn decode_uid(uid: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(uid.trim_end_matches('=')).ok()?;
    String::from_utf8(bytes).ok()?.parse().ok()
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Emails a reset link when the address belongs to an active account; answers the same either way.
#[utoipa::path(post, path = "/auth/password/reset/", tag = "accounts", request_body = ResetRequest,
    responses((status = 200, body = DetailResponse), (status = 400, description = "missing or malformed email")))]
pub async fn request_password_reset(
    State(state): State<AppState>,
    Valid(body): Valid<ResetRequest>,
) -> Result<Json<DetailResponse>, ApiError> {
    if let Some(user) = users::find_by_email(&state.db.pool, &body.email)
        .await?
        .filter(|u| u.is_active.0)
    {
        // Off the request path: storing and mailing would otherwise make existing accounts
        // answer measurably slower than unknown ones.
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(err) = send_reset_link(&state, &user).await {
                tracing::error!(error = ?err, user_id = user.id, "could not send a password reset link");
            }
        });
    }
    Ok(Json(DetailResponse {
        detail: "If the account exists, an email has been sent.",
    }))
}

async fn send_reset_link(state: &AppState, user: &User) -> Result<(), ApiError> {
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    let token = URL_SAFE_NO_PAD.encode(raw);
    let expires_at = now_micros() + TOKEN_LIFETIME_MICROS;
    reset_links::insert(&state.db.pool, &hash_token(&token), user.id, expires_at).await?;
    let link = format!(
        "{}/reset-password/{}/{}",
        state.settings.frontend_url,
        encode_uid(user.id),
        token
    );
    let email = emails::reset_link(&user.email, &link);
    state.mailer.send(email).await.map_err(ApiError::Internal)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_djangos_base64_of_the_decimal_id() {
        assert_eq!(encode_uid(1), "MQ");
        assert_eq!(encode_uid(42), "NDI");
        assert_eq!(decode_uid("NDI"), Some(42));
        assert_eq!(decode_uid("NDI="), Some(42));
        assert_eq!(decode_uid("!!"), None);
    }
}
