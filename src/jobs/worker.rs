//! The worker every `nexus serve` instance runs (unless `JOBS_ENABLED=false`): it claims due jobs,
//! runs each kind's handler, and records the outcome. Failures are retried with exponential backoff
//! and jitter; after `JOBS_MAX_ATTEMPTS` the job is `failed`. On shutdown it stops claiming, lets
//! running jobs finish within the grace period, and hands the rest back to the queue.

use std::{
    collections::HashMap,
    panic::AssertUnwindSafe,
    sync::Arc,
    time::{Duration, Instant},
};

use futures_util::{future::BoxFuture, FutureExt};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{
    backoff,
    metrics::{self, Outcome},
    store::{self, Ending},
    JobSettings, Kind,
};
use crate::db::{now_micros, Db};

/// How often a worker refreshes the queue gauges from the table.
const GAUGE_REFRESH: Duration = Duration::from_secs(5);

/// A claimed job, as its handler sees it.
#[derive(Clone, Debug)]
pub struct Job {
    pub id: i64,
    pub kind: Kind,
    /// JSON written by whoever queued the job.
    pub payload: String,
    /// Claims so far, this one included.
    pub attempts: i64,
}

impl Job {
    /// The payload as `T`.
    pub fn payload<T: serde::de::DeserializeOwned>(&self) -> anyhow::Result<T> {
        serde_json::from_str(&self.payload)
            .map_err(|err| anyhow::anyhow!("job {} has a malformed payload: {err}", self.id))
    }
}

type Handler<S> = Arc<dyn Fn(S, Job) -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync>;

/// What runs each kind of job, given the application state `S`.
pub struct Handlers<S> {
    by_kind: HashMap<Kind, Handler<S>>,
}

impl<S> Default for Handlers<S> {
    fn default() -> Self {
        Self {
            by_kind: HashMap::new(),
        }
    }
}

impl<S: Clone + Send + 'static> Handlers<S> {
    /// Runs `kind` with `handler`. A handler must be idempotent: a job whose worker died after the
    /// work but before recording it runs again.
    pub fn on<F, Fut>(mut self, kind: Kind, handler: F) -> Self
    where
        F: Fn(S, Job) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        self.by_kind.insert(
            kind,
            Arc::new(move |state, job| Box::pin(handler(state, job))),
        );
        self
    }
}

/// One instance's worker.
pub struct Worker<S> {
    db: Db,
    settings: JobSettings,
    handlers: Arc<Handlers<S>>,
    state: S,
    /// Names this process in `locked_by`.
    id: String,
}

impl<S: Clone + Send + Sync + 'static> Worker<S> {
    pub fn new(db: Db, settings: JobSettings, handlers: Handlers<S>, state: S) -> Self {
        Self {
            db,
            settings,
            handlers: Arc::new(handlers),
            state,
            id: format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple()),
        }
    }

    /// Claims and runs jobs until `shutdown` is cancelled; then waits up to `grace` for running
    /// jobs and releases the ones still running. How each finished job ended is written with the
    /// next claim, in its transaction ([`store::settle_and_claim`]).
    pub async fn run(self, shutdown: CancellationToken, grace: Duration) {
        let mut running = JoinSet::new();
        let mut settled = Vec::new();
        let kinds: Vec<Kind> = self.handlers.by_kind.keys().copied().collect();
        let mut gauges_refreshed: Option<Instant> = None;
        while !shutdown.is_cancelled() {
            if gauges_refreshed.is_none_or(|at| at.elapsed() >= GAUGE_REFRESH) {
                if let Err(err) = metrics::refresh(&self.db).await {
                    tracing::warn!(error = %err, "could not refresh the job queue gauges");
                }
                gauges_refreshed = Some(Instant::now());
            }
            let claim = store::Claim {
                kinds: &kinds,
                limit: self.settings.concurrency.saturating_sub(running.len()),
                lease: self.settings.lease,
            };
            let claimed = self.settle_and_claim(&mut settled, &claim).await;
            let idle = claimed.is_empty();
            for job in claimed {
                running.spawn(self.run_one(job));
            }
            if idle {
                tokio::select! {
                    () = shutdown.cancelled() => {}
                    () = tokio::time::sleep(self.settings.poll_interval) => {}
                    Some(ended) = running.join_next() => settled.extend(ended.ok()),
                }
            }
            while let Some(ended) = running.try_join_next() {
                settled.extend(ended.ok());
            }
        }
        let drained = tokio::time::timeout(grace, async {
            while let Some(ended) = running.join_next().await {
                settled.extend(ended.ok());
            }
        })
        .await;
        if drained.is_err() {
            running.abort_all();
            // Aborted tasks stop at their next await and end nothing; what finished before is
            // recorded before the release.
            while let Some(ended) = running.join_next().await {
                settled.extend(ended.ok());
            }
        }
        let nothing = store::Claim {
            kinds: &[],
            limit: 0,
            lease: self.settings.lease,
        };
        self.settle_and_claim(&mut settled, &nothing).await;
        if drained.is_err() {
            match store::release(&self.db, &self.id).await {
                Ok(released) => tracing::warn!(released, "shutdown: released unfinished jobs"),
                Err(err) => tracing::error!(error = %err, "shutdown: could not release jobs"),
            }
        }
    }

    /// Writes `settled` (emptying it) and claims what `claim` asks for. When that transaction
    /// fails, each outcome is written alone, as it would have been before it shared one: an
    /// outcome the database refuses must not keep the worker from claiming, and one that can't
    /// be written leaves its job to run again once its lease runs out (handlers are idempotent).
    async fn settle_and_claim(
        &self,
        settled: &mut Vec<store::Settled>,
        claim: &store::Claim<'_>,
    ) -> Vec<Job> {
        match store::settle_and_claim(&self.db, &self.id, settled, claim).await {
            Ok(claimed) => {
                settled.clear();
                claimed
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not record outcomes and claim jobs");
                let alone = store::Claim { limit: 0, ..*claim };
                for one in settled.drain(..) {
                    let id = one.id;
                    let outcome = std::slice::from_ref(&one);
                    if let Err(err) =
                        store::settle_and_claim(&self.db, &self.id, outcome, &alone).await
                    {
                        tracing::error!(job_id = id, error = %err, "could not record a job's outcome");
                    }
                }
                Vec::new()
            }
        }
    }

    /// Runs one claimed job and says how it ended, for the worker's next round to record.
    fn run_one(
        &self,
        job: Job,
    ) -> impl std::future::Future<Output = store::Settled> + Send + 'static {
        let settings = self.settings.clone();
        let handler = self.handlers.by_kind.get(&job.kind).cloned();
        let state = self.state.clone();
        async move {
            let (id, attempts, kind) = (job.id, job.attempts, job.kind);
            let outcome = match handler {
                Some(handler) => guarded(handler(state, job), settings.lease).await,
                None => Err(anyhow::anyhow!("no handler for {kind}")),
            };
            let ending = match outcome {
                Ok(()) => {
                    metrics::record_run(kind, Outcome::Succeeded);
                    Ending::Done
                }
                Err(err) if attempts >= i64::from(settings.max_attempts) => {
                    metrics::record_run(kind, Outcome::Failed);
                    let error = format!("{err:#}");
                    tracing::error!(job_id = id, %kind, attempts, %error, "job failed for good");
                    Ending::Failed { error }
                }
                Err(err) => {
                    metrics::record_run(kind, Outcome::Retried);
                    let delay = backoff::delay(&settings, attempts);
                    let error = format!("{err:#}");
                    tracing::warn!(job_id = id, %kind, attempts, retry_in_ms = delay.as_millis(), %error, "job failed; will retry");
                    let delay = i64::try_from(delay.as_micros()).unwrap_or(i64::MAX / 2);
                    Ending::Retry {
                        due_at: now_micros() + delay,
                        error,
                    }
                }
            };
            store::Settled {
                id,
                attempts,
                ending,
            }
        }
    }
}

/// Runs a handler's future as one attempt: a panic is a failed attempt (not a worker task that
/// dies and leaves the job `running` until its lease ends), and so is running past the lease,
/// after which another instance may have taken the job and two copies would run at once.
async fn guarded(
    attempt: BoxFuture<'static, anyhow::Result<()>>,
    lease: Duration,
) -> anyhow::Result<()> {
    match tokio::time::timeout(lease, AssertUnwindSafe(attempt).catch_unwind()).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(panic)) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a non-text payload".to_owned());
            Err(anyhow::anyhow!("the handler panicked: {message}"))
        }
        Err(_) => Err(anyhow::anyhow!(
            "the handler ran longer than its lease ({} s, JOBS_LEASE_SECONDS)",
            lease.as_secs_f64()
        )),
    }
}
