//! Every statement on the `jobs` table.

use std::time::Duration;

use sqlx::{AnyConnection, Connection, Row};

use super::{worker::Job, Kind, NewJob};
use crate::db::{insert_values, now_micros, Backend, Db, Param, SqlBuilder};

/// Inserts one job; a taken `unique_key` makes it a no-op (same statements on both engines).
/// Returns how many rows were inserted: 0 or 1.
///
/// Only a keyed job pays for `ON CONFLICT`: on PostgreSQL that is a speculative insertion, an
/// extra WAL record and lock on every insert, and most jobs (a checkout's email) have no key
/// (docs/PERFORMANCE.md, log 28). The conflict target names the partial unique index that holds
/// the keyed jobs only (migration 0010).
pub(super) async fn insert(conn: &mut AnyConnection, job: &NewJob) -> Result<u64, sqlx::Error> {
    const INSERT: &str = "INSERT INTO jobs (kind, payload, due_at, unique_key, created_at) \
                          VALUES ($1, $2, $3, $4, $5)";
    const INSERT_UNLESS_TAKEN: &str =
        "INSERT INTO jobs (kind, payload, due_at, unique_key, created_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING";
    let sql = if job.unique_key.is_some() {
        INSERT_UNLESS_TAKEN
    } else {
        INSERT
    };
    let done = sqlx::query(sql)
        .bind(job.kind.as_str())
        .bind(&job.payload)
        .bind(job.due_at)
        .bind(job.unique_key.as_deref())
        .bind(now_micros())
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Inserts `jobs` in multi-row statements (a keyed job, as in [`insert`], is a no-op when its key
/// is taken): a batch of checkouts queues its emails in one statement.
pub(super) async fn insert_many(
    conn: &mut AnyConnection,
    jobs: &[NewJob],
) -> Result<(), sqlx::Error> {
    const HEAD: &str = "INSERT INTO jobs (kind, payload, due_at, unique_key, created_at) VALUES ";
    let now = now_micros();
    let (keyed, unkeyed): (Vec<&NewJob>, Vec<&NewJob>) =
        jobs.iter().partition(|job| job.unique_key.is_some());
    let row = |job: &NewJob| -> Vec<Param> {
        vec![
            job.kind.as_str().into(),
            job.payload.as_str().into(),
            job.due_at.into(),
            job.unique_key.clone().into(),
            now.into(),
        ]
    };
    for (jobs, tail) in [
        (unkeyed, ""),
        (
            keyed,
            " ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL DO NOTHING",
        ),
    ] {
        if !jobs.is_empty() {
            let rows = jobs.into_iter().map(row).collect();
            insert_values(conn, HEAD, tail, rows, drop).await?;
        }
    }
    Ok(())
}

/// States a worker may take a job from: queued and due, or running with its lease run out.
const CLAIMABLE: &str = "state IN ('queued', 'running') AND due_at <= ";

/// How a run of a claimed job ended: written by its worker's next round.
#[derive(Debug)]
pub(super) struct Settled {
    pub id: i64,
    /// The claim's `attempts`: with the worker's name it proves the claim still holds the job.
    pub attempts: i64,
    pub ending: Ending,
}

#[derive(Debug)]
pub(super) enum Ending {
    /// Succeeded: `done`.
    Done,
    /// Failed, to be tried again from `due_at`.
    Retry { due_at: i64, error: String },
    /// Failed for good: `failed`, keeping its last error.
    Failed { error: String },
}

/// What a round claims: up to `limit` due jobs of `kinds`, leased for `lease`.
pub(super) struct Claim<'a> {
    pub kinds: &'a [Kind],
    pub limit: usize,
    pub lease: Duration,
}

/// One round of `worker`: records how its finished jobs ended (`settled`) and claims the next due
/// jobs, oldest due first, in ONE transaction. A worker used to pay a commit for each claim and
/// one for each outcome, two or more commits per job where the jobs were a burst of checkouts'
/// emails; a round now pays one for all of them (docs/PERFORMANCE.md, log 50).
///
/// PostgreSQL skips rows another instance is claiming (`FOR UPDATE SKIP LOCKED`); SQLite has one
/// writer, whose turn makes the claim atomic, and a cheap read first keeps its idle polls off
/// that writer. An outcome changes its job only while the claim it was run under still holds it
/// (same worker, same attempt, still running): a worker whose lease ran out and was taken over
/// changes nothing.
pub(super) async fn settle_and_claim(
    db: &Db,
    worker: &str,
    settled: &[Settled],
    claim: &Claim<'_>,
) -> Result<Vec<Job>, sqlx::Error> {
    let now = now_micros();
    let claiming = claim.limit > 0 && !claim.kinds.is_empty();
    if settled.is_empty()
        && (!claiming || (db.backend == Backend::Sqlite && !any_due(db, claim.kinds, now).await?))
    {
        return Ok(Vec::new());
    }
    let mut conn = db.write_connection().await?;
    let mut tx = conn
        .begin_with(match db.backend {
            Backend::Postgres => BEGIN_WALKING_DUE_IN_ORDER,
            // The same lock up front as `Db::begin_write`: this transaction writes.
            Backend::Sqlite => "BEGIN IMMEDIATE",
        })
        .await?;
    settle(&mut tx, worker, settled, now).await?;
    let rows: Vec<ClaimedRow> = if claiming {
        let lease_end = now + i64::try_from(claim.lease.as_micros()).unwrap_or(i64::MAX / 2);
        let mut sql = SqlBuilder::new(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, due_at = ",
        );
        sql.push_bind(lease_end)
            .push(", locked_by = ")
            .push_bind(worker);
        sql.push(" WHERE id IN (");
        push_due(&mut sql, db.backend, claim.kinds, claim.limit, now);
        sql.push(") RETURNING id, kind, payload, attempts");
        sql.query_as().fetch_all(&mut *tx).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    // Only known kinds are claimed, so every name parses.
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(Job {
                id: row.id,
                kind: Kind::parse(&row.kind)?,
                payload: row.payload,
                attempts: row.attempts,
            })
        })
        .collect())
}

/// Writes `settled` on `conn`: every success in one statement (the common ending), each failure
/// in one of its own (it carries its own error and time).
async fn settle(
    conn: &mut AnyConnection,
    worker: &str,
    settled: &[Settled],
    now: i64,
) -> Result<(), sqlx::Error> {
    let done: Vec<&Settled> = settled
        .iter()
        .filter(|one| matches!(one.ending, Ending::Done))
        .collect();
    if !done.is_empty() {
        let mut sql = SqlBuilder::new("UPDATE jobs SET state = 'done', finished_at = ");
        sql.push_bind(now)
            .push(", last_error = NULL, locked_by = NULL FROM (VALUES ");
        sql.push_rows(done.iter().map(|one| [one.id, one.attempts]))
            .push(") AS v WHERE jobs.id = v.column1 AND jobs.attempts = v.column2");
        push_still_claimed_by(&mut sql, worker);
        sql.query().execute(&mut *conn).await?;
    }
    for one in settled {
        let (set, at, error) = match &one.ending {
            Ending::Done => continue,
            Ending::Retry { due_at, error } => ("state = 'queued', due_at = ", *due_at, error),
            Ending::Failed { error } => ("state = 'failed', finished_at = ", now, error),
        };
        let mut sql = SqlBuilder::new("UPDATE jobs SET ");
        sql.push(set)
            .push_bind(at)
            .push(", last_error = ")
            .push_bind(error.as_str())
            .push(", locked_by = NULL WHERE jobs.id = ")
            .push_bind(one.id)
            .push(" AND jobs.attempts = ")
            .push_bind(one.attempts);
        push_still_claimed_by(&mut sql, worker);
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}

/// The rest of an outcome's guard: the job is still running under `worker`'s claim.
fn push_still_claimed_by(sql: &mut SqlBuilder, worker: &str) {
    sql.push(" AND jobs.locked_by = ")
        .push_bind(worker)
        .push(" AND jobs.state = 'running'");
}

/// Whether any job of `kinds` is due at `now`.
async fn any_due(db: &Db, kinds: &[Kind], now: i64) -> Result<bool, sqlx::Error> {
    let mut probe = SqlBuilder::new("SELECT COUNT(*) FROM (SELECT 1 FROM jobs WHERE ");
    probe.push(CLAIMABLE).push_bind(now);
    probe
        .push(" AND kind IN (")
        .push_list(kinds.iter().map(|kind| kind.as_str()))
        .push(") LIMIT 1) due");
    Ok(probe.fetch_i64(&db.pool).await? > 0)
}

/// The ids a claim at `now` takes: the first `limit` due jobs of `kinds`, in `due_at` order.
fn push_due(sql: &mut SqlBuilder, backend: Backend, kinds: &[Kind], limit: usize, now: i64) {
    sql.push("SELECT id FROM jobs WHERE ")
        .push(CLAIMABLE)
        .push_bind(now);
    sql.push(" AND kind IN (")
        .push_list(kinds.iter().map(|kind| kind.as_str()))
        .push(") ORDER BY due_at LIMIT ");
    sql.push_bind(i64::try_from(limit).unwrap_or(i64::MAX));
    if backend == Backend::Postgres {
        sql.push(" FOR UPDATE SKIP LOCKED");
    }
}

/// Begins a PostgreSQL transaction in which due jobs are taken by walking `jobs_claimable_idx` in
/// `due_at` order, stopping at the limit (one round trip: a simple query may hold several
/// statements). Left to itself, the planner judges the queue by the statistics of its last
/// `ANALYZE`. Taken while the queue was short, they make a burst's backlog look like a handful of
/// rows: the planner then reads every due job through a bitmap and sorts them all to take the
/// first few. Each claim then costs the whole backlog, and the worker falls further behind as the
/// queue grows (3.3 ms a claim with 7,000 emails queued: docs/PERFORMANCE.md, log 49). Without
/// bitmaps or sorts the one plan left is the ordered walk, whatever the statistics say.
const BEGIN_WALKING_DUE_IN_ORDER: &str =
    "BEGIN; SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off";

/// The database's plan for the rows a claim of `limit` jobs of `kinds` would take now, one line
/// per row of `EXPLAIN` (PostgreSQL) or `EXPLAIN QUERY PLAN` (SQLite); nothing is claimed.
pub async fn explain_claim(
    db: &Db,
    kinds: &[Kind],
    limit: usize,
) -> Result<Vec<String>, sqlx::Error> {
    let mut sql = SqlBuilder::new(match db.backend {
        Backend::Postgres => "EXPLAIN ",
        Backend::Sqlite => "EXPLAIN QUERY PLAN ",
    });
    push_due(&mut sql, db.backend, kinds, limit, now_micros());
    let mut tx = match db.backend {
        Backend::Postgres => db.pool.begin_with(BEGIN_WALKING_DUE_IN_ORDER).await?,
        Backend::Sqlite => db.pool.begin().await?,
    };
    let rows = sql.query().fetch_all(&mut *tx).await?;
    // PostgreSQL answers one text column; SQLite's last column is the step's description.
    rows.iter().map(|row| row.try_get(row.len() - 1)).collect()
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: i64,
    kind: String,
    payload: String,
    attempts: i64,
}

/// Hands `worker`'s running jobs back to the queue, due now, the interrupted attempt not counted.
pub(super) async fn release(db: &Db, worker: &str) -> Result<u64, sqlx::Error> {
    let mut conn = db.write_connection().await?;
    let done = sqlx::query(
        "UPDATE jobs SET state = 'queued', due_at = $1, attempts = attempts - 1, locked_by = NULL \
         WHERE locked_by = $2 AND state = 'running'",
    )
    .bind(now_micros())
    .bind(worker)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// How many jobs of one kind are in one state.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct StateCount {
    pub kind: String,
    pub state: String,
    pub count: i64,
}

/// Jobs by kind and state, `done` ones included: a scan of the whole table, for an operator's
/// `nexus jobs`, not for anything periodic.
pub(super) async fn count_by_state(db: &Db) -> Result<Vec<StateCount>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, state, COUNT(*) AS count FROM jobs GROUP BY kind, state ORDER BY kind, state",
    )
    .fetch_all(&db.pool)
    .await
}

/// Jobs not done, by kind and state: each half reads only its partial index
/// (`jobs_claimable_idx`, `jobs_failed_idx`), so the cost follows the queue, not the days of
/// finished jobs the table keeps.
pub(super) async fn count_unfinished(db: &Db) -> Result<Vec<StateCount>, sqlx::Error> {
    sqlx::query_as(
        "SELECT kind, state, COUNT(*) AS count FROM jobs \
         WHERE state IN ('queued', 'running') GROUP BY kind, state \
         UNION ALL \
         SELECT kind, state, COUNT(*) AS count FROM jobs WHERE state = 'failed' GROUP BY kind, state",
    )
    .fetch_all(&db.pool)
    .await
}

/// The `due_at` of the longest-waiting claimable job of one kind.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct OldestDue {
    pub kind: String,
    pub due_at: i64,
}

/// Per kind, the earliest `due_at` among the jobs a worker could take at `now`.
pub(super) async fn oldest_due(db: &Db, now: i64) -> Result<Vec<OldestDue>, sqlx::Error> {
    let mut query = SqlBuilder::new("SELECT kind, MIN(due_at) AS due_at FROM jobs WHERE ");
    query.push(CLAIMABLE).push_bind(now).push(" GROUP BY kind");
    query.query_as().fetch_all(&db.pool).await
}

/// A job that ran out of attempts.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct FailedJob {
    pub id: i64,
    pub kind: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub finished_at: Option<i64>,
}

/// Every failed job, oldest first.
pub(super) async fn failed(db: &Db) -> Result<Vec<FailedJob>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, attempts, last_error, finished_at FROM jobs \
         WHERE state = 'failed' ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await
}

/// One page of the failed jobs, the latest first (through `jobs_failed_idx`), and how many
/// there are.
pub(super) async fn failed_page(
    db: &Db,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<FailedJob>), sqlx::Error> {
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE state = 'failed'")
        .fetch_one(&db.pool)
        .await?;
    let rows = sqlx::query_as(
        "SELECT id, kind, attempts, last_error, finished_at FROM jobs \
         WHERE state = 'failed' ORDER BY id DESC LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(&db.pool)
    .await?;
    Ok((count, rows))
}

/// Deletes job `id` if it is failed; returns how many rows went (0 or 1).
pub(super) async fn delete_failed(db: &Db, id: i64) -> Result<u64, sqlx::Error> {
    let mut conn = db.write_connection().await?;
    let done = sqlx::query("DELETE FROM jobs WHERE id = $1 AND state = 'failed'")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// The state of job `id`, if it exists.
pub(super) async fn state_of(db: &Db, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT state FROM jobs WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await
}

/// Puts failed jobs (job `id`, or all of them when `None`) back in the queue, due now, with
/// their attempts reset; the last error stays until the next outcome replaces it. Returns how
/// many. Only `failed` rows match, so a retry racing a worker or another retry changes nothing
/// twice.
pub(super) async fn requeue_failed(db: &Db, id: Option<i64>) -> Result<u64, sqlx::Error> {
    let mut update = SqlBuilder::new(
        "UPDATE jobs SET state = 'queued', attempts = 0, finished_at = NULL, locked_by = NULL, \
         due_at = ",
    );
    update
        .push_bind(now_micros())
        .push(" WHERE state = 'failed'");
    if let Some(id) = id {
        update.push(" AND id = ").push_bind(id);
    }
    let mut conn = db.write_connection().await?;
    Ok(update.query().execute(&mut *conn).await?.rows_affected())
}

/// Deletes `done` jobs finished before `before` (epoch micros); `failed` ones stay for an
/// operator to read and retry. Returns how many.
pub(super) async fn delete_done_before(db: &Db, before: i64) -> Result<u64, sqlx::Error> {
    let mut conn = db.write_connection().await?;
    let done = sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_at < $1")
        .bind(before)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}
