//! Group commit: the writes waiting at one moment run in ONE write transaction, so they share one
//! `BEGIN`/`COMMIT` (one fsync, one hand-off of the write lock) instead of paying for one each.
//! Two kinds of work share a batch: closure units ([`GroupCommit::run`]), each under its own
//! savepoint, and the items of one set-wise [`Batch`] ([`GroupCommit::submit`]: checkout, which
//! writes a batch's orders with one statement per table).
//!
//! The invariants, each tested (`tests/api/orders/group_commit.rs` and below):
//! * nobody waits for a batch to fill: a lane takes the first waiting job at once, plus whatever
//!   else is queued then (up to `MAX_BATCH`); a job alone runs in a plain transaction, exactly
//!   as it would without the combiner;
//! * a unit's failure is its own: its statements are rolled back to its savepoint (PostgreSQL
//!   would otherwise abort the whole transaction) and the others still commit; a set-wise item
//!   refused by its batch writes nothing;
//! * an outcome is delivered only after the `COMMIT` that makes it true; when the shared
//!   transaction can't commit but surely did not (the database refused it, or a batch's own
//!   statement failed), every job is run again in a transaction of its own. A `COMMIT` whose
//!   answer was lost (the connection broke) may have committed, so it is reported as the error
//!   it is, never re-run (that could place an order twice);
//! * a unit the database picked as a deadlock or serialization victim (other writers lock
//!   products in their own order) is run again alone after the batch commits.
//!
//! Units are `FnMut` and items are kept until delivered, so both can run twice; each sees the
//! writes of the work before it in its batch (units first, then the set-wise items), as if they
//! had run one after the other.

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

/// Whether checkouts share transactions unless `GROUP_COMMIT` says otherwise: yes on both
/// engines since a batch is written set-wise, a few statements for all its orders (SQLite
/// 941 → 2,058 orders/s, PostgreSQL 819 → 1,193; docs/PERFORMANCE.md, log 48). Before that,
/// when a batch was its orders' statements one after another, it paid only on SQLite (log 40).
pub fn on_by_default(_backend: Backend) -> bool {
    true
}

/// How many shared transactions run at once unless `GROUP_COMMIT_LANES` says otherwise.
/// SQLite has one writer, so one lane takes everything waiting for it. On PostgreSQL several
/// lanes keep the server's cores busy while one waits on its round trips; with set-wise batches 4
/// did best on this machine (2 close behind; 8 fell back to the throughput of no batching, most
/// of its transactions holding one order: log 48).
pub fn default_lanes(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => 4,
    }
}

/// A feature's own kind of work, written set-wise: the items of it waiting at one moment run
/// together (checkout writes a batch's orders with one statement per table).
pub trait Batch: Send + Sync + 'static {
    type Item: Send + 'static;
    type Outcome: Send + 'static;

    /// Runs `items` on `conn`, the write transaction, as if one after another in their order, and
    /// says for each what became of it (one [`Ran`] per item, in order). An `Err` undoes the
    /// whole transaction: a batch of several is then run again item by item, each alone; an item
    /// alone answers the error.
    fn run<'c>(
        &'c self,
        conn: &'c mut AnyConnection,
        items: &'c mut [Self::Item],
    ) -> BoxFuture<'c, Result<Vec<Ran<Self::Outcome>>, sqlx::Error>>;
}

/// Any [`Batch`], its item and outcome types erased, so the state can hold the combiner without
/// naming the feature whose batch it runs (`state` sits below the features); the feature
/// submits its own items with [`GroupCommit::submit_as`].
pub struct AnyBatch(Box<dyn ErasedBatch>);

impl AnyBatch {
    pub fn new(batch: impl Batch) -> Self {
        Self(Box::new(batch))
    }
}

/// [`Batch::run`] on erased items: each is unboxed to the batch's own type, run, and boxed back
/// (a batch that fails is run again, so its items are kept).
trait ErasedBatch: Send + Sync + 'static {
    fn run_erased<'c>(
        &'c self,
        conn: &'c mut AnyConnection,
        items: &'c mut [Erased],
    ) -> BoxFuture<'c, Result<Vec<Ran<Erased>>, sqlx::Error>>;
}

impl<B: Batch> ErasedBatch for B {
    fn run_erased<'c>(
        &'c self,
        conn: &'c mut AnyConnection,
        items: &'c mut [Erased],
    ) -> BoxFuture<'c, Result<Vec<Ran<Erased>>, sqlx::Error>> {
        Box::pin(async move {
            let mut typed: Vec<B::Item> = items
                .iter_mut()
                .map(|item| {
                    *std::mem::replace(item, Box::new(()))
                        .downcast::<B::Item>()
                        .expect("an item comes in as the type of the batch it was sent to")
                })
                .collect();
            let ran = self.run(conn, &mut typed).await;
            for (slot, item) in items.iter_mut().zip(typed) {
                *slot = Box::new(item);
            }
            Ok(ran?.into_iter().map(Ran::erase).collect())
        })
    }
}

impl Batch for AnyBatch {
    type Item = Erased;
    type Outcome = Erased;

    fn run<'c>(
        &'c self,
        conn: &'c mut AnyConnection,
        items: &'c mut [Erased],
    ) -> BoxFuture<'c, Result<Vec<Ran<Erased>>, sqlx::Error>> {
        self.0.run_erased(conn, items)
    }
}

/// What became of one item of a batch (or one closure unit).
#[derive(Debug)]
pub enum Ran<T> {
    /// Its writes stay; `T` is delivered once they are committed.
    Keep(T),
    /// It wrote nothing that stays; `T` is delivered after the batch has ended, so a caller that
    /// then reads sees what the items before it committed.
    Undo(T),
    /// Its own statements failed (and were undone); the error is its answer.
    Failed(sqlx::Error),
    /// A deadlock or serialization victim: run it again alone once the batch has committed.
    Rerun,
}

impl<T> Ran<T> {
    fn is_kept(&self) -> bool {
        matches!(self, Ran::Keep(_))
    }
}

impl<T: Send + 'static> Ran<T> {
    fn erase(self) -> Ran<Erased> {
        match self {
            Ran::Keep(value) => Ran::Keep(Box::new(value)),
            Ran::Undo(value) => Ran::Undo(Box::new(value)),
            Ran::Failed(error) => Ran::Failed(error),
            Ran::Rerun => Ran::Rerun,
        }
    }
}

/// What a closure unit did, for the combiner to keep or undo.
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

/// A closure unit, type-erased: runs on the write transaction's connection. Units are `FnMut`
/// so they can run twice.
type Unit = Box<
    dyn for<'c> FnMut(&'c mut AnyConnection) -> BoxFuture<'c, Result<Done<Erased>, sqlx::Error>>
        + Send,
>;

/// Where an outcome goes.
type Reply<T> = oneshot::Sender<Result<T, sqlx::Error>>;

/// A queued piece of work and where its outcome goes.
enum Job<B: Batch> {
    Unit(Unit, Reply<Erased>),
    Item(B::Item, Reply<B::Outcome>),
}

impl<B: Batch> Job<B> {
    fn is_abandoned(&self) -> bool {
        match self {
            Job::Unit(_, reply) => reply.is_closed(),
            Job::Item(_, reply) => reply.is_closed(),
        }
    }
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

    /// Units and items run by the lanes.
    pub fn units(&self) -> u64 {
        self.units.load(Ordering::Relaxed)
    }

    /// The most units and items one transaction has taken.
    pub fn largest_batch(&self) -> usize {
        self.largest.load(Ordering::Relaxed)
    }

    /// Units and items run a second time, alone.
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
/// every unit and item in its own transaction on the caller's task). It takes closure units
/// ([`GroupCommit::run`], [`GroupCommit::run_small`]) and the items of one set-wise [`Batch`]
/// ([`GroupCommit::submit`]), and runs what is waiting of both in one transaction.
pub struct GroupCommit<B: Batch> {
    db: Db,
    batch: Arc<B>,
    queue: Option<mpsc::Sender<Job<B>>>,
    stats: Arc<Stats>,
    closing: CancellationToken,
    lanes: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl<B: Batch> GroupCommit<B> {
    /// Starts `lanes` lanes (each one write transaction at a time; `None`: [`default_lanes`]) on
    /// `db`, running set-wise items with `batch`; with `enabled` false (`None`:
    /// [`on_by_default`]) nothing is spawned and each unit and item runs alone. Must be called
    /// inside the runtime.
    pub fn start(db: Db, batch: B, enabled: Option<bool>, lanes: Option<usize>) -> Self {
        let enabled = enabled.unwrap_or_else(|| on_by_default(db.backend));
        let lanes = lanes.unwrap_or_else(|| default_lanes(db.backend));
        let batch = Arc::new(batch);
        let stats = Arc::new(Stats::default());
        let closing = CancellationToken::new();
        let mut handles = Vec::new();
        let queue = enabled.then(|| {
            let (sender, receiver) = mpsc::channel(QUEUE_DEPTH);
            let receiver = Arc::new(Mutex::new(receiver));
            for _ in 0..lanes.max(1) {
                handles.push(tokio::spawn(lane(
                    db.clone(),
                    batch.clone(),
                    receiver.clone(),
                    stats.clone(),
                    closing.clone(),
                )));
            }
            sender
        });
        Self {
            db,
            batch,
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

    /// Runs `item` in a write transaction, set-wise with the items waiting beside it, and
    /// answers its outcome once that is committed (or, for [`Ran::Undo`], once the batch has
    /// ended). An `Err` is a database error of the batch's statements or of its transaction.
    pub async fn submit(&self, item: B::Item) -> Result<B::Outcome, sqlx::Error> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Item(item, reply)).await?;
        answer.await.map_err(|_| sqlx::Error::WorkerCrashed)?
    }

    /// Runs the closure `work` in a write transaction, shared with whatever else is waiting,
    /// under a savepoint of its own, and answers its outcome once that is committed (or, for
    /// [`Done::Undo`], once the batch has ended). An `Err` is a database error of the unit's own
    /// statements or of its transaction.
    pub async fn run<T, F>(&self, mut work: F) -> Result<T, sqlx::Error>
    where
        T: Send + 'static,
        F: for<'c> FnMut(&'c mut AnyConnection) -> BoxFuture<'c, Result<Done<T>, sqlx::Error>>
            + Send
            + 'static,
    {
        let unit: Unit = Box::new(move |conn| {
            let unit = work(conn);
            Box::pin(async move {
                Ok(match unit.await? {
                    Done::Keep(value) => Done::Keep(Box::new(value) as Erased),
                    Done::Undo(value) => Done::Undo(Box::new(value) as Erased),
                })
            })
        });
        let (reply, answer) = oneshot::channel();
        self.send(Job::Unit(unit, reply)).await?;
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

    /// Queues `job` for a lane, or (combiner off) runs it alone at once.
    async fn send(&self, job: Job<B>) -> Result<(), sqlx::Error> {
        match &self.queue {
            Some(queue) => queue.send(job).await.map_err(|_| sqlx::Error::PoolClosed),
            None => {
                run_alone(&self.db, &*self.batch, job).await;
                Ok(())
            }
        }
    }

    /// Stops taking work, runs what is already queued, and waits for the lanes to end: called
    /// once the server has stopped serving, before the pool closes.
    pub async fn close(&self) {
        self.closing.cancel();
        let lanes = std::mem::take(&mut *self.lanes.lock().expect("lanes lock"));
        for lane in lanes {
            let _ = lane.await;
        }
    }
}

impl GroupCommit<AnyBatch> {
    /// [`GroupCommit::submit`] for the batch the combiner was started with, typed: `item` and
    /// the outcome are that batch's own (anything else is a programming error, and panics).
    pub async fn submit_as<I: Send + 'static, O: 'static>(
        &self,
        item: I,
    ) -> Result<O, sqlx::Error> {
        let outcome = self.submit(Box::new(item)).await?;
        Ok(*outcome
            .downcast::<O>()
            .expect("an outcome comes back as the type of the batch it was sent to"))
    }
}

/// One lane: takes what is queued (waiting only for the first job), runs it, repeats, until
/// the queue is closed or `closing` is cancelled (then it drains what is left).
async fn lane<B: Batch>(
    db: Db,
    batch: Arc<B>,
    receiver: Arc<Mutex<mpsc::Receiver<Job<B>>>>,
    stats: Arc<Stats>,
    closing: CancellationToken,
) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    loop {
        let taken = {
            let mut receiver = receiver.lock().await;
            tokio::select! {
                biased;
                taken = receiver.recv_many(&mut jobs, MAX_BATCH) => taken,
                () = closing.cancelled() => {
                    receiver.close();
                    receiver.recv_many(&mut jobs, MAX_BATCH).await
                }
            }
        };
        if taken == 0 {
            return;
        }
        // A caller that has gone (its request was dropped) wants nothing written any more.
        jobs.retain(|job| !job.is_abandoned());
        match jobs.len() {
            0 => {}
            1 => {
                stats.record(1);
                run_alone(&db, &*batch, jobs.pop().expect("one job")).await;
            }
            size => {
                stats.record(size);
                run_together(&db, &*batch, jobs.drain(..), &stats).await;
            }
        }
    }
}

/// Work of one transaction: closure units and set-wise items, each with where its outcome goes.
struct Taken<B: Batch> {
    units: Vec<Unit>,
    unit_replies: Vec<Reply<Erased>>,
    items: Vec<B::Item>,
    item_replies: Vec<Reply<B::Outcome>>,
}

impl<B: Batch> Taken<B> {
    fn of(jobs: impl Iterator<Item = Job<B>>) -> Self {
        let mut taken = Self {
            units: Vec::new(),
            unit_replies: Vec::new(),
            items: Vec::new(),
            item_replies: Vec::new(),
        };
        for job in jobs {
            match job {
                Job::Unit(unit, reply) => {
                    taken.units.push(unit);
                    taken.unit_replies.push(reply);
                }
                Job::Item(item, reply) => {
                    taken.items.push(item);
                    taken.item_replies.push(reply);
                }
            }
        }
        taken
    }

    /// The jobs again, to run one by one.
    fn into_jobs(self) -> impl Iterator<Item = Job<B>> {
        let units = self.units.into_iter().zip(self.unit_replies);
        let items = self.items.into_iter().zip(self.item_replies);
        units
            .map(|(unit, reply)| Job::Unit(unit, reply))
            .chain(items.map(|(item, reply)| Job::Item(item, reply)))
    }
}

/// Runs several jobs in one transaction, then delivers each outcome or runs the job again alone.
async fn run_together<B: Batch>(
    db: &Db,
    batch: &B,
    jobs: impl Iterator<Item = Job<B>>,
    stats: &Stats,
) {
    let mut taken = Taken::of(jobs);
    match transact(db, batch, &mut taken.units, &mut taken.items).await {
        Ok((units_ran, items_ran)) => {
            let mut again = Vec::new();
            let units = taken.units.into_iter().zip(taken.unit_replies);
            for ((unit, reply), ran) in units.zip(units_ran) {
                if let Some(reply) = deliver(ran, reply) {
                    again.push(Job::Unit(unit, reply));
                }
            }
            let items = taken.items.into_iter().zip(taken.item_replies);
            for ((item, reply), ran) in items.zip(items_ran) {
                if let Some(reply) = deliver(ran, reply) {
                    again.push(Job::Item(item, reply));
                }
            }
            for job in again {
                stats.rerun();
                run_alone(db, batch, job).await;
            }
        }
        Err(Failure::Undone(error)) => {
            tracing::warn!(%error, "group commit failed; running its units one by one");
            for job in taken.into_jobs() {
                stats.rerun();
                run_alone(db, batch, job).await;
            }
        }
        Err(Failure::Begin(error) | Failure::Unknown(error)) => {
            for reply in taken.unit_replies {
                let _ = reply.send(Err(copy_error(&error)));
            }
            for reply in taken.item_replies {
                let _ = reply.send(Err(copy_error(&error)));
            }
        }
    }
}

/// Sends a committed batch's outcome; answers the reply back when the job is to run again alone.
fn deliver<T>(ran: Ran<T>, reply: Reply<T>) -> Option<Reply<T>> {
    let outcome = match ran {
        Ran::Keep(value) | Ran::Undo(value) => Ok(value),
        Ran::Failed(error) => Err(error),
        Ran::Rerun => return Some(reply),
    };
    let _ = reply.send(outcome);
    None
}

/// Runs one job in a transaction of its own and delivers its outcome.
async fn run_alone<B: Batch>(db: &Db, batch: &B, job: Job<B>) {
    fn alone<T>(ran: Result<Vec<Ran<T>>, Failure>) -> Result<T, sqlx::Error> {
        match ran {
            Ok(mut ran) => match ran.pop() {
                Some(Ran::Keep(value) | Ran::Undo(value)) => Ok(value),
                Some(Ran::Failed(error)) => Err(error),
                Some(Ran::Rerun) | None => Err(sqlx::Error::Protocol(
                    "a lone unit answered no outcome of its own".into(),
                )),
            },
            Err(Failure::Begin(error) | Failure::Undone(error) | Failure::Unknown(error)) => {
                Err(error)
            }
        }
    }
    match job {
        Job::Unit(unit, reply) => {
            let mut units = [unit];
            let ran = transact(db, batch, &mut units, &mut []).await;
            let _ = reply.send(alone(ran.map(|(units, _)| units)));
        }
        Job::Item(item, reply) => {
            let mut items = [item];
            let ran = transact(db, batch, &mut [], &mut items).await;
            let _ = reply.send(alone(ran.map(|(_, items)| items)));
        }
    }
}

/// What became of a transaction's units and items, in their orders.
type Outcomes<B> = (Vec<Ran<Erased>>, Vec<Ran<<B as Batch>::Outcome>>);

/// Runs `units` (each under a savepoint when it has company) and then `items` (set-wise) in one
/// write transaction: committed when anything is kept, else rolled back.
async fn transact<B: Batch>(
    db: &Db,
    batch: &B,
    units: &mut [Unit],
    items: &mut [B::Item],
) -> Result<Outcomes<B>, Failure> {
    let mut tx = db.begin_write().await.map_err(Failure::Begin)?;
    let together = units.len() + items.len() > 1;
    if together && db.backend == Backend::Postgres {
        // A batch holds product locks taken for many orders, so it may close a cycle with
        // another writer (a cancel, a stock edit, another lane). Giving up a wait after 50 ms,
        // long before PostgreSQL's deadlock check (1 s), makes the batch the one that yields (its
        // work is run again alone), never the other writer's request.
        tx.execute("SET LOCAL lock_timeout = '50ms'")
            .await
            .map_err(Failure::Undone)?;
    }
    let units_ran = run_units(&mut tx, units, together)
        .await
        .map_err(Failure::Undone)?;
    let items_ran = if items.is_empty() {
        Vec::new()
    } else {
        batch.run(&mut tx, items).await.map_err(Failure::Undone)?
    };
    if units_ran.iter().any(Ran::is_kept) || items_ran.iter().any(Ran::is_kept) {
        tx.commit().await.map_err(|error| match error {
            // The database answered: it did not commit.
            sqlx::Error::Database(_) => Failure::Undone(error),
            other => Failure::Unknown(other),
        })?;
    } else {
        // Nothing to keep. A failed rollback changes no outcome: nothing was committed, and the
        // pool discards a connection whose transaction did not end.
        let _ = tx.rollback().await;
    }
    Ok((units_ran, items_ran))
}

/// Runs closure units one after another. With company each runs under `SAVEPOINT unit`, so its
/// failure is its own (PostgreSQL would otherwise abort the whole transaction); alone, the
/// transaction's own commit or rollback is the unit's.
async fn run_units(
    conn: &mut AnyConnection,
    units: &mut [Unit],
    together: bool,
) -> Result<Vec<Ran<Erased>>, sqlx::Error> {
    let mut ran = Vec::with_capacity(units.len());
    if !together {
        for unit in units {
            ran.push(match unit(&mut *conn).await {
                Ok(Done::Keep(value)) => Ran::Keep(value),
                Ok(Done::Undo(value)) => Ran::Undo(value),
                Err(error) => Ran::Failed(error),
            });
        }
        return Ok(ran);
    }
    // The previous unit's savepoint is released in the round trip that opens the next one (the
    // last is left to the commit, which takes it along, or to the rollback).
    let mut opening = "SAVEPOINT unit";
    for unit in units {
        conn.execute(opening).await?;
        opening = "RELEASE SAVEPOINT unit; SAVEPOINT unit";
        let outcome = unit(&mut *conn).await;
        if !matches!(outcome, Ok(Done::Keep(_))) {
            conn.execute("ROLLBACK TO SAVEPOINT unit").await?;
        }
        ran.push(match outcome {
            Ok(Done::Keep(value)) => Ran::Keep(value),
            Ok(Done::Undo(value)) => Ran::Undo(value),
            Err(error) if is_retryable(&error) => Ran::Rerun,
            Err(error) => Ran::Failed(error),
        });
    }
    Ok(ran)
}

/// Why a transaction ended without a commit.
enum Failure {
    /// No transaction: each job would have met the same (a pool timeout, the database gone).
    Begin(sqlx::Error),
    /// Surely not committed: the jobs may run again.
    Undone(sqlx::Error),
    /// The `COMMIT`'s answer was lost: it may have committed.
    Unknown(sqlx::Error),
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
