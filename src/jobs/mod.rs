//! The durable job queue (SPEC §3.11): one `jobs` table in the main database.
//!
//! A job is inserted with [`enqueue`] on the connection of the transaction that causes it, so it
//! exists exactly when its cause committed. Workers in every `nexus serve` instance claim due jobs,
//! run the kind's handler, and retry failures with exponential backoff and jitter until
//! `JOBS_MAX_ATTEMPTS`, then mark the job `failed`. Recurring jobs are planned by every worker
//! from the table in `schedule.rs`, once per period across instances. docs/notifications.md
//! describes operating it (`nexus jobs`, the `nexus_jobs_*` metrics); `admin.rs` is what
//! operators do to it, from the command line or the staff dashboard.

mod admin;
mod backoff;
mod cli;
mod kind;
pub mod metrics;
mod schedule;
mod store;
mod worker;

pub use self::{
    admin::{
        counts, discard, failed_jobs, latest_failed_jobs, retry, retry_all_failed, FailedJob,
        KindCounts, NotFailed,
    },
    cli::JobsCommand,
    kind::Kind,
    metrics::STATES,
    schedule::{plan, run_planner, Every, Scheduled, PLAN_INTERVAL, SCHEDULE},
    store::explain_claim,
    worker::{Handlers, Job, Worker},
};
pub use crate::config::jobs::JobSettings;

use std::time::Duration;

use serde::Serialize;
use sqlx::AnyConnection;

use crate::db::{now_micros, Db};

/// A job to insert.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub kind: Kind,
    /// JSON the kind's handler reads.
    pub payload: String,
    /// When it may run first (epoch micros).
    pub due_at: i64,
    /// Set for planned jobs: of several inserts with one key, the first wins and the rest do
    /// nothing (every instance plans the same period).
    pub unique_key: Option<String>,
}

impl NewJob {
    /// A job of `kind` due now.
    pub fn new(kind: Kind, payload: &impl Serialize) -> Self {
        Self {
            kind,
            payload: serde_json::to_string(payload).expect("job payloads serialize to JSON"),
            due_at: now_micros(),
            unique_key: None,
        }
    }

    /// The same job, due at `due_at` (epoch micros).
    pub fn due_at(mut self, due_at: i64) -> Self {
        self.due_at = due_at;
        self
    }

    /// The same job, inserted at most once under `key`.
    pub fn unique(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }
}

/// Inserts `job` on `conn`, which should be the causing transaction's connection. A job whose
/// unique key is taken already is dropped silently: that period is planned.
pub async fn enqueue(conn: &mut AnyConnection, job: NewJob) -> Result<(), sqlx::Error> {
    store::insert(conn, &job).await.map(drop)
}

/// Inserts `jobs` on `conn` as [`enqueue`] does, in multi-row statements.
pub async fn enqueue_many(conn: &mut AnyConnection, jobs: &[NewJob]) -> Result<(), sqlx::Error> {
    store::insert_many(conn, jobs).await
}

/// Deletes `done` jobs that finished more than `age` ago (the cleanup job); `failed` ones stay
/// until an operator retries them. Returns how many were deleted.
pub async fn delete_done_older_than(db: &Db, age: Duration) -> Result<u64, sqlx::Error> {
    let age = i64::try_from(age.as_micros()).unwrap_or(i64::MAX);
    store::delete_done_before(db, now_micros().saturating_sub(age)).await
}
