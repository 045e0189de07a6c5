//! Notifications (SPEC §3.6) on every backend: the producing events, the owner's list, reading,
//! deleting, counting, preferences, digests and the live stream.

mod digest;
mod events;
mod list;
mod preferences;
mod read;
mod shapes;
mod stream;
mod stream_support;

use serde_json::Value;

use crate::helpers::TestApp;

/// The ids of a paginated list's results, in order.
pub fn ids(page: &Value) -> Vec<i64> {
    page["results"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|n| n["id"].as_i64().unwrap())
        .collect()
}

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
