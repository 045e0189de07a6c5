//! Group commit: the write units waiting at one moment run in ONE write transaction, each under
//! its own savepoint, so they share one `BEGIN`/`COMMIT` (one fsync, one hand-off of the write
//! lock) instead of paying for one each.
//!
//! The invariants, each tested (`tests/api/orders/group_commit.rs` and below):
//! * nobody waits for a batch to fill: a lane takes the first waiting unit at once, plus whatever
//!   else is queued then (up to `MAX_BATCH`); a unit alone runs in a plain transaction, exactly
//!   as it would without the combiner;
//! * a unit's failure is its own: its statements are rolled back to its savepoint (PostgreSQL
//!   would otherwise abort the whole transaction) and the others still commit;
//! * an outcome is delivered only after the `COMMIT` that makes it true; when the shared
//!   transaction can't commit but surely did not (the database refused it), every unit is run
//!   again in a transaction of its own. A `COMMIT` whose answer was lost (the connection broke)
//!   may have committed, so it is reported as the error it is, never re-run (that could place an
//!   order twice);
//! * a unit the database picked as a deadlock or serialization victim (other writers lock
//!   products in their own order, and a batch locks them across many units) is run again alone
//!   after the batch commits.
//!
//! Units are `FnMut` so they can run twice; each sees the writes of the units before it in its
//! batch, as if they had run one after the other.

use std::{
    any::Any,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc,
    },
};

use futures_util::future::BoxFuture;
use sqlx::{AnyConnection, Executor};
use tokio::sync::{mpsc, oneshot, Mutex};
use tokio_util::sync::CancellationToken;

use super::{Backend, Db};

/// The most units one transaction takes: enough to amortise a commit many times over, few
/// enough that one batch's locks are not held for long, and under the 64 subtransaction ids a
/// PostgreSQL backend caches (every savepoint that writes takes one; past 64 every snapshot in
/// every session has to look them up in `pg_subtrans`).
pub const MAX_BATCH: usize = 32;

/// How many units may wait for a lane before `run` waits to queue (the HTTP layer bounds the
/// callers anyway; this only keeps the queue's memory bounded).
const QUEUE_DEPTH: usize = 4 * MAX_BATCH;

/// The batch-size histogram of `/metrics`.
pub const BATCH_SIZE_METRIC: &str = "nexus_group_commit_batch_size";
/// The counter of units run a second time, alone, in `/metrics`.
pub const RERUNS_METRIC: &str = "nexus_group_commit_reruns_total";

/// Whether checkouts share transactions unless `GROUP_COMMIT` says otherwise: on SQLite, where
/// every commit is an fsync on the one writer and sharing doubled checkout; off on PostgreSQL,
/// which already shares WAL flushes between concurrent commits, where it gained nothing and
/// made the slowest 5 % of checkouts 2–3× slower (docs/PERFORMANCE.md, log 40).
pub fn on_by_default(backend: Backend) -> bool {
    backend == Backend::Sqlite
}

/// How many shared transactions run at once unless `GROUP_COMMIT_LANES` says otherwise.
/// SQLite has one writer, so one lane takes everything waiting for it. On PostgreSQL a lane is
/// bound by round trips (a unit's dozen statements run one after another on its connection), so
/// several lanes keep the server's cores busy; at 8 checkout matched one transaction per order on
/// this machine, and 1 or 4 fell behind (docs/PERFORMANCE.md, log 40).
pub fn default_lanes(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => 8,
    }
}

/// What a unit did, for the combiner to keep or undo.
#[derive(Debug)]
pub enum Done<T> {
    /// Keep the unit's writes; `T` is delivered once they are committed.
    Keep(T),
    /// Undo the unit's writes (back to its savepoint); `T` is delivered after the batch
    /// commits, so a caller that then reads sees what the units before it committed.
    Undo(T),
}

/// A unit's outcome before its type was erased.
type Erased = Box<dyn Any + Send>;

/// A unit of work, type-erased: runs on the write transaction's connection.
type Work = Box<
    dyn for<'c> FnMut(&'c mut AnyConnection) -> BoxFuture<'c, Result<Done<Erased>, sqlx::Error>>
        + Send,
>;

/// A queued unit and where its outcome goes.
struct Job {
    work: Work,
    reply: oneshot::Sender<Result<Erased, sqlx::Error>>,
}

/// Counters of what the lanes ran (for tests and the log; `/metrics` has the histogram).
#[derive(Debug, Default)]
pub struct Stats {
    batches: AtomicU64,
    units: AtomicU64,
    largest: AtomicUsize,
    reruns: AtomicU64,
}

impl Stats {
    /// Transactions run by the lanes (a batch of one included).
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Units run by the lanes.
    pub fn units(&self) -> u64 {
        self.units.load(Ordering::Relaxed)
    }

    /// The most units one transaction has taken.
    pub fn largest_batch(&self) -> usize {
        self.largest.load(Ordering::Relaxed)
    }

    /// Units run a second time, alone.
    pub fn reruns(&self) -> u64 {
        self.reruns.load(Ordering::Relaxed)
    }

    fn rerun(&self) {
        self.reruns.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(RERUNS_METRIC).increment(1);
    }

    fn record(&self, size: usize) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.units.fetch_add(size as u64, Ordering::Relaxed);
        self.largest.fetch_max(size, Ordering::Relaxed);
        #[expect(
            clippy::cast_precision_loss,
            reason = "a batch holds at most `MAX_BATCH` units"
        )]
        metrics::histogram!(BATCH_SIZE_METRIC).record(size as f64);
    }
}

/// The combiner: a queue and the lanes draining it (or, switched off, a pass-through that runs
/// every unit in its own transaction on the caller's task).
pub struct GroupCommit {
    db: Db,
    queue: Option<mpsc::Sender<Job>>,
    stats: Arc<Stats>,
    closing: CancellationToken,
    lanes: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl GroupCommit {
    /// Starts `lanes` lanes (each one write transaction at a time; `None`: [`default_lanes`]) on
    /// `db`; with `enabled` false (`None`: [`on_by_default`]) nothing is spawned and
    /// [`GroupCommit::run`] runs each unit alone. Must be called inside the runtime.
    pub fn start(db: Db, enabled: Option<bool>, lanes: Option<usize>) -> Self {
        let enabled = enabled.unwrap_or_else(|| on_by_default(db.backend));
        let lanes = lanes.unwrap_or_else(|| default_lanes(db.backend));
        let stats = Arc::new(Stats::default());
        let closing = CancellationToken::new();
        let mut handles = Vec::new();
        let queue = enabled.then(|| {
            let (sender, receiver) = mpsc::channel(QUEUE_DEPTH);
            let receiver = Arc::new(Mutex::new(receiver));
            for _ in 0..lanes.max(1) {
                handles.push(tokio::spawn(lane(
                    db.clone(),
                    receiver.clone(),
                    stats.clone(),
                    closing.clone(),
                )));
            }
            sender
        });
        Self {
            db,
            queue,
            stats,
            closing,
            lanes: std::sync::Mutex::new(handles),
        }
    }

    /// What the lanes have run so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Runs `work` in a write transaction, shared with whatever else is waiting, and answers its
    /// outcome once that is committed (or, for [`Done::Undo`], once the batch has ended). An
    /// `Err` is a database error of the unit's own statements or of its transaction.
    pub async fn run<T, F>(&self, mut work: F) -> Result<T, sqlx::Error>
    where
        T: Send + 'static,
        F: for<'c> FnMut(&'c mut AnyConnection) -> BoxFuture<'c, Result<Done<T>, sqlx::Error>>
            + Send
            + 'static,
    {
        let work: Work = Box::new(move |conn| {
            let unit = work(conn);
            Box::pin(async move {
                Ok(match unit.await? {
                    Done::Keep(value) => Done::Keep(Box::new(value) as Erased),
                    Done::Undo(value) => Done::Undo(Box::new(value) as Erased),
                })
            })
        });
        let (reply, answer) = oneshot::channel();
        let job = Job { work, reply };
        match &self.queue {
            Some(queue) => queue.send(job).await.map_err(|_| sqlx::Error::PoolClosed)?,
            None => run_alone(&self.db, job).await,
        }
        let value = answer.await.map_err(|_| sqlx::Error::WorkerCrashed)??;
        Ok(*value
            .downcast::<T>()
            .expect("a unit's outcome comes back as the type it was sent with"))
    }

    /// A write that needs no transaction of its own (one or two statements that would each
    /// commit alone, like a cart add): on SQLite it joins the next batch, since it would queue
    /// for the same single writer and pay a commit (an fsync) of its own otherwise; on PostgreSQL
    /// (or with the combiner off) it runs at once on a pooled connection, beside the batches,
    /// each statement committing on its own. Whatever it wrote is kept either way.
    pub async fn run_small<T, F>(&self, mut work: F) -> Result<T, sqlx::Error>
    where
        T: Send + 'static,
        F: for<'c> FnMut(&'c mut AnyConnection) -> BoxFuture<'c, Result<T, sqlx::Error>>
            + Send
            + 'static,
    {
        if self.queue.is_none() || self.db.backend == Backend::Postgres {
            let mut conn = self.db.write_connection().await?;
            return work(&mut conn).await;
        }
        self.run(move |conn| {
            let unit = work(conn);
            Box::pin(async move { unit.await.map(Done::Keep) })
        })
        .await
    }

    /// Stops taking units, runs the ones already queued, and waits for the lanes to end: called
    /// once the server has stopped serving, before the pool closes.
    pub async fn close(&self) {
        self.closing.cancel();
        let lanes = std::mem::take(&mut *self.lanes.lock().expect("lanes lock"));
        for lane in lanes {
            let _ = lane.await;
        }
    }
}

/// One lane: takes what is queued (waiting only for the first unit), runs it, repeats, until
/// the queue is closed or `closing` is cancelled (then it drains what is left).
async fn lane(
    db: Db,
    receiver: Arc<Mutex<mpsc::Receiver<Job>>>,
    stats: Arc<Stats>,
    closing: CancellationToken,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let taken = {
            let mut receiver = receiver.lock().await;
            tokio::select! {
                biased;
                taken = receiver.recv_many(&mut batch, MAX_BATCH) => taken,
                () = closing.cancelled() => {
                    receiver.close();
                    receiver.recv_many(&mut batch, MAX_BATCH).await
                }
            }
        };
        if taken == 0 {
            return;
        }
        run_batch(&db, &mut batch, &stats).await;
    }
}

/// Runs the taken units: alone when there is one, else together, each under a savepoint.
async fn run_batch(db: &Db, batch: &mut Vec<Job>, stats: &Stats) {
    // A caller that has gone (its request was dropped) wants nothing written any more.
    batch.retain(|job| !job.reply.is_closed());
    match batch.len() {
        0 => {}
        1 => {
            stats.record(1);
            run_alone(db, batch.pop().expect("one unit")).await;
        }
        size => {
            stats.record(size);
            let jobs = std::mem::take(batch);
            *batch = Vec::with_capacity(MAX_BATCH);
            run_together(db, jobs, stats).await;
        }
    }
}

/// A unit's result inside a batch, before the commit decides what is delivered.
enum Pending {
    Deliver(Result<Erased, sqlx::Error>),
    /// A deadlock or serialization victim: run again alone once the batch has committed.
    Rerun,
}

async fn run_together(db: &Db, mut jobs: Vec<Job>, stats: &Stats) {
    let mut outcomes = Vec::with_capacity(jobs.len());
    let shared = async {
        let mut tx = db.begin_write().await.map_err(Failure::Begin)?;
        // The previous unit's savepoint is released in the round trip that opens the next one
        // (the last needs no release: the commit takes it along).
        let mut opening = match db.backend {
            // A batch holds product locks taken across many units, not in one global order, so
            // it may close a cycle with another writer (a cancel, a stock edit, another lane).
            // Giving up a wait after 50 ms, long before PostgreSQL's deadlock check (1 s),
            // makes the batch's unit the one that yields (it is re-run alone), never the other
            // writer's request.
            Backend::Postgres => "SET LOCAL lock_timeout = '50ms'; SAVEPOINT unit",
            Backend::Sqlite => "SAVEPOINT unit",
        };
        for job in &mut jobs {
            tx.execute(opening).await.map_err(Failure::Undone)?;
            opening = "RELEASE SAVEPOINT unit; SAVEPOINT unit";
            let outcome = (job.work)(&mut tx).await;
            if !matches!(outcome, Ok(Done::Keep(_))) {
                tx.execute("ROLLBACK TO SAVEPOINT unit")
                    .await
                    .map_err(Failure::Undone)?;
            }
            outcomes.push(match outcome {
                Ok(Done::Keep(value) | Done::Undo(value)) => Pending::Deliver(Ok(value)),
                Err(error) if is_retryable(&error) => Pending::Rerun,
                Err(error) => Pending::Deliver(Err(error)),
            });
        }
        tx.commit().await.map_err(|error| match error {
            // The database answered: it did not commit.
            sqlx::Error::Database(_) => Failure::Undone(error),
            other => Failure::Unknown(other),
        })
    };
    match shared.await {
        Ok(()) => {
            for (job, outcome) in jobs.into_iter().zip(outcomes) {
                match outcome {
                    Pending::Deliver(result) => {
                        let _ = job.reply.send(result);
                    }
                    Pending::Rerun => {
                        stats.rerun();
                        run_alone(db, job).await;
                    }
                }
            }
        }
        Err(Failure::Undone(error)) => {
            tracing::warn!(%error, units = jobs.len(), "group commit failed; running its units one by one");
            for job in jobs {
                stats.rerun();
                run_alone(db, job).await;
            }
        }
        Err(Failure::Begin(error) | Failure::Unknown(error)) => {
            for job in jobs {
                let _ = job.reply.send(Err(copy_error(&error)));
            }
        }
    }
}

/// Why a shared transaction ended without a commit.
enum Failure {
    /// No transaction: each unit would have met the same (a pool timeout, the database gone).
    Begin(sqlx::Error),
    /// Surely not committed: the units may run again.
    Undone(sqlx::Error),
    /// The `COMMIT`'s answer was lost: it may have committed.
    Unknown(sqlx::Error),
}

/// Runs one unit in a transaction of its own and delivers its outcome.
async fn run_alone(db: &Db, mut job: Job) {
    let outcome = async {
        let mut tx = db.begin_write().await?;
        match (job.work)(&mut tx).await? {
            Done::Keep(value) => {
                tx.commit().await?;
                Ok(value)
            }
            Done::Undo(value) => {
                tx.rollback().await?;
                Ok(value)
            }
        }
    }
    .await;
    let _ = job.reply.send(outcome);
}

/// A deadlock or serialization failure (PostgreSQL's `40P01`, `40001`), or a lock not granted
/// (`55P03`; SQLite's `SQLITE_BUSY`): the unit did nothing wrong and may succeed alone.
fn is_retryable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(db) => matches!(
            db.code().as_deref(),
            Some("40P01" | "40001" | "55P03" | "5" | "517")
        ),
        _ => false,
    }
}

/// The same error for every unit of a batch that could not begin (`sqlx::Error` is not `Clone`):
/// the pool's own errors keep their kind, so they still answer `503`.
fn copy_error(error: &sqlx::Error) -> sqlx::Error {
    match error {
        sqlx::Error::PoolTimedOut => sqlx::Error::PoolTimedOut,
        sqlx::Error::PoolClosed => sqlx::Error::PoolClosed,
        sqlx::Error::Io(io) => sqlx::Error::Io(std::io::Error::new(io.kind(), io.to_string())),
        other => sqlx::Error::Protocol(other.to_string()),
    }
}
