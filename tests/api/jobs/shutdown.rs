//! Graceful shutdown: a job running when shutdown begins finishes within the grace period; one
//! still running when it ends goes back to the queue, its interrupted attempt not counted.

use std::time::{Duration, Instant};

use nexus::jobs::{Handlers, Job, Kind, Worker};
use tokio_util::sync::CancellationToken;

use super::{enqueue, fast_settings, row, wait_for_count, without_worker, worker::secs, Runs};
use crate::{api_test, helpers::TestApp};

/// A worker whose handler takes `takes` and then succeeds.
fn slow_worker(app: &TestApp, runs: &Runs, takes: Duration) -> Worker<Runs> {
    let handlers = Handlers::default().on(Kind::Cleanup, move |runs: Runs, job: Job| async move {
        runs.record(job.id);
        tokio::time::sleep(takes).await;
        Ok(())
    });
    Worker::new(app.db.clone(), fast_settings(), handlers, runs.clone())
}

const RUNNING: &str = "SELECT COUNT(*) FROM jobs WHERE state = 'running'";

api_test! {
    async fn a_running_job_finishes_within_the_grace_period(app: TestApp) {
        let app = without_worker(&app).await;
        let id = enqueue(&app, 1).await[0];
        let runs = Runs::default();
        let stop = CancellationToken::new();
        let worker = slow_worker(&app, &runs, Duration::from_millis(500));
        let task = tokio::spawn(worker.run(stop.clone(), secs(10)));
        wait_for_count(&app, RUNNING, 1, secs(10)).await;
        stop.cancel();
        tokio::time::timeout(secs(10), task).await.unwrap().unwrap();
        let job = row(&app, id).await;
        assert_eq!((job.state.as_str(), job.attempts), ("done", 1));
        assert_eq!(runs.of(id).len(), 1);
    }

    async fn a_job_still_running_when_the_grace_period_ends_is_released_uncounted(
        app: TestApp,
    ) {
        let app = without_worker(&app).await;
        let id = enqueue(&app, 1).await[0];
        let runs = Runs::default();
        let stop = CancellationToken::new();
        let grace = Duration::from_millis(300);
        let worker = slow_worker(&app, &runs, secs(120));
        let task = tokio::spawn(worker.run(stop.clone(), grace));
        wait_for_count(&app, RUNNING, 1, secs(10)).await;
        let stopping = Instant::now();
        stop.cancel();
        tokio::time::timeout(secs(10), task).await.unwrap().unwrap();
        let took = stopping.elapsed();
        assert!(took >= grace, "it waited the grace period first: {took:?}");
        assert!(took < secs(5), "and not for the job: {took:?}");
        let job = row(&app, id).await;
        assert_eq!((job.state.as_str(), job.attempts), ("queued", 0));
        assert_eq!(job.locked_by, None);
        assert!(job.due_at <= nexus::db::now_micros(), "due again at once");
    }
}
