//! The queue's Prometheus families (`nexus_jobs_*`, docs/notifications.md "Watching the queue").
//!
//! Labels come from closed sets only: `kind` from [`Kind::ALL`], `state` from [`DEPTH_STATES`],
//! `outcome` from [`Outcome`]. Jobs of a kind this version does not know are left out rather than
//! labelled with whatever the table holds. The gauges are refreshed by each worker from the
//! database (two partial-index reads), so every instance reports the shared queue, not its own
//! share.

use super::{store, Kind};
use crate::db::{now_micros, Db};

/// Jobs waiting, running or failed, by `kind` and `state` (gauge).
pub const QUEUE_DEPTH: &str = "nexus_jobs_queue_depth";
/// Finished attempts by `kind` and `outcome` (counter).
pub const RUNS_TOTAL: &str = "nexus_jobs_runs_total";
/// Attempts that ended in an error (retried or failed for good), by `kind` (counter).
pub const FAILURES_TOTAL: &str = "nexus_jobs_failures_total";
/// Seconds since the oldest claimable job of each `kind` became due (gauge; 0 when none).
pub const OLDEST_DUE_AGE: &str = "nexus_jobs_oldest_due_age_seconds";

/// Every value of the `state` column.
pub const STATES: [&str; 4] = ["queued", "running", "done", "failed"];

/// The states the depth gauge reports. `done` jobs are kept for days (the cleanup job); counting
/// them every few seconds would read all of them, and they are history, not depth.
const DEPTH_STATES: [&str; 3] = ["queued", "running", "failed"];

/// How an attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Succeeded,
    /// Failed, and queued again after a backoff.
    Retried,
    /// Failed on its last attempt: the job is `failed`.
    Failed,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::Succeeded, Outcome::Retried, Outcome::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::Retried => "retried",
            Outcome::Failed => "failed",
        }
    }
}

/// Describes the families and creates every series at zero (called when the process-wide
/// recorder is installed, `telemetry::metrics`).
pub fn register() {
    metrics::describe_gauge!(QUEUE_DEPTH, "Jobs in the queue table by kind and state");
    metrics::describe_counter!(RUNS_TOTAL, "Job attempts run, by kind and outcome");
    metrics::describe_counter!(FAILURES_TOTAL, "Job attempts that ended in an error");
    metrics::describe_gauge!(
        OLDEST_DUE_AGE,
        metrics::Unit::Seconds,
        "Age of the oldest job that is due and not yet taken, by kind"
    );
    for kind in Kind::ALL {
        for state in DEPTH_STATES {
            metrics::gauge!(QUEUE_DEPTH, "kind" => kind.as_str(), "state" => state).set(0.0);
        }
        for outcome in Outcome::ALL {
            metrics::counter!(RUNS_TOTAL, "kind" => kind.as_str(), "outcome" => outcome.as_str())
                .increment(0);
        }
        metrics::counter!(FAILURES_TOTAL, "kind" => kind.as_str()).increment(0);
        metrics::gauge!(OLDEST_DUE_AGE, "kind" => kind.as_str()).set(0.0);
    }
}

/// Counts one finished attempt.
pub(super) fn record_run(kind: Kind, outcome: Outcome) {
    metrics::counter!(RUNS_TOTAL, "kind" => kind.as_str(), "outcome" => outcome.as_str())
        .increment(1);
    if outcome != Outcome::Succeeded {
        metrics::counter!(FAILURES_TOTAL, "kind" => kind.as_str()).increment(1);
    }
}

/// Sets the gauges from the table: every kind and gauged state, zero where the table has none.
pub(super) async fn refresh(db: &Db) -> Result<(), sqlx::Error> {
    let now = now_micros();
    let counts = store::count_unfinished(db).await?;
    let oldest = store::oldest_due(db, now).await?;
    for kind in Kind::ALL {
        for state in DEPTH_STATES {
            let count = counts
                .iter()
                .find(|row| row.kind == kind.as_str() && row.state == state)
                .map_or(0, |row| row.count);
            metrics::gauge!(QUEUE_DEPTH, "kind" => kind.as_str(), "state" => state)
                .set(count as f64);
        }
        let age_micros = oldest
            .iter()
            .find(|row| row.kind == kind.as_str())
            .map_or(0, |row| now.saturating_sub(row.due_at).max(0));
        metrics::gauge!(OLDEST_DUE_AGE, "kind" => kind.as_str()).set(age_micros as f64 / 1e6);
    }
    Ok(())
}
