//! Every statement on `notifications` and `notification_preferences`.

use sqlx::{AnyConnection, AnyPool};

use super::{
    digest_choice::Digest,
    request::PreferenceChanges,
    views::{NotificationView, PreferencesView},
};
use crate::{
    db::{now_micros, types::format_micros, Flag, SqlBuilder},
    notify::NotificationType,
};

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

/// The columns of a [`NotificationRow`].
pub(super) const NOTIFICATION_COLUMNS: &str =
    "id, type, title, message, action_url, is_read, created_at, read_at";

/// A notification as [`NOTIFICATION_COLUMNS`] reads it.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct NotificationRow {
    pub id: i64,
    #[sqlx(rename = "type")]
    pub kind: NotificationType,
    pub title: String,
    pub message: String,
    pub action_url: String,
    pub is_read: Flag,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// The one way a stored notification becomes what the API (and the live stream) sends.
impl From<NotificationRow> for NotificationView {
    fn from(row: NotificationRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            title: row.title,
            message: row.message,
            action_url: row.action_url,
            is_read: row.is_read.0,
            created_at: format_micros(row.created_at),
            read_at: row.read_at.map(format_micros),
        }
    }
}

/// One page of `user_id`'s notifications, newest first (by id: ids grow with creation, and
/// `notifications_user_idx` serves the order), optionally only read or unread ones; with the
/// total count.
pub(super) async fn list(
    conn: &mut AnyConnection,
    user_id: i64,
    is_read: Option<bool>,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<NotificationView>), sqlx::Error> {
    let filter = |sql: &mut SqlBuilder| {
        sql.push(" WHERE user_id = ").push_bind(user_id);
        if let Some(is_read) = is_read {
            sql.push(" AND is_read = ").push_bind(is_read);
        }
    };
    let mut count = SqlBuilder::new("SELECT COUNT(*) FROM notifications");
    filter(&mut count);
    let (total,): (i64,) = count.query_as().fetch_one(&mut *conn).await?;
    let mut page = SqlBuilder::new(&format!("SELECT {NOTIFICATION_COLUMNS} FROM notifications"));
    filter(&mut page);
    page.push(" ORDER BY id DESC LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let rows: Vec<NotificationRow> = page.query_as().fetch_all(conn).await?;
    Ok((total, rows.into_iter().map(Into::into).collect()))
}

/// Marks one of `user_id`'s notifications read, keeping the time it was first read; `None`
/// when they have no such notification.
pub(super) async fn mark_read(
    conn: &mut AnyConnection,
    user_id: i64,
    id: i64,
) -> Result<Option<NotificationView>, sqlx::Error> {
    let row: Option<NotificationRow> = sqlx::query_as(&format!(
        "UPDATE notifications SET is_read = TRUE, read_at = COALESCE(read_at, $3) \
         WHERE id = $1 AND user_id = $2 RETURNING {NOTIFICATION_COLUMNS}"
    ))
    .bind(id)
    .bind(user_id)
    .bind(now_micros())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Into::into))
}

/// Marks every unread notification of `user_id` read, in one statement; how many it marked.
pub(super) async fn mark_all_read(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE notifications SET is_read = TRUE, read_at = $2 \
         WHERE user_id = $1 AND is_read = FALSE",
    )
    .bind(user_id)
    .bind(now_micros())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Deletes one of `user_id`'s notifications; false when they have no such notification.
pub(super) async fn delete(
    conn: &mut AnyConnection,
    user_id: i64,
    id: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM notifications WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// How many of `user_id`'s notifications are unread.
pub(super) async fn unread_count(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND is_read = FALSE")
        .bind(user_id)
        .fetch_one(conn)
        .await
}

/// The preference columns, as [`PreferencesRow`] reads them.
const PREFERENCE_COLUMNS: &str =
    "email_enabled, in_app_enabled, order_updates, review_updates, marketing, digest";

#[derive(Debug, sqlx::FromRow)]
struct PreferencesRow {
    email_enabled: Flag,
    in_app_enabled: Flag,
    order_updates: Flag,
    review_updates: Flag,
    marketing: Flag,
    digest: Digest,
}

impl From<PreferencesRow> for PreferencesView {
    fn from(row: PreferencesRow) -> Self {
        Self {
            email_enabled: row.email_enabled.0,
            in_app_enabled: row.in_app_enabled.0,
            order_updates: row.order_updates.0,
            review_updates: row.review_updates.0,
            marketing: row.marketing.0,
            digest: row.digest,
        }
    }
}

/// `user_id`'s preferences; the defaults (all on, digest `none`) when they never changed any.
pub(super) async fn preferences(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<PreferencesView, sqlx::Error> {
    let row: Option<PreferencesRow> = sqlx::query_as(&format!(
        "SELECT {PREFERENCE_COLUMNS} FROM notification_preferences WHERE user_id = $1"
    ))
    .bind(user_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map_or_else(PreferencesView::default, Into::into))
}

/// Applies `changes` to `user_id`'s preferences and returns them all. One upsert: a field left
/// out is bound as NULL and keeps its stored value (or the default, for a new row), so two
/// racing partial updates of different fields both land, with no read-modify-write window.
pub(super) async fn change_preferences(
    conn: &mut AnyConnection,
    user_id: i64,
    changes: &PreferenceChanges,
) -> Result<PreferencesView, sqlx::Error> {
    let row: PreferencesRow = sqlx::query_as(&format!(
        "INSERT INTO notification_preferences (user_id, email_enabled, in_app_enabled, \
            order_updates, review_updates, marketing, digest, updated_at) \
         VALUES ($1, COALESCE($2, TRUE), COALESCE($3, TRUE), COALESCE($4, TRUE), \
            COALESCE($5, TRUE), COALESCE($6, TRUE), COALESCE($7, 'none'), $8) \
         ON CONFLICT (user_id) DO UPDATE SET \
            email_enabled = COALESCE($2, notification_preferences.email_enabled), \
            in_app_enabled = COALESCE($3, notification_preferences.in_app_enabled), \
            order_updates = COALESCE($4, notification_preferences.order_updates), \
            review_updates = COALESCE($5, notification_preferences.review_updates), \
            marketing = COALESCE($6, notification_preferences.marketing), \
            digest = COALESCE($7, notification_preferences.digest), \
            updated_at = $8 \
         RETURNING {PREFERENCE_COLUMNS}"
    ))
    .bind(user_id)
    .bind(changes.email_enabled)
    .bind(changes.in_app_enabled)
    .bind(changes.order_updates)
    .bind(changes.review_updates)
    .bind(changes.marketing)
    .bind(changes.digest.map(Digest::as_str))
    .bind(now_micros())
    .fetch_one(conn)
    .await?;
    Ok(row.into())
}

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
    delete_expired_tickets(&mut *conn, now_micros()).await?;
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
