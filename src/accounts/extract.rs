//! Extractors that say who may call a handler: [`CurrentUser`], [`MaybeUser`], [`Staff`], [`Admin`].
//!
//! The user row is read on every authenticated request (with Redis, once per accounts version:
//! `super::callers`), so a deactivated user, a changed role or ended sessions
//! (`users.tokens_valid_after`) take effect immediately rather than when the access token
//! expires. They live in accounts (exported from its front) because they read the
//! caller's row; `http` stays below every feature.

use axum::{extract::FromRequestParts, http::request::Parts};
use serde_json::json;

use super::{callers, role::Role, store::Caller};
use crate::{
    db::Flag,
    error::ApiError,
    http::security_log,
    state::AppState,
    telemetry::request,
    tokens::{TokenError, TokenType},
};

/// The authenticated caller.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub id: i64,
    pub email: String,
    pub username: String,
    pub role: Role,
}

/// Any signed-in user (`401` otherwise).
#[derive(Clone, Debug)]
pub struct CurrentUser(pub AuthUser);

/// A signed-in user or nobody; a bad token is still a `401`, as DRF does.
#[derive(Clone, Debug)]
pub struct MaybeUser(pub Option<AuthUser>);

/// A staff member or admin (`401` anonymous, `403` otherwise).
#[derive(Clone, Debug)]
pub struct Staff(pub AuthUser);

/// An admin (`401` anonymous, `403` otherwise).
#[derive(Clone, Debug)]
pub struct Admin(pub AuthUser);

fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn token_not_valid(error: TokenError) -> ApiError {
    ApiError::client(
        axum::http::StatusCode::UNAUTHORIZED,
        "token_not_valid",
        "Given token not valid for any token type",
    )
    .with_extra(
        "messages",
        json!([{ "token_class": "AccessToken", "token_type": "access", "message": error.message() }]),
    )
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<AuthUser>, ApiError> {
    let Some(token) = bearer_token(parts) else {
        return Ok(None);
    };
    let claims = state
        .tokens
        .decode(token, TokenType::Access)
        .map_err(|error| {
            security_log::token_rejected("access", error.message(), None);
            token_not_valid(error)
        })?;
    let caller = callers::find(state, claims.user_id).await?;
    let user_id = Some(claims.user_id);
    match caller {
        None => {
            security_log::token_rejected("access", "user not found", user_id);
            Err(ApiError::client(
                axum::http::StatusCode::UNAUTHORIZED,
                "user_not_found",
                "User not found",
            ))
        }
        Some(Caller {
            is_active: Flag(false),
            ..
        }) => {
            security_log::token_rejected("access", "user inactive", user_id);
            Err(ApiError::client(
                axum::http::StatusCode::UNAUTHORIZED,
                "user_inactive",
                "User is inactive",
            ))
        }
        // Issued before `createsuperuser --promote-existing` ended the account's sessions: the
        // previous holder's token must not act with the role the promotion just granted.
        Some(caller) if claims.issued_before(caller.tokens_valid_after) => {
            security_log::token_rejected("access", "issued before tokens_valid_after", user_id);
            Err(token_not_valid(TokenError::Invalid))
        }
        Some(caller) => Ok(Some(AuthUser {
            id: caller.id,
            email: caller.email,
            username: caller.username,
            role: caller.role,
        })),
    }
}

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(user) = parts.extensions.get::<AuthUser>() {
            return Ok(MaybeUser(Some(user.clone())));
        }
        let user = authenticate(parts, state).await?;
        if let Some(user) = &user {
            // Later extractors in the same request reuse it instead of querying again.
            parts.extensions.insert(user.clone());
            request::record_user(user.id);
        }
        Ok(MaybeUser(user))
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let MaybeUser(user) = MaybeUser::from_request_parts(parts, state).await?;
        user.map(CurrentUser)
            .ok_or_else(ApiError::not_authenticated)
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        if !user.role.is_staff() {
            security_log::permission_denied(user.id);
            return Err(ApiError::permission_denied());
        }
        Ok(Staff(user))
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        if !user.role.is_admin() {
            security_log::permission_denied(user.id);
            return Err(ApiError::permission_denied());
        }
        Ok(Admin(user))
    }
}
