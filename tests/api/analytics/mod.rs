//! Analytics (SPEC §3.7, §5) on every backend. Capture: what each request records, sessions,
//! truncated addresses, the switch, the flush at shutdown, deleted users and the metrics. Figures:
//! the dashboard against a small hand-computed shop (`shop.rs`), the roll-ups (unchanged answers,
//! late rows, re-runs, `nexus analytics rollup`), the monthly roll-ups (`months.rs`), retention,
//! the period's validation, who may ask, and a customer's own figures.

mod actions;
mod command;
mod dashboard;
mod lifecycle;
mod me;
mod metrics;
mod months;
mod rollups;
mod sessions;
mod shapes;
mod shop;
mod validation;
mod views_and_searches;

pub use self::shop::{
    cancel_order_at, categorise, dashboard, joined_at, order_at, roll_up, Shop, PERIOD,
};

use std::time::{Duration, Instant};

use crate::helpers::TestApp;

/// One stored event, every column but the id.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub kind: String,
    pub occurred_at: i64,
    pub session_key: String,
    pub user_id: Option<i64>,
    pub ip_prefix: Option<String>,
    pub product_id: Option<i64>,
    pub order_id: Option<i64>,
    pub query: Option<String>,
    pub filters: Option<String>,
    pub result_count: Option<i64>,
}

/// Every stored event, oldest first.
pub async fn events(app: &TestApp) -> Vec<EventRow> {
    sqlx::query_as(
        "SELECT kind, occurred_at, session_key, user_id, ip_prefix, product_id, order_id, query, \
         filters, result_count FROM analytics_events ORDER BY occurred_at, id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

/// Waits (up to 10 s) until at least `count` events are stored and returns them all: the capture
/// task writes within its flush interval (50 ms in tests).
pub async fn wait_for_events(app: &TestApp, count: usize) -> Vec<EventRow> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let stored = events(app).await;
        if stored.len() >= count {
            return stored;
        }
        assert!(
            Instant::now() < deadline,
            "expected {count} analytics events within 10 s, found {stored:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The stored events of `kind`, once at least `count` events of any kind are stored.
pub async fn wait_for_kind(app: &TestApp, count: usize, kind: &str) -> Vec<EventRow> {
    wait_for_events(app, count)
        .await
        .into_iter()
        .filter(|e| e.kind == kind)
        .collect()
}
