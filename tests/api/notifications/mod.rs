//! Notifications (SPEC §3.6): the producing events, and what their rows and email jobs hold.

mod events;

use serde_json::Value;

use crate::helpers::TestApp;

/// The payloads (`{to, message: {template, ...}}`) of the queued `email` jobs, oldest first.
pub async fn email_jobs(app: &TestApp) -> Vec<Value> {
    let payloads: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = 'email' ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    payloads
        .iter()
        .map(|payload| serde_json::from_str(payload).unwrap())
        .collect()
}
