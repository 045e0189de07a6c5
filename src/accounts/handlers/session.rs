//! Sessions: log in (`auth/jwt/create/`), rotate (`auth/jwt/refresh/`), verify and log out.

use axum::{extract::State, http::StatusCode, Extension, Json};

use crate::{
    accounts::{
        password,
        requests::{LoginRequest, LogoutRequest, RefreshRequest, VerifyRequest},
        sessions,
        store::{refresh_tokens, users},
        views::{Empty, MessageResponse, TokenPair},
        CurrentUser,
    },
    error::ApiError,
    http::{
        extract::Valid,
        rate_limit::{ClientKey, LoginBudget},
        security_log,
    },
    state::AppState,
    tokens::{Claims, TokenError, TokenType},
    track::Captured,
};

const BAD_CREDENTIALS: &str = "No active account found with the given credentials";

fn token_not_valid(detail: &str) -> ApiError {
    ApiError::client(StatusCode::UNAUTHORIZED, "token_not_valid", detail)
}

/// Logs in with email and password.
#[utoipa::path(post, path = "/auth/jwt/create/", tag = "accounts", request_body = LoginRequest,
    responses((status = 200, body = TokenPair), (status = 400, description = "missing fields"),
        (status = 401, description = "wrong credentials or inactive account"),
        (status = 429, description = "too many attempts for this IP or account")))]
pub async fn create_token(
    State(state): State<AppState>,
    client: Option<Extension<ClientKey>>,
    Valid(body): Valid<LoginRequest>,
) -> Result<(Captured, Json<TokenPair>), ApiError> {
    let user = authenticate(&state, client, &body.email, body.password).await?;
    let pair = sessions::issue_pair(&state.db.pool, &state.tokens, user.id, None).await?;
    Ok((Captured::login(user.id), Json(pair)))
}

/// Checks an email and password as every sign-in does (the API's token and the staff
/// dashboard's session): the rate limits, the password, an active account; records the login.
/// Any failure is the one `401` that names nothing (which part was wrong stays unknown).
pub async fn authenticate(
    state: &AppState,
    client: Option<Extension<ClientKey>>,
    email: &str,
    password: String,
) -> Result<users::User, ApiError> {
    // The per-IP rule (every attempt) is in the middleware, which also put the client's key here
    // (absent only when rate limiting is off). The account budgets are checked before the
    // password is, and spent only when it was wrong (SPEC §5).
    let client = client.map_or_else(|| ClientKey::of(None), |Extension(key)| key);
    let budget = LoginBudget::new(&client, email);
    state.rate_limiter.check_login(&budget).await?;
    let user = users::find_by_email(&state.db.pool, email).await?;
    // An imported Django hash is replaced once the password is known to match: keep a copy.
    let rehash_with = user
        .as_ref()
        .filter(|user| password::needs_rehash(&user.password_hash))
        .map(|_| password.clone());
    // Unknown emails still pay for one verification, so timing doesn't reveal which accounts exist.
    let matches = match &user {
        Some(user) => password::verify(password, user.password_hash.clone()).await?,
        None => {
            password::verify_dummy(password, state.settings.fast_password_hashing).await?;
            false
        }
    };
    let user = match user {
        Some(user) if matches && user.is_active.0 => user,
        _ => {
            state.rate_limiter.spend_failed_login(&budget).await;
            security_log::login_failed(budget.account_digest());
            return Err(ApiError::authentication_failed(BAD_CREDENTIALS));
        }
    };
    if let Some(password) = rehash_with {
        rehash(state, &user, password).await;
    }
    users::touch_last_login(&state.db.pool, user.id).await?;
    Ok(user)
}

/// Replaces a verified imported hash (Django's PBKDF2) with Argon2id, unless the password was
/// changed meanwhile. The sign-in succeeds whatever happens here: the old hash still verifies,
/// so the next sign-in tries again.
async fn rehash(state: &AppState, user: &users::User, password: String) {
    let replaced = async {
        let hash = password::hash(password, state.settings.fast_password_hashing).await?;
        users::replace_password_hash(&state.db.pool, user.id, &user.password_hash, &hash).await?;
        anyhow::Ok(())
    };
    if let Err(err) = replaced.await {
        tracing::warn!(
            user_id = user.id,
            error = %format!("{err:#}"),
            "could not replace an imported password hash"
        );
    }
}

/// Exchanges a refresh token for a new pair; the old token is revoked, and presenting a revoked
/// one revokes its whole family.
#[utoipa::path(post, path = "/auth/jwt/refresh/", tag = "accounts", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 400, description = "missing `refresh`"),
        (status = 401, description = "invalid, expired or reused token")))]
pub async fn refresh_token(
    State(state): State<AppState>,
    Valid(body): Valid<RefreshRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    let claims = state
        .tokens
        .decode(&body.refresh, TokenType::Refresh)
        .map_err(|err| {
            security_log::token_rejected("refresh", err.message(), None);
            token_not_valid(err.message())
        })?;
    let mut tx = state.db.begin_write().await?;
    let Some(owner) = refresh_tokens::revoke(&mut *tx, &claims.jti).await? else {
        // Signed by us but no longer live: either it was rotated already (a stolen copy being
        // replayed, or the legitimate client after a thief) or its user was deleted.
        let Some(known) = refresh_tokens::find(&mut *tx, &claims.jti).await? else {
            security_log::token_rejected("refresh", "unknown token", Some(claims.user_id));
            return Err(token_not_valid(TokenError::Invalid.message()));
        };
        let revoked = refresh_tokens::revoke_family(&mut *tx, &known.family_id).await?;
        tx.commit().await?;
        security_log::refresh_token_reused(claims.user_id, revoked);
        return Err(token_not_valid("Token is blacklisted"));
    };
    let user_id = owner.user_id;
    let user = users::session_state(&mut *tx, user_id).await?;
    if user
        .as_ref()
        .is_some_and(|user| claims.issued_before(user.tokens_valid_after))
    {
        // Promotion revokes the stored tokens too; this also catches one minted by a login that
        // raced the promotion. The token stays revoked.
        tx.commit().await?;
        security_log::token_rejected("refresh", "issued before tokens_valid_after", Some(user_id));
        return Err(token_not_valid(TokenError::Invalid.message()));
    }
    if !user.is_some_and(|user| user.is_active.0) {
        tx.commit().await?;
        return Err(ApiError::client(
            StatusCode::UNAUTHORIZED,
            "no_active_account",
            "No active account found for the given token.",
        ));
    }
    let family = Some(owner.family_id);
    let pair = sessions::issue_pair(&mut *tx, &state.tokens, user_id, family).await?;
    tx.commit().await?;
    Ok(Json(pair))
}

/// Checks a token's signature and expiry (either type); a revoked refresh token fails.
#[utoipa::path(post, path = "/auth/jwt/verify/", tag = "accounts", request_body = VerifyRequest,
    responses((status = 200, body = Empty), (status = 400, description = "missing `token`"),
        (status = 401, description = "invalid, expired or revoked token")))]
pub async fn verify_token(
    State(state): State<AppState>,
    Valid(body): Valid<VerifyRequest>,
) -> Result<Json<Empty>, ApiError> {
    let claims = decode_any(&state, &body.token).map_err(|err| token_not_valid(err.message()))?;
    if claims.token_type == TokenType::Refresh
        && refresh_tokens::is_revoked(&state.db.pool, &claims.jti).await?
    {
        return Err(token_not_valid("Token is blacklisted"));
    }
    // A token the API would refuse (issued before the account's sessions were ended) must not
    // verify either.
    let user = users::session_state(&state.db.pool, claims.user_id).await?;
    if claims.issued_before(user.and_then(|user| user.tokens_valid_after)) {
        return Err(token_not_valid(TokenError::Invalid.message()));
    }
    Ok(Json(Empty {}))
}

/// A token of either type, as SimpleJWT's `UntypedToken` accepts.
fn decode_any(state: &AppState, token: &str) -> Result<Claims, TokenError> {
    match state.tokens.decode(token, TokenType::Access) {
        Err(TokenError::WrongType) => state.tokens.decode(token, TokenType::Refresh),
        other => other,
    }
}

/// Logs out: revokes the caller's refresh token and the rest of its family (the session).
/// The access token stays valid until it expires (at most its 15-minute lifetime).
#[utoipa::path(post, path = "/auth/logout/", tag = "accounts", request_body = LogoutRequest,
    security(("bearer" = [])),
    responses((status = 205, body = MessageResponse), (status = 400, description = "no refresh token given"),
        (status = 401, description = "not signed in")))]
pub async fn revoke_token(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Valid(body): Valid<LogoutRequest>,
) -> Result<(StatusCode, Json<MessageResponse>), ApiError> {
    let claims = state.tokens.decode(&body.token(), TokenType::Refresh).ok();
    // Someone else's token (or garbage) is not ours to revoke; the answer doesn't say whose it is.
    let mut revoked_now = false;
    if let Some(claims) = claims.filter(|c| c.user_id == user.id) {
        let mut tx = state.db.begin_write().await?;
        revoked_now = refresh_tokens::revoke(&mut *tx, &claims.jti)
            .await?
            .is_some();
        if let Some(known) = refresh_tokens::find(&mut *tx, &claims.jti).await? {
            refresh_tokens::revoke_family(&mut *tx, &known.family_id).await?;
        }
        tx.commit().await?;
    }
    let message = if revoked_now {
        "Successfully logged out"
    } else {
        "Logged out (token may already be invalid)"
    };
    Ok((
        StatusCode::RESET_CONTENT,
        Json(MessageResponse {
            message: message.to_owned(),
        }),
    ))
}
