//! Every statement on `notifications` and `notification_preferences`.

use sqlx::{AnyConnection, AnyPool};

use super::produce::Notice;
use crate::db::{now_micros, Flag};

/// A user to notify, with their preferences (the defaults when they never changed any).
#[derive(Debug, sqlx::FromRow)]
pub(super) struct Recipient {
    pub user_id: i64,
    pub email: String,
    pub email_enabled: Flag,
    pub in_app_enabled: Flag,
    pub order_updates: Flag,
    pub review_updates: Flag,
    pub digest: String,
}

/// The columns of a [`Recipient`]: a user joined to their preferences row, if any.
const RECIPIENT: &str = "SELECT u.id AS user_id, u.email, \
     COALESCE(p.email_enabled, TRUE) AS email_enabled, \
     COALESCE(p.in_app_enabled, TRUE) AS in_app_enabled, \
     COALESCE(p.order_updates, TRUE) AS order_updates, \
     COALESCE(p.review_updates, TRUE) AS review_updates, \
     COALESCE(p.digest, 'none') AS digest \
     FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id";

pub(super) async fn recipient(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<Option<Recipient>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{RECIPIENT} WHERE u.id = $1 AND u.is_active = TRUE"
    ))
    .bind(user_id)
    .fetch_optional(conn)
    .await
}

/// Every active staff and admin user, in id order.
pub(super) async fn staff_recipients(
    conn: &mut AnyConnection,
) -> Result<Vec<Recipient>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{RECIPIENT} WHERE u.is_active = TRUE AND u.role IN ('staff', 'admin') ORDER BY u.id"
    ))
    .fetch_all(conn)
    .await
}

pub(super) async fn insert(
    conn: &mut AnyConnection,
    user_id: i64,
    notice: &Notice,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO notifications (user_id, type, title, message, action_url, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user_id)
    .bind(notice.kind.as_str())
    .bind(&notice.title)
    .bind(&notice.message)
    .bind(&notice.action_url)
    .bind(now_micros())
    .fetch_one(conn)
    .await
}

/// Deletes stream tickets that expired before `now` (epoch microseconds); returns how many.
pub async fn delete_expired_tickets(
    conn: &mut AnyConnection,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM stream_tickets WHERE expires_at < $1")
        .bind(now)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// One unread notification, with its owner, for the digest job.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct DigestRow {
    pub user_id: i64,
    pub email: String,
    pub title: String,
    pub message: String,
    pub action_url: String,
    pub created_at: i64,
}

/// Every unread notification created in `(since, until]` of every active user who takes
/// `period` digests with email on, in one query: by user, newest first.
pub(super) async fn digest_rows(
    pool: &AnyPool,
    period: &str,
    since: i64,
    until: i64,
) -> Result<Vec<DigestRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id AS user_id, u.email, n.title, n.message, n.action_url, n.created_at \
         FROM notification_preferences p \
         JOIN users u ON u.id = p.user_id \
         JOIN notifications n ON n.user_id = p.user_id \
         WHERE p.digest = $1 AND p.email_enabled = TRUE AND u.is_active = TRUE \
         AND n.is_read = FALSE AND n.created_at > $2 AND n.created_at <= $3 \
         ORDER BY u.id, n.id DESC",
    )
    .bind(period)
    .bind(since)
    .bind(until)
    .fetch_all(pool)
    .await
}
