//! User administration for admins: `admin/users/` (list, search, filter) and
//! `admin/users/{id}/` (read, change `role` and `is_active`).

use axum::{extract::State, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    accounts::{
        refresh_tokens,
        role::Role,
        users::{self, User, UserResponse},
    },
    error::{ApiError, FieldErrors},
    http::{
        auth::Admin,
        extract::{self, Path, QueryPairs},
        pagination::{Page, PageRequest},
    },
    state::AppState,
};

/// A user as admins see it: the profile plus `is_active`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserResponse {
    #[serde(flatten)]
    pub user: UserResponse,
    pub is_active: bool,
}

impl From<&User> for AdminUserResponse {
    fn from(user: &User) -> Self {
        AdminUserResponse {
            user: UserResponse::from(user),
            is_active: user.is_active,
        }
    }
}

/// `PATCH admin/users/{id}/` body; other keys are ignored.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AdminUserUpdate {
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

/// A value bound into the dynamically filtered list query.
enum Bind {
    Text(String),
    Flag(bool),
}

/// Every user, newest first; `search` matches email or username (case-insensitive substring).
#[utoipa::path(get, path = "/admin/users/", tag = "accounts", security(("bearer" = ["admin"])),
    params(("search" = Option<String>, Query), ("role" = Option<Role>, Query), ("is_active" = Option<bool>, Query),
        ("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<AdminUserResponse>), (status = 400, description = "bad filter value"),
        (status = 401, description = "not signed in"), (status = 403, description = "not an admin")))]
pub async fn list_users(
    State(state): State<AppState>,
    _admin: Admin,
    query: QueryPairs,
    page: PageRequest,
) -> Result<Json<Page<AdminUserResponse>>, ApiError> {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds: Vec<Bind> = Vec::new();
    if let Some(search) = query.get("search") {
        let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
        conditions.push(format!(
            "(LOWER(email) LIKE ${} ESCAPE '\\' OR LOWER(username) LIKE ${} ESCAPE '\\')",
            binds.len() + 1,
            binds.len() + 2
        ));
        binds.push(Bind::Text(pattern.clone()));
        binds.push(Bind::Text(pattern));
    }
    if let Some(role) = query.get("role") {
        let role = parse_role(role)?;
        conditions.push(format!("role = ${}", binds.len() + 1));
        binds.push(Bind::Text(role.as_str().to_owned()));
    }
    if let Some(active) = query.get("is_active") {
        let active = match active.to_ascii_lowercase().as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            _ => return Err(FieldErrors::single("is_active", "Must be a valid boolean.")),
        };
        conditions.push(format!("is_active = ${}", binds.len() + 1));
        binds.push(Bind::Flag(active));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };

    let count_sql = format!("SELECT COUNT(*) FROM users{filter}");
    let mut count_query = sqlx::query_scalar::<_, i64>(&count_sql);
    for bind in &binds {
        count_query = match bind {
            Bind::Text(text) => count_query.bind(text.clone()),
            Bind::Flag(flag) => count_query.bind(*flag),
        };
    }
    let count = count_query.fetch_one(&state.db.pool).await?;

    let list_sql = format!(
        "SELECT {} FROM users{filter} ORDER BY date_joined DESC, id DESC LIMIT ${} OFFSET ${}",
        users::COLUMNS,
        binds.len() + 1,
        binds.len() + 2
    );
    let mut list_query = sqlx::query_as::<_, users::UserTuple>(&list_sql);
    for bind in &binds {
        list_query = match bind {
            Bind::Text(text) => list_query.bind(text.clone()),
            Bind::Flag(flag) => list_query.bind(*flag),
        };
    }
    let rows = list_query
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&state.db.pool)
        .await?;
    let results = rows
        .into_iter()
        .map(|row| AdminUserResponse::from(&User::from(row)))
        .collect();
    Ok(Json(page.page(count, results)?))
}

/// `%`, `_` and the escape character itself match literally in a search.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn parse_role(value: &str) -> Result<Role, ApiError> {
    match value {
        "customer" => Ok(Role::Customer),
        "staff" => Ok(Role::Staff),
        "admin" => Ok(Role::Admin),
        other => Err(FieldErrors::single(
            "role",
            format!("Select a valid choice. {other} is not one of the available choices."),
        )),
    }
}

/// One user.
#[utoipa::path(get, path = "/admin/users/{id}/", tag = "accounts", security(("bearer" = ["admin"])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AdminUserResponse), (status = 401, description = "not signed in"),
        (status = 403, description = "not an admin"), (status = 404, description = "no such user")))]
pub async fn get_user(
    State(state): State<AppState>,
    _admin: Admin,
    Path(id): Path<i64>,
) -> Result<Json<AdminUserResponse>, ApiError> {
    let user = users::find_by_id(&state.db.pool, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(AdminUserResponse::from(&user)))
}

/// Changes a user's role or active flag; takes effect on their very next request. An admin can't
/// demote or deactivate themselves, so the shop can't lose its last admin by accident.
#[utoipa::path(patch, path = "/admin/users/{id}/", tag = "accounts", security(("bearer" = ["admin"])),
    params(("id" = i64, Path)), request_body = AdminUserUpdate,
    responses((status = 200, body = AdminUserResponse), (status = 400, description = "invalid role, or a change to yourself"),
        (status = 401, description = "not signed in"), (status = 403, description = "not an admin"),
        (status = 404, description = "no such user")))]
pub async fn update_user(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<i64>,
    extract::Json(body): extract::Json<AdminUserUpdate>,
) -> Result<Json<AdminUserResponse>, ApiError> {
    if id == admin.id {
        let mut errors = FieldErrors::new();
        if body.role.is_some_and(|role| role != Role::Admin) {
            errors.add("role", "You cannot change your own role.");
        }
        if body.is_active == Some(false) {
            errors.add("is_active", "You cannot deactivate your own account.");
        }
        errors.into_result()?;
    }
    let mut tx = state.db.begin_write().await?;
    let updated = sqlx::query("UPDATE users SET role = COALESCE($1, role), is_active = COALESCE($2, is_active) WHERE id = $3")
        .bind(body.role.map(Role::as_str))
        .bind(body.is_active)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    if body.is_active == Some(false) {
        // Access tokens already stop working (the auth extractor reads the row); this ends the
        // refresh tokens too, so reactivation doesn't revive old sessions.
        refresh_tokens::revoke_all_for_user(&mut *tx, id).await?;
    }
    tx.commit().await?;
    let user = users::find_by_id(&state.db.pool, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(AdminUserResponse::from(&user)))
}
