//! Password reset by email: `auth/password/reset/` mails a single-use link valid for one hour,
//! `auth/password/reset/confirm/` redeems it.
//!
//! Only a SHA-256 of the emailed token is stored, so reading the database doesn't let anyone
//! reset a password. The request answers the same whether or not the account exists.

use axum::{extract::State, Json};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;
use utoipa::ToSchema;

use crate::{
    accounts::{
        fields, password,
        password_change::send_security_email,
        password_rules::{self, UserAttributes},
        refresh_tokens,
        users::{self, User},
    },
    db::now_micros,
    error::{ApiError, FieldErrors},
    http::extract,
    mail::OutgoingEmail,
    state::AppState,
};

/// How long a reset link works.
const TOKEN_LIFETIME_MICROS: i64 = 3600 * 1_000_000;

/// `POST auth/password/reset/` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetRequest {
    #[schema(required = true, value_type = String)]
    pub email: Option<String>,
}

/// `POST auth/password/reset/confirm/` body: `uid` and `token` exactly as the link carried them.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetConfirmRequest {
    #[schema(required = true, value_type = String)]
    pub uid: Option<String>,
    #[schema(required = true, value_type = String)]
    pub token: Option<String>,
    #[schema(required = true, value_type = String)]
    pub new_password: Option<String>,
    #[schema(required = true, value_type = String)]
    pub new_password_confirm: Option<String>,
}

/// A one-line outcome (`{"detail": "..."}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct DetailResponse {
    pub detail: &'static str,
}

/// Django's `urlsafe_base64_encode(force_bytes(pk))`: the id's decimal digits, base64url, unpadded.
pub fn encode_uid(user_id: i64) -> String {
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
    extract::Json(body): extract::Json<ResetRequest>,
) -> Result<Json<DetailResponse>, ApiError> {
    let mut errors = FieldErrors::new();
    let email = fields::email(&mut errors, "email", body.email.as_deref());
    errors.into_result()?;
    if let Some(user) = users::find_by_email(&state.db.pool, &email.unwrap_or_default())
        .await?
        .filter(|u| u.is_active)
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
    let now = now_micros();
    sqlx::query(
        "INSERT INTO password_reset_tokens (token_hash, user_id, expires_at, used_at, created_at) \
         VALUES ($1, $2, $3, NULL, $4)",
    )
    .bind(hash_token(&token))
    .bind(user.id)
    .bind(now + TOKEN_LIFETIME_MICROS)
    .bind(now)
    .execute(&state.db.pool)
    .await?;
    let link = format!(
        "{}/reset-password/{}/{}",
        state.settings.frontend_url,
        encode_uid(user.id),
        token
    );
    let email = OutgoingEmail {
        to: user.email.clone(),
        subject: "Reset your Nexus Commerce password".to_owned(),
        body: format!(
            "Someone asked to reset the password of your Nexus Commerce account.\n\n\
             To choose a new password, open this link within one hour:\n{link}\n\n\
             The link works once. If you did not ask for this, ignore this email."
        ),
    };
    state.mailer.send(email).await.map_err(ApiError::Internal)
}

/// Sets a new password from a reset link; the link then stops working and every session ends.
#[utoipa::path(post, path = "/auth/password/reset/confirm/", tag = "accounts", request_body = ResetConfirmRequest,
    responses((status = 200, body = DetailResponse),
        (status = 400, description = "invalid or expired token, rule failures, or mismatch")))]
pub async fn confirm_password_reset(
    State(state): State<AppState>,
    extract::Json(body): extract::Json<ResetConfirmRequest>,
) -> Result<Json<DetailResponse>, ApiError> {
    let mut errors = FieldErrors::new();
    let uid = fields::required(&mut errors, "uid", body.uid.as_deref());
    let token = fields::required(&mut errors, "token", body.token.as_deref());
    let new = fields::required_password(&mut errors, "new_password", body.new_password.as_deref());
    let confirm = fields::required_password(
        &mut errors,
        "new_password_confirm",
        body.new_password_confirm.as_deref(),
    );
    errors.into_result()?;
    let token_hash = hash_token(&token.unwrap_or_default());
    let user = redeemable_user(&state, uid.as_deref().unwrap_or_default(), &token_hash).await?;
    let new = new.unwrap_or_default();
    let mut errors = FieldErrors::new();
    match &user {
        None => errors.add("token", INVALID_TOKEN),
        Some(user) => {
            let attributes = UserAttributes {
                username: &user.username,
                first_name: &user.first_name,
                last_name: &user.last_name,
                email: &user.email,
            };
            for message in password_rules::check(&new, attributes) {
                errors.add("new_password", message);
            }
        }
    }
    errors.into_result()?;
    let user = user.ok_or_else(|| FieldErrors::single("token", INVALID_TOKEN))?;
    if confirm.as_deref() != Some(new.as_str()) {
        return Err(FieldErrors::single(
            "non_field_errors",
            "Passwords don't match.",
        ));
    }
    let hash = password::hash(new, state.settings.fast_password_hashing).await?;
    let now = now_micros();
    let mut tx = state.db.begin_write().await?;
    // The conditional update is what makes the link single-use, even for two racing requests.
    let claimed = sqlx::query(
        "UPDATE password_reset_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(now)
    .bind(&token_hash)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 {
        return Err(FieldErrors::single("token", INVALID_TOKEN));
    }
    users::set_password_hash(&mut *tx, user.id, &hash).await?;
    // Any other outstanding link for this account is void now too.
    void_reset_links(&mut tx, user.id).await?;
    refresh_tokens::revoke_all_for_user(&mut *tx, user.id).await?;
    tx.commit().await?;
    send_security_email(&state, &user.email).await;
    Ok(Json(DetailResponse {
        detail: "Password reset successful.",
    }))
}

const INVALID_TOKEN: &str = "Invalid or expired token.";

/// Marks every unused reset link of `user_id` as used: a new password (set by a reset or a
/// change) voids the links asked for before it (SPEC §5), so a leaked reset email can't undo it.
pub async fn void_reset_links(conn: &mut AnyConnection, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE password_reset_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL",
    )
    .bind(now_micros())
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
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
    let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT user_id, expires_at, used_at FROM password_reset_tokens WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(&state.db.pool)
    .await?;
    let live = matches!(row, Some((owner, expires_at, None)) if owner == user_id && expires_at > now_micros());
    if !live {
        return Ok(None);
    }
    Ok(users::find_by_id(&state.db.pool, user_id)
        .await?
        .filter(|u| u.is_active))
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
