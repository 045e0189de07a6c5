//! The `users` table: reads and writes shared by every accounts handler, and the user's JSON shape.

use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    accounts::role::Role,
    db::{types::format_micros, unique_constraint, Flag, Violation},
    error::{ApiError, FieldErrors},
};

/// One row of `users`.
#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub username: String,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub is_active: bool,
    pub date_joined: i64,
    pub last_login: Option<i64>,
}

/// A `SELECT {COLUMNS}` row.
pub type UserTuple = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    Flag,
    i64,
    Option<i64>,
);

/// The column list every `SELECT` of a whole user uses, in [`UserTuple`] order.
pub const COLUMNS: &str =
    "id, email, username, password_hash, first_name, last_name, role, is_active, date_joined, last_login";

impl From<UserTuple> for User {
    fn from(row: UserTuple) -> Self {
        let (
            id,
            email,
            username,
            password_hash,
            first_name,
            last_name,
            role,
            is_active,
            date_joined,
            last_login,
        ) = row;
        User {
            id,
            email,
            username,
            password_hash,
            first_name,
            last_name,
            role: Role::from_db(&role),
            is_active: is_active.0,
            date_joined,
            last_login,
        }
    }
}

/// A user as the API shows it to themselves (registration, profile).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub id: i64,
    pub email: String,
    pub username: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    /// RFC 3339 UTC.
    pub date_joined: String,
    /// RFC 3339 UTC; null until the first login.
    pub last_login: Option<String>,
}

impl From<&User> for UserResponse {
    fn from(user: &User) -> Self {
        UserResponse {
            id: user.id,
            email: user.email.clone(),
            username: user.username.clone(),
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            role: user.role,
            date_joined: format_micros(user.date_joined),
            last_login: user.last_login.map(format_micros),
        }
    }
}

/// The user with `id`, active or not.
pub async fn find_by_id(pool: &sqlx::AnyPool, id: i64) -> Result<Option<User>, ApiError> {
    let row: Option<UserTuple> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(row.map(User::from))
}

/// The user whose email matches `email` ignoring case (the unique index uses the same expression).
pub async fn find_by_email(pool: &sqlx::AnyPool, email: &str) -> Result<Option<User>, ApiError> {
    let row: Option<UserTuple> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE LOWER(email) = LOWER($1)"
    ))
    .bind(email.trim())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(User::from))
}

/// True when some user other than `except` already has `username`.
pub async fn username_taken(
    pool: &sqlx::AnyPool,
    username: &str,
    except: Option<i64>,
) -> Result<bool, ApiError> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = $1 AND id <> $2")
            .bind(username)
            .bind(except.unwrap_or(0))
            .fetch_one(pool)
            .await?;
    Ok(count > 0)
}

/// True when a user already has `email`, ignoring case.
pub async fn email_taken(pool: &sqlx::AnyPool, email: &str) -> Result<bool, ApiError> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE LOWER(email) = LOWER($1)")
            .bind(email)
            .fetch_one(pool)
            .await?;
    Ok(count > 0)
}

/// Which unique constraint of `users` an insert or update broke: `"email"` or `"username"`.
pub fn violated_field(err: &sqlx::Error) -> Option<&'static str> {
    unique_field(&unique_constraint(err)?)
}

/// The field error for a unique constraint of `users` a write broke (a lost race with a
/// concurrent registration or rename), for [`crate::db::ResultExt::on_constraint`].
pub fn duplicate(violation: Violation<'_>) -> Option<ApiError> {
    let Violation::Unique(name) = violation else {
        return None;
    };
    let field = unique_field(name)?;
    Some(FieldErrors::single(field, duplicate_message(field)))
}

/// The field a unique constraint of `users` guards (names from migrations/0001_accounts.sql).
fn unique_field(constraint: &str) -> Option<&'static str> {
    match constraint {
        "users_email_lower_key" => Some("email"),
        "users_username_key" => Some("username"),
        _ => None,
    }
}

/// Django's messages for the two unique fields.
pub fn duplicate_message(field: &str) -> &'static str {
    if field == "email" {
        "user with this email already exists."
    } else {
        "A user with that username already exists."
    }
}

/// Replaces the user's password hash.
pub async fn set_password_hash<'e, E>(executor: E, user_id: i64, hash: &str) -> Result<(), ApiError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
}
