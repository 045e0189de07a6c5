//! The statements that write a notice: its notification rows and its email jobs. The recipients'
//! preferences are applied inside those statements (the `recipient` CTE below), so a notice costs
//! no read before its writes; on PostgreSQL the email job rides in the same statement as a
//! data-modifying CTE, so a checkout pays one round trip for its notice and email (docs/PERFORMANCE.md,
//! log 28).

use sqlx::AnyConnection;

use super::{Notice, Topic};
use crate::{
    db::{now_micros, Backend, SqlBuilder},
    jobs::{self, Kind},
};

/// Who a notice is for.
#[derive(Clone, Copy, Debug)]
pub(super) enum Audience {
    /// One user (if active).
    User(i64),
    /// Every active staff and admin user.
    Staff,
}

/// Writes `notice` for `audience` as their preferences allow (SPEC §3.6): an `email` job per
/// recipient who wants the email, a notification per recipient who wants it in-app. Returns the
/// users who got a notification, for the announcement after the commit.
pub(super) async fn write(
    conn: &mut AnyConnection,
    audience: Audience,
    notice: &Notice,
) -> Result<Vec<i64>, sqlx::Error> {
    let message = notice
        .email
        .as_ref()
        .map(|message| serde_json::to_string(message).expect("email messages serialize to JSON"));
    let backend = Backend::of(conn);
    let mut sql = SqlBuilder::new("");
    push_recipients(&mut sql, audience, notice);
    match (backend, &message) {
        (Backend::Postgres, Some(message)) => {
            sql.push(", queued AS (");
            push_email_jobs(&mut sql, backend, message);
            sql.push(") ");
        }
        (Backend::Sqlite, Some(message)) => {
            // SQLite has no data-modifying CTEs: the job is its own (in-process) statement.
            let mut jobs = SqlBuilder::new("");
            push_recipients(&mut jobs, audience, notice);
            push_email_jobs(&mut jobs, backend, message);
            jobs.query().execute(&mut *conn).await?;
        }
        (_, None) => {}
    }
    push_notifications(&mut sql, notice);
    let rows: Vec<(i64,)> = sql.query_as().fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(user_id,)| user_id).collect())
}

/// `WITH recipient AS (…)`: the audience's active users, each with `in_app` (store the
/// notification) and `mail` (queue the email) as their preferences decide for this notice. No
/// preferences row means every default: all on, digest `none`.
///
/// The gates: a topic turned off (`order_updates`, `review_updates`) silences both; security email
/// always goes out; other email needs `email_enabled` and digest `none` (a digest user hears of it
/// in the summary, which lists their stored notifications).
fn push_recipients(sql: &mut SqlBuilder, audience: Audience, notice: &Notice) {
    let topic = match notice.kind.topic() {
        Topic::Orders => "COALESCE(p.order_updates, TRUE)",
        Topic::Reviews => "COALESCE(p.review_updates, TRUE)",
        Topic::General => "TRUE",
    };
    let mail = match &notice.email {
        Some(message) if message.is_security() => "TRUE".to_owned(),
        Some(_) => format!(
            "COALESCE(p.email_enabled, TRUE) AND {topic} AND COALESCE(p.digest, 'none') = 'none'"
        ),
        None => "FALSE".to_owned(),
    };
    sql.push(&format!(
        "WITH recipient AS (SELECT u.id, u.email, \
         COALESCE(p.in_app_enabled, TRUE) AND {topic} AS in_app, {mail} AS mail \
         FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id \
         WHERE u.is_active = TRUE AND "
    ));
    match audience {
        Audience::User(user_id) => sql.push("u.id = ").push_bind(user_id),
        Audience::Staff => sql.push("u.role IN ('staff', 'admin')"),
    };
    sql.push(")");
}

/// One `email` job per recipient with `mail`, its payload a `mail::Email` (`{"to", "message"}`)
/// addressed to the recipient: the one expression here that differs by engine.
fn push_email_jobs(sql: &mut SqlBuilder, backend: Backend, message: &str) {
    let message = sql.bind(message);
    let payload = match backend {
        Backend::Postgres => format!(
            "CAST(json_build_object('to', recipient.email, 'message', CAST({message} AS json)) \
             AS TEXT)"
        ),
        Backend::Sqlite => {
            format!("json_object('to', recipient.email, 'message', json({message}))")
        }
    };
    jobs::push_enqueue_each(sql, Kind::Email, &payload);
    sql.push("FROM recipient WHERE recipient.mail");
}

/// One notification per recipient with `in_app`, returning their user ids.
fn push_notifications(sql: &mut SqlBuilder, notice: &Notice) {
    sql.push(
        " INSERT INTO notifications (user_id, type, title, message, action_url, created_at) \
         SELECT recipient.id, ",
    )
    .push_bind(notice.kind.as_str())
    .push(", ")
    .push_bind(notice.title.as_str())
    .push(", ")
    .push_bind(notice.message.as_str())
    .push(", ")
    .push_bind(notice.action_url.as_str())
    .push(", ")
    .push_bind(now_micros())
    .push(" FROM recipient WHERE recipient.in_app RETURNING user_id");
}
