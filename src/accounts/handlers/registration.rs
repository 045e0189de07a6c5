//! Registration: `POST auth/users/` creates a customer and signs them in.

use axum::{extract::State, http::StatusCode, Json};

use crate::{
    accounts::{
        password,
        password_rules::{self, UserAttributes},
        requests::RegisterRequest,
        role::Role,
        sessions,
        store::users::{self, NewUser},
        views::{RegisterResponse, UserResponse},
    },
    error::{ApiError, FieldErrors},
    http::extract::Valid,
    state::AppState,
};

/// Registers a customer account.
#[utoipa::path(post, path = "/auth/users/", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = RegisterResponse), (status = 400, description = "field errors")))]
pub async fn create_user(
    State(state): State<AppState>,
    Valid(body): Valid<RegisterRequest>,
) -> Result<(StatusCode, Json<RegisterResponse>), ApiError> {
    let first_name = body.first_name.unwrap_or_default();
    let last_name = body.last_name.unwrap_or_default();
    let attributes = UserAttributes {
        username: &body.username,
        first_name: &first_name,
        last_name: &last_name,
        email: &body.email,
    };
    check(&state, &body.password, attributes).await?;
    // Like DRF, object-level checks run only once every field is valid.
    if body
        .password_confirm
        .is_some_and(|confirm| confirm != body.password)
    {
        return Err(FieldErrors::single(
            "non_field_errors",
            super::PASSWORDS_DIFFER,
        ));
    }

    let hash = password::hash(body.password, state.settings.fast_password_hashing).await?;
    let new_user = NewUser {
        email: &body.email,
        username: &body.username,
        password_hash: &hash,
        first_name: &first_name,
        last_name: &last_name,
        role: Role::Customer,
    };
    let mut tx = state.db.begin_write().await?;
    // The unique indexes are the real guarantee: a lost race is the same field error.
    let id = users::insert(&mut *tx, &new_user).await?;
    let tokens = sessions::issue_pair(&mut *tx, &state.tokens, id, None).await?;
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

/// A taken email or username, and the password rules, reported at once.
async fn check(
    state: &AppState,
    password: &str,
    attributes: UserAttributes<'_>,
) -> Result<(), ApiError> {
    let mut errors = FieldErrors::new();
    // Friendly messages up front; the unique indexes remain the real guarantee.
    if users::email_taken(&state.db.pool, attributes.email).await? {
        errors.add("email", users::duplicate_message("email"));
    }
    if users::username_taken(&state.db.pool, attributes.username, None).await? {
        errors.add("username", users::duplicate_message("username"));
    }
    for message in password_rules::check(password, attributes) {
        errors.add("password", message);
    }
    errors.into_result()
}
