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

/// A stored notification, as its owner sees it (the list and the live stream).
#[derive(Debug, sqlx::FromRow)]
pub(super) struct NotificationRow {
    pub id: i64,
    #[sqlx(rename = "type")]
    pub kind: String,
    pub title: String,
    pub message: String,
    pub action_url: String,
    pub is_read: Flag,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

const NOTIFICATION_COLUMNS: &str =
    "id, type, title, message, action_url, is_read, created_at, read_at";

/// The user's newest notification id, or 0: where a stream without `Last-Event-ID` starts.
pub(super) async fn latest_id(pool: &AnyPool, user_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM notifications WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(pool)
        .await
}

/// The user's `limit` newest notifications with an id above `after`, oldest first (a replay:
/// what a reconnecting client missed, cut to the most recent).
pub(super) async fn newest_after(
    pool: &AnyPool,
    user_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<NotificationRow>, sqlx::Error> {
    let mut rows: Vec<NotificationRow> = sqlx::query_as(&format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications \
         WHERE user_id = $1 AND id > $2 ORDER BY id DESC LIMIT $3"
    ))
    .bind(user_id)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.reverse();
    Ok(rows)
}

/// The user's `limit` oldest notifications with an id above `after`, oldest first (a stream's
/// next page of news).
pub(super) async fn oldest_after(
    pool: &AnyPool,
    user_id: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<NotificationRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications \
         WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3"
    ))
    .bind(user_id)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Stores a stream ticket's hash; expired tickets nobody redeemed are swept first, so the table
/// holds only the last minute's.
pub(super) async fn insert_ticket(
    conn: &mut AnyConnection,
    ticket_hash: &str,
    user_id: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM stream_tickets WHERE expires_at <= $1")
        .bind(now_micros())
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO stream_tickets (ticket_hash, user_id, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(ticket_hash)
    .bind(user_id)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Redeems a ticket: deletes it and answers its user when it was unexpired and the user is still
/// active. One statement, so two instances racing for one ticket can't both win.
pub(super) async fn redeem_ticket(
    conn: &mut AnyConnection,
    ticket_hash: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "DELETE FROM stream_tickets WHERE ticket_hash = $1 AND expires_at > $2 \
         AND user_id IN (SELECT id FROM users WHERE is_active = TRUE) RETURNING user_id",
    )
    .bind(ticket_hash)
    .bind(now_micros())
    .fetch_optional(conn)
    .await
}

/// The user's notifications up to id `up_to` written at or after `since` (micros), in id order:
/// what a stream re-reads for transactions that committed after a newer notification was sent.
pub(super) async fn written_since(
    pool: &AnyPool,
    user_id: i64,
    up_to: i64,
    since: i64,
) -> Result<Vec<NotificationRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {NOTIFICATION_COLUMNS} FROM notifications \
         WHERE user_id = $1 AND id <= $2 AND created_at >= $3 ORDER BY id"
    ))
    .bind(user_id)
    .bind(up_to)
    .bind(since)
    .fetch_all(pool)
    .await
}
