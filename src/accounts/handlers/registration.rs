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
    state::AppState,
    track::Captured,
    validation::Draft,
};

/// Registers a customer account.
#[utoipa::path(post, path = "/auth/users/", tag = "accounts", request_body = RegisterRequest,
    responses((status = 201, body = RegisterResponse), (status = 400, description = "field errors")))]
pub async fn create_user(
    State(state): State<AppState>,
    mut draft: Draft<RegisterRequest>,
) -> Result<(StatusCode, Captured, Json<RegisterResponse>), ApiError> {
    check(&state, &mut draft).await?;
    let body = draft.finish()?;
    // Required fields: `finish` refused a body without them.
    let email = body.email.unwrap_or_default();
    let username = body.username.unwrap_or_default();
    let password = body.password.unwrap_or_default();
    let first_name = body.first_name.unwrap_or_default();
    let last_name = body.last_name.unwrap_or_default();
    // Like DRF, object-level checks run only once every field is valid.
    if body
        .password_confirm
        .is_some_and(|confirm| confirm != password)
    {
        return Err(FieldErrors::single(
            "non_field_errors",
            super::PASSWORDS_DIFFER,
        ));
    }

    let hash = password::hash(password, state.settings.fast_password_hashing).await?;
    let new_user = NewUser {
        email: &email,
        username: &username,
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
        Captured::register(id),
        Json(RegisterResponse {
            user: UserResponse::from(&user),
            tokens,
        }),
    ))
}

/// Adds a taken email or username, and the password rules, to the field errors: one `400`
/// lists them all, as DRF does.
async fn check(state: &AppState, draft: &mut Draft<RegisterRequest>) -> Result<(), ApiError> {
    let body = &draft.request;
    let errors = &mut draft.errors;
    // Friendly messages up front; the unique indexes remain the real guarantee.
    if let Some(email) = &body.email {
        if users::email_taken(&state.db.pool, email).await? {
            errors.add("email", users::duplicate_message("email"));
        }
    }
    if let Some(username) = &body.username {
        if users::username_taken(&state.db.pool, username, None).await? {
            errors.add("username", users::duplicate_message("username"));
        }
    }
    if let Some(password) = &body.password {
        let attributes = UserAttributes {
            username: body.username.as_deref().unwrap_or_default(),
            first_name: body.first_name.as_deref().unwrap_or_default(),
            last_name: body.last_name.as_deref().unwrap_or_default(),
            email: body.email.as_deref().unwrap_or_default(),
        };
        for message in password_rules::check(password, attributes) {
            errors.add("password", message);
        }
    }
    Ok(())
}
