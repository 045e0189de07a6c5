//! The job queue (SPEC §3.11): test-built workers with test handlers on each test's fresh
//! database, the scheduled jobs, the cleanup job, `nexus jobs` and the `nexus_jobs_*` metrics.
//!
//! Worker tests run their own `Worker` on an app started with `JOBS_ENABLED=false`, so the app's
//! worker can't take their jobs. Test handlers use `Kind::Cleanup` as their kind.

mod cleanup;
mod command;
mod metrics;
mod schedule;
mod shutdown;
mod worker;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use nexus::{
    db::now_micros,
    jobs::{self, JobSettings, Kind, NewJob},
};

use crate::helpers::TestApp;

/// The same backend as `app`, with no worker of its own.
pub async fn without_worker(app: &TestApp) -> TestApp {
    TestApp::spawn_with(app.backend, &[("JOBS_ENABLED", "false")])
        .await
        .unwrap()
}

/// Settings for a test-built worker: quick polls, retries in tens of milliseconds.
pub fn fast_settings() -> JobSettings {
    let mut settings = JobSettings::from_lookup(|_| None).unwrap();
    settings.poll_interval = Duration::from_millis(10);
    settings.retry_base = Duration::from_millis(100);
    settings.retry_max = Duration::from_secs(2);
    settings.max_attempts = 3;
    settings
}

/// Queues `count` cleanup-kind jobs due now, payload `{"n": i}`; returns their ids.
pub async fn enqueue(app: &TestApp, count: usize) -> Vec<i64> {
    let mut conn = app.db.write_connection().await.unwrap();
    let first = now_micros();
    for n in 0..count {
        let job = NewJob::new(Kind::Cleanup, &serde_json::json!({ "n": n }));
        jobs::enqueue(&mut conn, job).await.unwrap();
    }
    sqlx::query_scalar("SELECT id FROM jobs WHERE created_at >= $1 ORDER BY id")
        .bind(first)
        .fetch_all(&mut *conn)
        .await
        .unwrap()
}

/// One job's row, as the assertions read it.
#[derive(Debug, sqlx::FromRow)]
pub struct Row {
    pub state: String,
    pub attempts: i64,
    pub due_at: i64,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub finished_at: Option<i64>,
}

pub async fn row(app: &TestApp, id: i64) -> Row {
    sqlx::query_as(
        "SELECT state, attempts, due_at, locked_by, last_error, finished_at FROM jobs WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// Waits (up to `limit`) until `sql` counts `expected`; panics with the last count otherwise.
pub async fn wait_for_count(app: &TestApp, sql: &str, expected: i64, limit: Duration) {
    let started = Instant::now();
    loop {
        let now = count(app, sql).await;
        if now == expected {
            return;
        }
        assert!(
            started.elapsed() < limit,
            "{sql}: {now} after {limit:?}, waiting for {expected}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What test handlers saw: when each job id ran, in order.
#[derive(Clone, Default)]
pub struct Runs(Arc<Mutex<HashMap<i64, Vec<Instant>>>>);

impl Runs {
    pub fn record(&self, id: i64) -> usize {
        let mut runs = self.0.lock().unwrap();
        let times = runs.entry(id).or_default();
        times.push(Instant::now());
        times.len()
    }

    pub fn of(&self, id: i64) -> Vec<Instant> {
        self.0.lock().unwrap().get(&id).cloned().unwrap_or_default()
    }

    pub fn all(&self) -> HashMap<i64, Vec<Instant>> {
        self.0.lock().unwrap().clone()
    }
}
