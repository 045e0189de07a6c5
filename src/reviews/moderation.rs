//! Staff moderation: the report queue, and hiding or unhiding a review. Hiding takes a review out
//! of every public list, the stats and its product's rating, in the same transaction.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{self, ReviewView};
use crate::{
    db::{now_micros, types::format_micros},
    error::ApiError,
    http::{
        auth::Staff,
        extract::Path,
        pagination::{Page, PageRequest},
    },
    state::AppState,
};

/// A report as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub id: i64,
    /// The reported review's id.
    pub review: i64,
    /// The reporter's user id.
    pub user: i64,
    pub user_email: String,
    pub reason: String,
    pub description: String,
    pub created_at: String,
}

type ReportRow = (i64, i64, i64, String, String, String, i64);

/// Every report, newest first.
#[utoipa::path(get, path = "/reviews/reports/", tag = "reviews", security(("bearer" = ["staff"])),
    params(("page" = Option<i64>, Query), ("page_size" = Option<i64>, Query)),
    responses((status = 200, body = Page<ReportView>), (status = 401, description = "not signed in"),
        (status = 403, description = "not staff"), (status = 404, description = "page past the end")))]
pub async fn list_review_reports(
    State(state): State<AppState>,
    Staff(_staff): Staff,
    page: PageRequest,
) -> Result<axum::Json<Page<ReportView>>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM review_reports")
        .fetch_one(&mut *conn)
        .await?;
    let rows: Vec<ReportRow> = sqlx::query_as(
        "SELECT rr.id, rr.review_id, rr.user_id, u.email, rr.reason, rr.description, rr.created_at \
         FROM review_reports rr JOIN users u ON u.id = rr.user_id \
         ORDER BY rr.created_at DESC, rr.id DESC LIMIT $1 OFFSET $2",
    )
    .bind(page.limit())
    .bind(page.offset())
    .fetch_all(&mut *conn)
    .await?;
    let reports = rows
        .into_iter()
        .map(
            |(id, review, user, user_email, reason, description, created_at)| ReportView {
                id,
                review,
                user,
                user_email,
                reason,
                description,
                created_at: format_micros(created_at),
            },
        )
        .collect();
    Ok(axum::Json(page.page(count, reports)?))
}

/// Sets a review's hidden flag and refreshes its product's rating, in one transaction.
async fn set_hidden(state: &AppState, id: i64, hidden: bool) -> Result<ReviewView, ApiError> {
    let mut tx = state.db.begin_write().await?;
    let done = sqlx::query("UPDATE reviews SET is_hidden = $1, updated_at = $2 WHERE id = $3")
        .bind(hidden)
        .bind(now_micros())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found());
    }
    let review = model::one(&mut tx, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    model::refresh_product_rating(&mut tx, review.product).await?;
    tx.commit().await?;
    Ok(review)
}

/// Hides a review from everyone but its author and staff.
#[utoipa::path(post, path = "/reviews/{id}/hide/", tag = "reviews", security(("bearer" = ["staff"])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ReviewView), (status = 401, description = "not signed in"),
        (status = 403, description = "not staff"), (status = 404, description = "no such review")))]
pub async fn hide_review(
    State(state): State<AppState>,
    Staff(_staff): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<ReviewView>, ApiError> {
    Ok(axum::Json(set_hidden(&state, id, true).await?))
}

/// Makes a hidden review public again.
#[utoipa::path(post, path = "/reviews/{id}/unhide/", tag = "reviews", security(("bearer" = ["staff"])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ReviewView), (status = 401, description = "not signed in"),
        (status = 403, description = "not staff"), (status = 404, description = "no such review")))]
pub async fn unhide_review(
    State(state): State<AppState>,
    Staff(_staff): Staff,
    Path(id): Path<i64>,
) -> Result<axum::Json<ReviewView>, ApiError> {
    Ok(axum::Json(set_hidden(&state, id, false).await?))
}
