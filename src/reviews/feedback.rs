//! Feedback from signed-in users on a review: helpful votes (one per user) and reports for
//! moderation.

use axum::{extract::State, http::StatusCode};

use super::{
    request::NewReport,
    store,
    views::{HelpfulView, ReportCreated, ReviewView},
};
use crate::{
    accounts::CurrentUser,
    error::ApiError,
    http::extract::Path,
    notify::{notify_staff, Notice, NotificationType},
    state::AppState,
    validation::Draft,
};

/// What staff are told of a report: which review, of which product, and why (in-app only).
fn reported(review: &ReviewView, reason: &str) -> Notice {
    Notice {
        kind: NotificationType::Review,
        title: format!("Review reported: {}", review.product_title),
        message: format!(
            "Review #{} of {} was reported as {}.",
            review.id,
            review.product_title,
            reason.replace('_', " ")
        ),
        action_url: format!("/reviews/{}", review.id),
        email: None,
    }
}

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

/// Reports a review to staff for moderation; every active staff and admin user is notified in the
/// transaction that stores the report.
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
    let mut tx = state.db.begin_write().await?;
    let review = store::visible(&mut tx, id, Some(&user))
        .await?
        .ok_or_else(ApiError::not_found)?;
    let body = draft.finish()?;
    // `finish` refused a body without a reason.
    let (reason, description) = (
        body.reason.unwrap_or_default(),
        body.description.unwrap_or_default(),
    );
    let report_id = store::insert_report(&mut tx, id, user.id, &reason, &description).await?;
    let announcement = notify_staff(&mut tx, &reported(&review, &reason)).await?;
    tx.commit().await?;
    announcement.announce(&state.live);
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
