//! Staff moderation: the report queue, and hiding or unhiding a review. Hiding takes a review out
//! of every public list, the stats and its product's rating, in the same transaction.
//!
//! [`set_hidden`] and [`reported_reviews`] are the feature's front for the staff dashboard: the
//! API's handlers and its pages do a hide through the same function.

use axum::extract::State;

use super::{
    store,
    views::{ReportView, ReportedReview, ReviewView},
};
use crate::{
    accounts::Staff,
    error::ApiError,
    http::{
        extract::Path,
        pagination::{Page, PageRequest},
    },
    state::AppState,
};

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
    let (count, reports) = store::list_reports(&mut conn, page.limit(), page.offset()).await?;
    Ok(axum::Json(page.page(count, reports)?))
}

/// One page of the reviews that have reports, the most reported first (then the one reported
/// first): only hidden ones, only visible ones, or all of them when `hidden` is `None`.
pub async fn reported_reviews(
    state: &AppState,
    hidden: Option<bool>,
    page: &PageRequest,
) -> Result<Page<ReportedReview>, ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    let (count, queue) = store::reported(&mut conn, hidden, page.limit(), page.offset()).await?;
    page.page(count, queue)
}

/// Sets a review's hidden flag and refreshes its product's rating, in one transaction; `404`
/// when there is no such review. Idempotent. The catalog cache is the caller's: the API's
/// middleware bumps it after every successful write.
pub async fn set_hidden(state: &AppState, id: i64, hidden: bool) -> Result<ReviewView, ApiError> {
    let mut tx = state.db.begin_write().await?;
    if !store::set_hidden(&mut tx, id, hidden).await? {
        return Err(ApiError::not_found());
    }
    let review = store::one(&mut tx, id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    store::refresh_product_rating(&mut tx, review.product).await?;
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
