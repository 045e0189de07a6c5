//! Feedback from signed-in users on a review: helpful votes (one per user) and reports for
//! moderation.

use axum::{extract::State, http::StatusCode};

use super::{
    request::NewReport,
    store,
    views::{HelpfulView, ReportCreated},
};
use crate::{
    accounts::CurrentUser, error::ApiError, http::extract::Path, state::AppState, validation::Draft,
};

/// Marks a review helpful; a user's repeated vote is a no-op that still answers `200`.
#[utoipa::path(post, path = "/reviews/{id}/helpful/", tag = "reviews", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = HelpfulView), (status = 401, description = "not signed in"),
        (status = 404, description = "no such review, or hidden")))]
pub async fn mark_review_helpful(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
) -> Result<axum::Json<HelpfulView>, ApiError> {
    let mut tx = state.db.begin_write().await?;
    store::visible(&mut tx, id, Some(&user))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let helpful_count = store::vote_helpful(&mut tx, id, user.id).await?;
    tx.commit().await?;
    Ok(axum::Json(HelpfulView {
        message: "Marked as helpful.".into(),
        review_id: id,
        helpful_count,
    }))
}

/// Reports a review to staff for moderation.
#[utoipa::path(post, path = "/reviews/{id}/report/", tag = "reviews", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = NewReport,
    responses((status = 201, body = ReportCreated), (status = 400, description = "invalid reason or description"),
        (status = 401, description = "not signed in"), (status = 404, description = "no such review, or hidden")))]
pub async fn report_review(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path(id): Path<i64>,
    draft: Draft<NewReport>,
) -> Result<(StatusCode, axum::Json<ReportCreated>), ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    store::visible(&mut conn, id, Some(&user))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let body = draft.finish()?;
    // `finish` refused a body without a reason.
    let (reason, description) = (
        body.reason.unwrap_or_default(),
        body.description.unwrap_or_default(),
    );
    let report_id = store::insert_report(&mut conn, id, user.id, &reason, &description).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(ReportCreated {
            id: report_id,
            message: "Review reported successfully.".into(),
            review_id: id,
            reason,
        }),
    ))
}
