//! The cleanup job, run by a serving instance's worker: it deletes done jobs older than a week,
//! expired stream tickets and reset links expired over a day ago, and keeps everything else.

use nexus::db::now_micros;

use super::{count, enqueue, wait_for_count, worker::secs};
use crate::{api_test, helpers::TestApp};

const DAY: i64 = 24 * 3600 * 1_000_000;

async fn insert_job(app: &TestApp, state: &str, finished_days_ago: i64, error: &str) {
    let finished = now_micros() - finished_days_ago * DAY;
    sqlx::query(
        "INSERT INTO jobs (kind, payload, state, attempts, due_at, last_error, created_at, \
         finished_at) VALUES ('email', $1, $2, 1, $3, $4, $3, $3)",
    )
    .bind(format!("\"{state} {finished_days_ago}\""))
    .bind(state)
    .bind(finished)
    .bind(error)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

async fn insert_ticket(app: &TestApp, user: i64, hash: &str, expires_at: i64) {
    sqlx::query(
        "INSERT INTO stream_tickets (ticket_hash, user_id, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(hash)
    .bind(user)
    .bind(expires_at)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

async fn insert_reset_link(app: &TestApp, user: i64, hash: &str, expires_at: i64) {
    sqlx::query(
        "INSERT INTO password_reset_tokens (token_hash, user_id, expires_at, used_at, created_at) \
         VALUES ($1, $2, $3, NULL, $3)",
    )
    .bind(hash)
    .bind(user)
    .bind(expires_at)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

async fn strings(app: &TestApp, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql)
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
}

api_test! {
    async fn cleanup_deletes_what_is_past_retention_and_keeps_the_rest(app: TestApp) {
        let user = app.create_customer().await.id;
        let now = now_micros();
        insert_job(&app, "done", 8, "").await;
        insert_job(&app, "done", 6, "").await;
        insert_job(&app, "failed", 30, "smtp refused").await;
        insert_ticket(&app, user, "expired-ticket", now - 1_000_000).await;
        insert_ticket(&app, user, "live-ticket", now + 60_000_000).await;
        insert_reset_link(&app, user, "expired-two-days-ago", now - 2 * DAY).await;
        insert_reset_link(&app, user, "expired-an-hour-ago", now - DAY / 24).await;
        insert_reset_link(&app, user, "live-link", now + DAY / 24).await;

        let cleanup = enqueue(&app, 1).await[0];
        wait_for_count(
            &app,
            &format!("SELECT COUNT(*) FROM jobs WHERE id = {cleanup} AND state = 'done'"),
            1,
            secs(15),
        )
        .await;

        assert_eq!(
            strings(&app, "SELECT payload FROM jobs WHERE kind = 'email' ORDER BY payload").await,
            ["\"done 6\"", "\"failed 30\""]
        );
        assert_eq!(
            strings(&app, "SELECT ticket_hash FROM stream_tickets").await,
            ["live-ticket"]
        );
        assert_eq!(
            strings(&app, "SELECT token_hash FROM password_reset_tokens ORDER BY token_hash")
                .await,
            ["expired-an-hour-ago", "live-link"]
        );
        // The planned jobs are not touched.
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM jobs WHERE unique_key IS NOT NULL").await,
            i64::try_from(nexus::jobs::SCHEDULE.len()).unwrap()
        );
    }
}
