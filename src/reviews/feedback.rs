//! Feedback from signed-in users on a review: helpful votes (one per user) and reports for
//! moderation.

use axum::{extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model;
use crate::{
    db::now_micros,
    error::{ApiError, FieldErrors},
    http::{
        auth::CurrentUser,
        extract::{Json, Path},
    },
    state::AppState,
};

/// The reasons a review can be reported for.
pub const REPORT_REASONS: &[&str] = &[
    "inappropriate_content",
    "spam",
    "fake_review",
    "offensive_language",
    "other",
];

/// Longest report description accepted.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

/// `POST reviews/{id}/helpful/` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpfulView {
    pub message: String,
    pub review_id: i64,
    pub helpful_count: i64,
}

/// `POST reviews/{id}/report/` body.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewReport {
    /// One of `inappropriate_content`, `spam`, `fake_review`, `offensive_language`, `other`.
    pub reason: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// `POST reviews/{id}/report/` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportCreated {
    /// The report's id.
    pub id: i64,
    pub message: String,
    pub review_id: i64,
    pub reason: String,
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
    model::visible(&mut tx, id, Some(&user)).await?;
    // The vote and the counter change commit together; ON CONFLICT makes a racing repeat wait for
    // the first vote and then do nothing, so the count can't exceed the number of voters.
    let voted = sqlx::query(
        "INSERT INTO review_votes (review_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (review_id, user_id) DO NOTHING",
    )
    .bind(id)
    .bind(user.id)
    .bind(now_micros())
    .execute(&mut *tx)
    .await?;
    if voted.rows_affected() == 1 {
        sqlx::query("UPDATE reviews SET helpful_count = helpful_count + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let helpful_count: i64 = sqlx::query_scalar("SELECT helpful_count FROM reviews WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
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
    Json(body): Json<NewReport>,
) -> Result<(StatusCode, axum::Json<ReportCreated>), ApiError> {
    let mut conn = state.db.pool.acquire().await?;
    model::visible(&mut conn, id, Some(&user)).await?;
    let mut errors = FieldErrors::new();
    let reason = body.reason.unwrap_or_default();
    if reason.is_empty() {
        errors.add("reason", "This field is required.");
    } else if !REPORT_REASONS.contains(&reason.as_str()) {
        errors.add("reason", "Invalid reason.");
    }
    let description = body.description.unwrap_or_default().trim().to_owned();
    if description.chars().count() > MAX_DESCRIPTION_CHARS {
        errors.add(
            "description",
            format!("Ensure this field has no more than {MAX_DESCRIPTION_CHARS} characters."),
        );
    }
    errors.into_result()?;
    let report_id: i64 = sqlx::query_scalar(
        "INSERT INTO review_reports (review_id, user_id, reason, description, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(id)
    .bind(user.id)
    .bind(&reason)
    .bind(&description)
    .bind(now_micros())
    .fetch_one(&mut *conn)
    .await?;
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
