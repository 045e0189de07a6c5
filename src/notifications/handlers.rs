//! The caller's own notifications and preferences (SPEC §3.6). Someone else's notification
//! answers `404`, never `403` (SPEC §2): every statement is scoped to the caller's id, so
//! another user's row and a missing one look the same.

use axum::{extract::State, http::StatusCode, Json};

use super::{
    request::PreferenceChanges,
    store,
    views::{MarkedRead, NotificationView, PreferencesView, UnreadCount},
};
use crate::{
    accounts::CurrentUser,
    error::{ApiError, FieldErrors},
    http::{
        extract::{Path, QueryPairs, Valid},
        pagination::{Page, PageRequest},
    },
    state::AppState,
    validation::messages,
};

/// `?is_read=` parsed as django-filter's `BooleanWidget` reads it (`true`/`false`/`1`/`0`, any
/// case); anything else is a `400` rather than silently ignored.
fn read_filter(query: &QueryPairs) -> Result<Option<bool>, ApiError> {
    query
        .get("is_read")
        .map(|raw| match raw.to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(true),
            "false" | "0" => Ok(false),
            _ => Err(FieldErrors::single("is_read", messages::INVALID_BOOLEAN)),
        })
        .transpose()
}

/// The caller's notifications, newest first.
#[utoipa::path(get, path = "/notifications/", tag = "notifications", security(("bearer" = [])),
    params(("is_read" = Option<bool>, Query), ("page" = Option<i64>, Query),
        ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<NotificationView>),
        (status = 400, description = "`is_read` is not a boolean"),
        (status = 401, description = "not signed in"), (status = 404, description = "page past the end")))]
pub async fn list_notifications(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    query: QueryPairs,
    page: PageRequest,
) -> Result<Json<Page<NotificationView>>, ApiError> {
    let is_read = read_filter(&query)?;
    let mut conn = state.db.pool.acquire().await?;
    let (count, notifications) =
        store::list(&mut conn, user.id, is_read, page.limit(), page.offset()).await?;
    Ok(Json(page.page(count, notifications)?))
}

/// Marks one of the caller's notifications read; reading it again keeps the first `read_at`.
#[utoipa::path(post, path = "/notifications/{id}/read/", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = NotificationView), (status = 401, description = "not signed in"),
        (status = 404, description = "no such notification, or someone else's")))]
pub async fn read_notification(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<NotificationView>, ApiError> {
    let mut conn = state.db.write_connection().await?;
    let notification = store::mark_read(&mut conn, user.id, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(notification))
}

/// Marks every unread notification of the caller read.
#[utoipa::path(post, path = "/notifications/mark-all-read/", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = MarkedRead), (status = 401, description = "not signed in")))]
pub async fn mark_all_notifications_read(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<MarkedRead>, ApiError> {
    let mut conn = state.db.write_connection().await?;
    let marked = store::mark_all_read(&mut conn, user.id).await?;
    Ok(Json(MarkedRead {
        marked: i64::try_from(marked).unwrap_or(i64::MAX),
    }))
}

/// Deletes one of the caller's notifications.
#[utoipa::path(delete, path = "/notifications/{id}/", tag = "notifications", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204, description = "deleted"), (status = 401, description = "not signed in"),
        (status = 404, description = "no such notification, or someone else's")))]
pub async fn delete_notification(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let mut conn = state.db.write_connection().await?;
    if store::delete(&mut conn, user.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found())
    }
}

/// How many of the caller's notifications are unread.
#[utoipa::path(get, path = "/notifications/unread-count/", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = UnreadCount), (status = 401, description = "not signed in")))]
pub async fn count_unread_notifications(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<UnreadCount>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let count = store::unread_count(&mut conn, user.id).await?;
    Ok(Json(UnreadCount { count }))
}

/// The caller's notification preferences (the defaults until they change one).
#[utoipa::path(get, path = "/notifications/preferences/", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = PreferencesView), (status = 401, description = "not signed in")))]
pub async fn get_notification_preferences(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<Json<PreferencesView>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(Json(store::preferences(&mut conn, user.id).await?))
}

/// Changes the caller's preferences; fields left out keep their value.
#[utoipa::path(put, path = "/notifications/preferences/", tag = "notifications", security(("bearer" = [])),
    request_body = PreferenceChanges,
    responses((status = 200, body = PreferencesView),
        (status = 400, description = "a field of the wrong type, or an unknown digest"),
        (status = 401, description = "not signed in")))]
pub async fn replace_notification_preferences(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Valid(changes): Valid<PreferenceChanges>,
) -> Result<Json<PreferencesView>, ApiError> {
    change_preferences(&state, user.id, &changes).await
}

/// Changes some of the caller's preferences (the same as PUT: no field is required by either).
#[utoipa::path(patch, path = "/notifications/preferences/", tag = "notifications", security(("bearer" = [])),
    request_body = PreferenceChanges,
    responses((status = 200, body = PreferencesView),
        (status = 400, description = "a field of the wrong type, or an unknown digest"),
        (status = 401, description = "not signed in")))]
pub async fn update_notification_preferences(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Valid(changes): Valid<PreferenceChanges>,
) -> Result<Json<PreferencesView>, ApiError> {
    change_preferences(&state, user.id, &changes).await
}

async fn change_preferences(
    state: &AppState,
    user_id: i64,
    changes: &PreferenceChanges,
) -> Result<Json<PreferencesView>, ApiError> {
    let mut conn = state.db.write_connection().await?;
    Ok(Json(
        store::change_preferences(&mut conn, user_id, changes).await?,
    ))
}
