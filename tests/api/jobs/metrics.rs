//! `nexus_jobs_*` on `/metrics`: every kind's series exist at zero on a fresh server, and
//! attempts are counted by outcome.

use nexus::jobs::{Handlers, Job, Kind, Worker};
use tokio_util::sync::CancellationToken;

use super::{enqueue, fast_settings, wait_for_count, without_worker, worker::secs};
use crate::{
    api_test,
    helpers::TestApp,
    metrics::{sample, FreshServer},
};

const KINDS: [&str; 6] = [
    "email",
    "password_reset",
    "digest",
    "cleanup",
    "analytics_rollup",
    "analytics_retention",
];

#[tokio::test]
async fn a_fresh_server_exports_every_job_family_for_every_kind_at_zero() {
    let server = FreshServer::start().await;
    let text = server.metrics().await;
    for kind in KINDS {
        for state in ["queued", "running", "failed"] {
            let series = format!("nexus_jobs_queue_depth{{kind=\"{kind}\",state=\"{state}\"}}");
            assert!(sample(&text, &series).is_some(), "{series}:\n{text}");
        }
        // Finished jobs are history kept for days, not depth: counting them every few seconds
        // would read them all.
        let done = format!("nexus_jobs_queue_depth{{kind=\"{kind}\",state=\"done\"}}");
        assert_eq!(sample(&text, &done), None, "{text}");
        for outcome in ["succeeded", "retried", "failed"] {
            let series = format!("nexus_jobs_runs_total{{kind=\"{kind}\",outcome=\"{outcome}\"}}");
            assert_eq!(sample(&text, &series), Some(0.0), "{series}:\n{text}");
        }
        let failures = format!("nexus_jobs_failures_total{{kind=\"{kind}\"}}");
        assert_eq!(sample(&text, &failures), Some(0.0), "{text}");
        let age = format!("nexus_jobs_oldest_due_age_seconds{{kind=\"{kind}\"}}");
        assert_eq!(sample(&text, &age), Some(0.0), "{text}");
    }
    assert!(
        text.contains("# TYPE nexus_jobs_queue_depth gauge"),
        "{text}"
    );
    assert!(
        text.contains("# TYPE nexus_jobs_runs_total counter"),
        "{text}"
    );
}

api_test! {
    async fn attempts_are_counted_by_kind_and_outcome(app: TestApp) {
        let app = without_worker(&app).await;
        let read = |text: &str, series: &str| sample(text, series).unwrap_or(0.0);
        let retried = "nexus_jobs_runs_total{kind=\"cleanup\",outcome=\"retried\"}";
        let failed = "nexus_jobs_runs_total{kind=\"cleanup\",outcome=\"failed\"}";
        let failures = "nexus_jobs_failures_total{kind=\"cleanup\"}";
        let before = app.get("/metrics").await.text;
        enqueue(&app, 1).await;
        let handlers = Handlers::default().on(Kind::Cleanup, |_: (), _job: Job| async move {
            anyhow::bail!("no")
        });
        let mut settings = fast_settings();
        settings.max_attempts = 2;
        let stop = CancellationToken::new();
        let worker = Worker::new(app.db.clone(), settings, handlers, ());
        let task = tokio::spawn(worker.run(stop.clone(), secs(1)));
        wait_for_count(&app, "SELECT COUNT(*) FROM jobs WHERE state = 'failed'", 1, secs(10))
            .await;
        stop.cancel();
        task.await.unwrap();
        // The registry is shared by every test in this process: counters only grow.
        let after = app.get("/metrics").await.text;
        assert!(read(&after, retried) >= read(&before, retried) + 1.0, "{after}");
        assert!(read(&after, failed) >= read(&before, failed) + 1.0, "{after}");
        assert!(read(&after, failures) >= read(&before, failures) + 2.0, "{after}");
    }
}
