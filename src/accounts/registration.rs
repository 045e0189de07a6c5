//! Registration: `POST auth/users/` creates a customer and signs them in.

use axum::{extract::State, http::StatusCode, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    accounts::{
        fields, password,
        password_rules::{self, UserAttributes},
        refresh_tokens::{self, TokenPair},
        users::{self, UserResponse},
    },
    db::{now_micros, ResultExt},
    error::{ApiError, FieldErrors},
    http::extract,
    state::AppState,
};

/// `POST auth/users/` body. Any other key (`role`, `is_staff`...) is ignored: a new account is
/// always a customer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    #[schema(required = true, value_type = String)]
    pub email: Option<String>,
    #[schema(required = true, value_type = String)]
    pub username: Option<String>,
    #[schema(required = true, value_type = String)]
    pub password: Option<String>,
    /// Must equal `password` when given.
    pub password_confirm: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// The new user and a signed-in token pair.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisterResponse {
    pub user: UserResponse,
    #[serde(flatten)]
    pub tokens: TokenPair,
}

/// Registers a customer account.
#[utoipa::path(post, path = "/auth/users/", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = RegisterResponse), (status = 400, description = "field errors")))]
pub async fn create_user(
    State(state): State<AppState>,
    extract::Json(body): extract::Json<RegisterRequest>,
) -> Result<(StatusCode, Json<RegisterResponse>), ApiError> {
    let mut errors = FieldErrors::new();
    let email = fields::email(&mut errors, "email", body.email.as_deref());
    let username = fields::username(&mut errors, "username", body.username.as_deref());
    let secret = fields::required_password(&mut errors, "password", body.password.as_deref());
    let first_name = fields::optional_name(&mut errors, "first_name", body.first_name.as_deref())
        .unwrap_or_default();
    let last_name = fields::optional_name(&mut errors, "last_name", body.last_name.as_deref())
        .unwrap_or_default();
    // Friendly messages up front; the unique indexes below remain the real guarantee.
    if let Some(email) = &email {
        if users::email_taken(&state.db.pool, email).await? {
            errors.add("email", users::duplicate_message("email"));
        }
    }
    if let Some(username) = &username {
        if users::username_taken(&state.db.pool, username, None).await? {
            errors.add("username", users::duplicate_message("username"));
        }
    }
    if let Some(secret) = &secret {
        let attributes = UserAttributes {
            username: username.as_deref().unwrap_or_default(),
            first_name: &first_name,
            last_name: &last_name,
            email: email.as_deref().unwrap_or_default(),
        };
        for message in password_rules::check(secret, attributes) {
            errors.add("password", message);
        }
    }
    errors.into_result()?;
    let (email, username, secret) = (
        email.unwrap_or_default(),
        username.unwrap_or_default(),
        secret.unwrap_or_default(),
    );
    // Like DRF, object-level checks run only once every field is valid.
    if body
        .password_confirm
        .is_some_and(|confirm| confirm != secret)
    {
        return Err(FieldErrors::single(
            "non_field_errors",
            "Passwords don't match.",
        ));
    }

    let hash = password::hash(secret, state.settings.fast_password_hashing).await?;
    let mut tx = state.db.begin_write().await?;
    let inserted = sqlx::query_scalar(
        "INSERT INTO users (email, username, password_hash, first_name, last_name, role, is_active, date_joined, last_login) \
         VALUES ($1, $2, $3, $4, $5, 'customer', TRUE, $6, NULL) RETURNING id",
    )
    .bind(&email)
    .bind(&username)
    .bind(&hash)
    .bind(&first_name)
    .bind(&last_name)
    .bind(now_micros())
    .fetch_one(&mut *tx)
    .await;
    // Lost a race with a concurrent registration of the same email or username.
    let id: i64 = inserted.on_constraint(users::duplicate)?;
    let tokens = refresh_tokens::issue_pair(&mut *tx, &state.tokens, id, None).await?;
    tx.commit().await?;
    let user = users::find_by_id(&state.db.pool, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("user {id} vanished"))?;
    Ok((
        StatusCode::CREATED,
        Json(RegisterResponse {
            user: UserResponse::from(&user),
            tokens,
        }),
    ))
}
