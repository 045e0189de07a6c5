//! The `review_reports` statements: storing a report, the API's list of reports, and the staff
//! dashboard's queue of reported reviews.

use sqlx::AnyConnection;

use super::{ReviewRow, REVIEW_COLUMNS, REVIEW_TABLES};
use crate::{
    db::{now_micros, types::format_micros, SqlBuilder},
    reviews::views::{ReasonCount, ReportView, ReportedReview},
};

/// Stores a report on a review and returns its id.
pub async fn insert_report(
    conn: &mut AnyConnection,
    review_id: i64,
    user_id: i64,
    reason: &str,
    description: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO review_reports (review_id, user_id, reason, description, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(review_id)
    .bind(user_id)
    .bind(reason)
    .bind(description)
    .bind(now_micros())
    .fetch_one(conn)
    .await
}

/// A `review_reports` row with its reporter's email.
#[derive(Debug, sqlx::FromRow)]
struct ReportRow {
    id: i64,
    review_id: i64,
    user_id: i64,
    email: String,
    reason: String,
    description: String,
    created_at: i64,
}

impl From<ReportRow> for ReportView {
    fn from(row: ReportRow) -> Self {
        Self {
            id: row.id,
            review: row.review_id,
            user: row.user_id,
            user_email: row.email,
            reason: row.reason,
            description: row.description,
            created_at: format_micros(row.created_at),
        }
    }
}

/// One page of every report, newest first, and how many there are.
pub async fn list_reports(
    conn: &mut AnyConnection,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<ReportView>), sqlx::Error> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM review_reports")
        .fetch_one(&mut *conn)
        .await?;
    let rows: Vec<ReportRow> = sqlx::query_as(
        "SELECT rr.id, rr.review_id, rr.user_id, u.email, rr.reason, rr.description, rr.created_at \
         FROM review_reports rr JOIN users u ON u.id = rr.user_id \
         ORDER BY rr.created_at DESC, rr.id DESC LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    Ok((count, rows.into_iter().map(Into::into).collect()))
}

/// A reported review with its reports' totals.
#[derive(Debug, sqlx::FromRow)]
struct ReportedRow {
    #[sqlx(flatten)]
    review: ReviewRow,
    reports: i64,
    first_reported_at: i64,
}

/// The reports of each review, grouped: what the queue joins its reviews to.
const REPORTS_BY_REVIEW: &str = "(SELECT review_id, COUNT(*) AS reports, \
     MIN(created_at) AS first_reported_at FROM review_reports GROUP BY review_id) q";

/// One page of the reviews that have reports (only hidden ones, only visible ones, or all when
/// `hidden` is `None`), the most reported first and, among equals, the one reported first; and
/// how many there are. Two statements for the page (its reviews, then their reasons), whatever
/// its size.
pub async fn reported(
    conn: &mut AnyConnection,
    hidden: Option<bool>,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<ReportedReview>), sqlx::Error> {
    let hidden_filter = |sql: &mut SqlBuilder| {
        if let Some(hidden) = hidden {
            sql.push(" WHERE r.is_hidden = ").push_bind(hidden);
        }
    };
    let mut count = SqlBuilder::new(
        "SELECT COUNT(*) FROM (SELECT DISTINCT review_id FROM review_reports) q \
         JOIN reviews r ON r.id = q.review_id",
    );
    hidden_filter(&mut count);
    let (count,): (i64,) = count.query_as().fetch_one(&mut *conn).await?;

    let mut page = SqlBuilder::new(&format!(
        "SELECT {REVIEW_COLUMNS}, q.reports, q.first_reported_at \
         FROM {REVIEW_TABLES} JOIN {REPORTS_BY_REVIEW} ON q.review_id = r.id"
    ));
    hidden_filter(&mut page);
    page.push(" ORDER BY q.reports DESC, q.first_reported_at ASC, r.id ASC LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let rows: Vec<ReportedRow> = page.query_as().fetch_all(&mut *conn).await?;
    if rows.is_empty() {
        return Ok((count, Vec::new()));
    }

    let mut reasons = SqlBuilder::new(
        "SELECT review_id, reason, COUNT(*) AS count FROM review_reports WHERE review_id IN (",
    );
    reasons
        .push_list(rows.iter().map(|row| row.review.id))
        .push(") GROUP BY review_id, reason ORDER BY review_id, count DESC, reason");
    let reasons: Vec<(i64, String, i64)> = reasons.query_as().fetch_all(conn).await?;

    let queue = rows
        .into_iter()
        .map(|row| {
            let id = row.review.id;
            ReportedReview {
                review: row.review.into(),
                reports: row.reports,
                first_reported_at: format_micros(row.first_reported_at),
                reasons: reasons
                    .iter()
                    .filter(|(review, _, _)| *review == id)
                    .map(|(_, reason, count)| ReasonCount {
                        reason: reason.clone(),
                        count: *count,
                    })
                    .collect(),
            }
        })
        .collect();
    Ok((count, queue))
}
