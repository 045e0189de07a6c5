//! What operators do with the queue, shared by `nexus jobs` and the staff dashboard's Jobs
//! page: the counts by kind and state, the failed jobs, and retrying or discarding a failed job.
//! Only a `failed` job can be retried or discarded: the statements match that state, so a job a
//! worker or another operator has moved on meanwhile is left alone and reported.

use serde::Serialize;

use super::{metrics::STATES, store, Kind};
use crate::db::{types::format_micros, Db};

/// How many jobs of one kind are in each state, in the order of [`STATES`].
#[derive(Debug, Serialize)]
pub struct KindCounts {
    pub kind: String,
    pub counts: [i64; STATES.len()],
}

/// A job that ran out of attempts.
#[derive(Debug, Serialize)]
pub struct FailedJob {
    pub id: i64,
    pub kind: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// When it failed for good (RFC 3339 UTC).
    pub finished_at: Option<String>,
}

impl From<store::FailedJob> for FailedJob {
    fn from(row: store::FailedJob) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            attempts: row.attempts,
            last_error: row.last_error,
            finished_at: row.finished_at.map(format_micros),
        }
    }
}

/// Why a job was not retried or discarded.
#[derive(Debug, thiserror::Error)]
pub enum NotFailed {
    #[error("there is no job {0}")]
    Missing(i64),
    #[error("job {id} is {state}, not failed: only failed jobs can be {action}")]
    Moved {
        id: i64,
        state: String,
        action: &'static str,
    },
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Jobs by kind and state: every known kind (with zeros), then any unknown kind the table holds
/// (written by a newer version), by name. Reads the whole table, `done` jobs included: for an
/// operator's look, not for anything periodic.
pub async fn counts(db: &Db) -> Result<Vec<KindCounts>, sqlx::Error> {
    let mut rows: Vec<KindCounts> = Kind::ALL
        .iter()
        .map(|kind| KindCounts {
            kind: kind.as_str().to_owned(),
            counts: [0; STATES.len()],
        })
        .collect();
    for count in store::count_by_state(db).await? {
        let Some(column) = STATES.iter().position(|state| *state == count.state) else {
            continue;
        };
        let index = match rows.iter().position(|row| row.kind == count.kind) {
            Some(index) => index,
            None => {
                rows.push(KindCounts {
                    kind: count.kind,
                    counts: [0; STATES.len()],
                });
                rows.len() - 1
            }
        };
        rows[index].counts[column] = count.count;
    }
    Ok(rows)
}

/// Every failed job, oldest first.
pub async fn failed_jobs(db: &Db) -> Result<Vec<FailedJob>, sqlx::Error> {
    let rows = store::failed(db).await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// One page of the failed jobs, the latest first, and how many there are.
pub async fn latest_failed_jobs(
    db: &Db,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<FailedJob>), sqlx::Error> {
    let (count, rows) = store::failed_page(db, limit, offset).await?;
    Ok((count, rows.into_iter().map(Into::into).collect()))
}

/// Queues failed job `id` again, due now, with its attempts reset.
pub async fn retry(db: &Db, id: i64) -> Result<(), NotFailed> {
    let retried = store::requeue_failed(db, Some(id)).await?;
    settled(db, id, retried, "retried").await
}

/// Queues every failed job again; returns how many.
pub async fn retry_all_failed(db: &Db) -> Result<u64, sqlx::Error> {
    store::requeue_failed(db, None).await
}

/// Deletes failed job `id`: an operator gave up on it (its error is in the logs too).
pub async fn discard(db: &Db, id: i64) -> Result<(), NotFailed> {
    let deleted = store::delete_failed(db, id).await?;
    settled(db, id, deleted, "discarded").await
}

/// `Ok` when the statement changed job `id`; else why not.
async fn settled(db: &Db, id: i64, changed: u64, action: &'static str) -> Result<(), NotFailed> {
    if changed > 0 {
        return Ok(());
    }
    match store::state_of(db, id).await? {
        None => Err(NotFailed::Missing(id)),
        Some(state) => Err(NotFailed::Moved { id, state, action }),
    }
}
