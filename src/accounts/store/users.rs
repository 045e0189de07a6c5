//! The `users` table: reads and writes of whole users, and the unique constraints' field errors.

use sqlx::{Any, AnyPool, Executor};

use crate::{
    accounts::role::Role,
    db::{now_micros, Flag, ResultExt, SqlBuilder, Violation},
    error::{ApiError, FieldErrors},
    http::pagination::PageRequest,
};

/// One row of `users`.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub username: String,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
    pub is_active: Flag,
    pub date_joined: i64,
    pub last_login: Option<i64>,
}

/// The columns of a [`User`].
const COLUMNS: &str =
    "id, email, username, password_hash, first_name, last_name, role, is_active, date_joined, last_login";

/// The user with `id`, active or not.
pub async fn find_by_id(pool: &AnyPool, id: i64) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// The user whose email matches `email` ignoring case (the unique index uses the same expression).
pub async fn find_by_email(pool: &AnyPool, email: &str) -> Result<Option<User>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users WHERE LOWER(email) = LOWER($1)"
    ))
    .bind(email.trim())
    .fetch_optional(pool)
    .await
}

/// True when some user other than `except` already has `username`.
pub async fn username_taken(
    pool: &AnyPool,
    username: &str,
    except: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = $1 AND id <> $2")
            .bind(username)
            .bind(except.unwrap_or(0))
            .fetch_one(pool)
            .await?;
    Ok(count > 0)
}

/// True when a user already has `email`, ignoring case.
pub async fn email_taken(pool: &AnyPool, email: &str) -> Result<bool, sqlx::Error> {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE LOWER(email) = LOWER($1)")
            .bind(email)
            .fetch_one(pool)
            .await?;
    Ok(count > 0)
}

/// A user about to be inserted.
#[derive(Debug)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub username: &'a str,
    pub password_hash: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub role: Role,
}

/// Inserts an active user; returns its id. A taken email or username is the field error
/// [`duplicate`] words (a lost race with a concurrent registration).
pub async fn insert<'e, E>(executor: E, user: &NewUser<'_>) -> Result<i64, ApiError>
where
    E: Executor<'e, Database = Any>,
{
    let inserted = sqlx::query_scalar(
        "INSERT INTO users (email, username, password_hash, first_name, last_name, role, is_active, date_joined, last_login) \
         VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, NULL) RETURNING id",
    )
    .bind(user.email)
    .bind(user.username)
    .bind(user.password_hash)
    .bind(user.first_name)
    .bind(user.last_name)
    .bind(user.role.as_str())
    .bind(now_micros())
    .fetch_one(executor)
    .await;
    inserted.on_constraint(duplicate)
}

/// Overwrites the given profile fields (`None` leaves one as it is).
pub async fn update_profile(
    pool: &AnyPool,
    user_id: i64,
    username: Option<&str>,
    first_name: Option<&str>,
    last_name: Option<&str>,
) -> Result<(), ApiError> {
    let updated = sqlx::query(
        "UPDATE users SET username = COALESCE($1, username), first_name = COALESCE($2, first_name), \
         last_name = COALESCE($3, last_name) WHERE id = $4",
    )
    .bind(username)
    .bind(first_name)
    .bind(last_name)
    .bind(user_id)
    .execute(pool)
    .await;
    updated.on_constraint(duplicate).map(|_| ())
}

/// Records a login.
pub async fn touch_last_login(pool: &AnyPool, user_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET last_login = $1 WHERE id = $2")
        .bind(now_micros())
        .bind(user_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Replaces the user's password hash.
pub async fn set_password_hash<'e, E>(
    executor: E,
    user_id: i64,
    hash: &str,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(executor)
        .await?;
    Ok(())
}

/// Replaces the user's password hash only if it is still `old`, so a password change or reset
/// that landed meanwhile is kept; true when it was replaced.
pub async fn replace_password_hash(
    pool: &AnyPool,
    user_id: i64,
    old: &str,
    new: &str,
) -> Result<bool, sqlx::Error> {
    let updated =
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3")
            .bind(new)
            .bind(user_id)
            .bind(old)
            .execute(pool)
            .await?;
    Ok(updated.rows_affected() > 0)
}

/// What a refresh needs to know of a token's owner.
#[derive(Debug, sqlx::FromRow)]
pub struct SessionState {
    pub is_active: Flag,
    /// Epoch seconds before which every token of the user is refused.
    pub tokens_valid_after: Option<i64>,
}

/// The user's [`SessionState`]; `None` when the user is gone.
pub async fn session_state<'e, E>(
    executor: E,
    user_id: i64,
) -> Result<Option<SessionState>, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query_as("SELECT is_active, tokens_valid_after FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(executor)
        .await
}

/// Changes a user's role and active flag (`None` leaves one as it is); false when there is no
/// such user.
pub async fn set_role_and_active<'e, E>(
    executor: E,
    user_id: i64,
    role: Option<Role>,
    is_active: Option<bool>,
) -> Result<bool, sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    let updated = sqlx::query(
        "UPDATE users SET role = COALESCE($1, role), is_active = COALESCE($2, is_active) WHERE id = $3",
    )
    .bind(role.map(Role::as_str))
    .bind(is_active)
    .bind(user_id)
    .execute(executor)
    .await?;
    Ok(updated.rows_affected() > 0)
}

/// Makes the user an active admin whose tokens issued before `tokens_valid_after` (epoch
/// seconds) are refused.
pub async fn promote_to_admin<'e, E>(
    executor: E,
    user_id: i64,
    tokens_valid_after: i64,
) -> Result<(), sqlx::Error>
where
    E: Executor<'e, Database = Any>,
{
    sqlx::query(
        "UPDATE users SET role = 'admin', is_active = TRUE, tokens_valid_after = $1 WHERE id = $2",
    )
    .bind(tokens_valid_after)
    .bind(user_id)
    .execute(executor)
    .await?;
    Ok(())
}

/// The admin list's filters; `None` filters nothing.
#[derive(Debug, Default)]
pub struct UserFilter {
    /// Matched case-insensitively as a substring of the email or the username.
    pub search: Option<String>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

impl UserFilter {
    /// `SELECT <select> FROM users WHERE …` with the filters bound.
    fn sql(&self, select: &str) -> SqlBuilder {
        let mut sql = SqlBuilder::new(&format!("SELECT {select} FROM users WHERE TRUE"));
        if let Some(search) = &self.search {
            let pattern = sql.bind(format!("%{}%", escape_like(&search.to_lowercase())));
            sql.push(&format!(
                " AND (LOWER(email) LIKE {pattern} ESCAPE '\\' OR LOWER(username) LIKE {pattern} ESCAPE '\\')"
            ));
        }
        if let Some(role) = self.role {
            sql.push(" AND role = ").push_bind(role.as_str());
        }
        if let Some(active) = self.is_active {
            sql.push(" AND is_active = ").push_bind(active);
        }
        sql
    }
}

/// `%`, `_` and the escape character itself match literally in a search.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// How many users pass `filter`.
pub async fn count(pool: &AnyPool, filter: &UserFilter) -> Result<i64, sqlx::Error> {
    filter.sql("COUNT(*)").fetch_i64(pool).await
}

/// One page of the users passing `filter`, newest first.
pub async fn list(
    pool: &AnyPool,
    filter: &UserFilter,
    page: &PageRequest,
) -> Result<Vec<User>, sqlx::Error> {
    let mut sql = filter.sql(COLUMNS);
    sql.push(" ORDER BY date_joined DESC, id DESC LIMIT ")
        .push_bind(page.limit())
        .push(" OFFSET ")
        .push_bind(page.offset());
    sql.query_as().fetch_all(pool).await
}

/// The field error for a unique constraint of `users` a write broke, for
/// [`crate::db::ResultExt::on_constraint`].
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
