//! The statements that write notifications for domain events: who to tell, with their
//! preferences, and the rows themselves.

use sqlx::AnyConnection;

use super::Notice;
use crate::db::{now_micros, Flag, SqlBuilder};

/// Most rows in one multi-row insert: far below both engines' limits on bound values (each row
/// binds its user id; a notice's own fields are bound once per statement).
const ROWS_PER_INSERT: usize = 500;

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

/// Each active user of `user_ids` with their preferences (one query however many).
pub(super) async fn recipients(
    conn: &mut AnyConnection,
    user_ids: &[i64],
) -> Result<Vec<Recipient>, sqlx::Error> {
    let mut sql = SqlBuilder::new(RECIPIENT);
    sql.push(" WHERE u.is_active = TRUE AND u.id IN (")
        .push_list(user_ids.iter().copied())
        .push(")");
    sql.query_as().fetch_all(conn).await
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

/// Inserts one notification per `(user_id, index into notices)`, in multi-row statements of at
/// most [`ROWS_PER_INSERT`] rows: a fan-out to many staff costs a statement, not one per person.
pub(super) async fn insert_many(
    conn: &mut AnyConnection,
    notices: &[Notice],
    rows: &[(i64, usize)],
) -> Result<(), sqlx::Error> {
    let now = now_micros();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut sql = SqlBuilder::new(
            "INSERT INTO notifications (user_id, type, title, message, action_url, created_at) \
             VALUES ",
        );
        let created_at = sql.bind(now);
        // A notice's fields are bound the first time a row names it, then reused by placeholder.
        let mut fields: Vec<Option<String>> = vec![None; notices.len()];
        for (i, &(user_id, index)) in chunk.iter().enumerate() {
            let notice = &notices[index];
            let placeholders = fields[index]
                .get_or_insert_with(|| {
                    [
                        sql.bind(notice.kind.as_str()),
                        sql.bind(notice.title.as_str()),
                        sql.bind(notice.message.as_str()),
                        sql.bind(notice.action_url.as_str()),
                    ]
                    .join(", ")
                })
                .clone();
            sql.push(if i == 0 { "(" } else { ", (" })
                .push_bind(user_id)
                .push(&format!(", {placeholders}, {created_at})"));
        }
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}
