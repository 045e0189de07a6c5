//! Claiming, running, retrying: each job runs once, failures back off and end `failed`, racing
//! workers never run a job twice, and a dead instance's expired lease is taken over.

use std::time::Duration;

use nexus::jobs::{self, Handlers, Job, Kind, NewJob, Worker};
use tokio_util::sync::CancellationToken;

use super::{count, enqueue, fast_settings, row, wait_for_count, without_worker, Runs};
use crate::{
    api_test,
    helpers::{Backend, TestApp},
};

/// A worker whose cleanup-kind handler records the run and then answers `outcome(run number)`.
fn worker(app: &TestApp, runs: &Runs, outcome: fn(usize) -> anyhow::Result<()>) -> Worker<Runs> {
    let handlers = Handlers::default().on(Kind::Cleanup, move |runs: Runs, job: Job| async move {
        let run = runs.record(job.id);
        outcome(run)
    });
    Worker::new(app.db.clone(), fast_settings(), handlers, runs.clone())
}

fn succeed(_run: usize) -> anyhow::Result<()> {
    Ok(())
}

fn always_fail(run: usize) -> anyhow::Result<()> {
    anyhow::bail!("the mail server said no (run {run})")
}

fn fail_twice(run: usize) -> anyhow::Result<()> {
    if run <= 2 {
        anyhow::bail!("temporary trouble")
    }
    Ok(())
}

/// Runs `worker` until `done` returns, then stops it (a grace of one second).
async fn run_until<F: std::future::Future<Output = ()>>(worker: Worker<Runs>, done: F) {
    let stop = CancellationToken::new();
    let task = tokio::spawn(worker.run(stop.clone(), Duration::from_secs(1)));
    done.await;
    stop.cancel();
    task.await.unwrap();
}

api_test! {
    async fn a_claim_walks_the_due_index_in_order_however_stale_the_statistics(app: TestApp) {
        let app = without_worker(&app).await;
        // Statistics taken while the queue was empty, then a backlog: what a burst of orders does
        // to a shop whose queue is usually short. A plan that sorts every due job would make each
        // claim cost the whole backlog.
        sqlx::query("ANALYZE jobs").execute(&app.db.pool).await.unwrap();
        let backlog: Vec<NewJob> = (0..2_000)
            .map(|n| NewJob::new(Kind::Email, &serde_json::json!({ "n": n })))
            .collect();
        let mut conn = app.db.write_connection().await.unwrap();
        jobs::enqueue_many(&mut conn, &backlog).await.unwrap();
        drop(conn);
        let plan = jobs::explain_claim(&app.db, &[Kind::Email, Kind::Cleanup], 4)
            .await
            .unwrap()
            .join("\n");
        assert!(plan.contains("jobs_claimable_idx"), "{plan}");
        assert!(
            !plan.contains("Sort") && !plan.contains("TEMP B-TREE"),
            "the claim sorts the backlog:\n{plan}"
        );
    }

    async fn a_queued_job_runs_once_and_is_done(app: TestApp) {
        let app = without_worker(&app).await;
        let id = enqueue(&app, 1).await[0];
        let runs = Runs::default();
        run_until(worker(&app, &runs, succeed), async {
            wait_for_count(&app, "SELECT COUNT(*) FROM jobs WHERE state = 'done'", 1, secs(10))
                .await;
            // More polls find nothing more to do.
            tokio::time::sleep(Duration::from_millis(200)).await;
        })
        .await;
        assert_eq!(runs.of(id).len(), 1);
        let job = row(&app, id).await;
        assert_eq!((job.state.as_str(), job.attempts), ("done", 1));
        assert_eq!((job.locked_by, job.last_error), (None, None));
        assert!(job.finished_at.is_some());
    }

    async fn a_failing_job_backs_off_longer_each_time_and_ends_failed_with_its_error(
        app: TestApp,
    ) {
        let app = without_worker(&app).await;
        let id = enqueue(&app, 1).await[0];
        let runs = Runs::default();
        run_until(worker(&app, &runs, always_fail), async {
            wait_for_count(&app, "SELECT COUNT(*) FROM jobs WHERE state = 'failed'", 1, secs(10))
                .await;
            tokio::time::sleep(Duration::from_millis(300)).await;
        })
        .await;
        let times = runs.of(id);
        assert_eq!(times.len(), 3, "JOBS_MAX_ATTEMPTS is 3 here, and no run after failing");
        // Base 100 ms, doubled, ±20 %: at least 80 ms, then at least 160 ms (more than the
        // first wait can be).
        let first = times[1] - times[0];
        let second = times[2] - times[1];
        assert!(first >= Duration::from_millis(80), "{first:?}");
        assert!(second >= Duration::from_millis(160), "{second:?}");
        let job = row(&app, id).await;
        assert_eq!((job.state.as_str(), job.attempts), ("failed", 3));
        assert_eq!(job.last_error.as_deref(), Some("the mail server said no (run 3)"));
        assert_eq!(job.locked_by, None);
    }

    async fn a_job_that_fails_twice_then_succeeds_is_done_without_an_error(app: TestApp) {
        let app = without_worker(&app).await;
        let id = enqueue(&app, 1).await[0];
        let runs = Runs::default();
        run_until(worker(&app, &runs, fail_twice), async {
            wait_for_count(&app, "SELECT COUNT(*) FROM jobs WHERE state = 'done'", 1, secs(10))
                .await;
        })
        .await;
        let job = row(&app, id).await;
        assert_eq!((job.state.as_str(), job.attempts), ("done", 3));
        assert_eq!(job.last_error, None);
        assert_eq!(runs.of(id).len(), 3);
    }

    async fn a_panicking_handler_is_a_failed_attempt_not_a_stuck_job(app: TestApp) {
        let app = without_worker(&app).await;
        let id = enqueue(&app, 1).await[0];
        let handlers = Handlers::default().on(Kind::Cleanup, |_: (), job: Job| async move {
            if job.id > 0 {
                panic!("a bug in the handler");
            }
            Ok(())
        });
        let mut settings = fast_settings();
        settings.max_attempts = 1;
        let worker = Worker::new(app.db.clone(), settings, handlers, ());
        let stop = CancellationToken::new();
        let task = tokio::spawn(worker.run(stop.clone(), Duration::from_secs(1)));
        wait_for_count(&app, "SELECT COUNT(*) FROM jobs WHERE state = 'failed'", 1, secs(10))
            .await;
        stop.cancel();
        task.await.unwrap();
        let job = row(&app, id).await;
        let error = job.last_error.unwrap();
        assert!(error.contains("panicked: a bug in the handler"), "{error}");
    }

    async fn two_workers_racing_over_200_jobs_run_each_exactly_once(app: TestApp) {
        let app = without_worker(&app).await;
        let ids = enqueue(&app, 200).await;
        assert_eq!(ids.len(), 200);
        let runs = Runs::default();
        let (first, second) = (worker(&app, &runs, succeed), worker(&app, &runs, succeed));
        let stop = CancellationToken::new();
        let tasks = [
            tokio::spawn(first.run(stop.clone(), secs(1))),
            tokio::spawn(second.run(stop.clone(), secs(1))),
        ];
        wait_for_count(&app, "SELECT COUNT(*) FROM jobs WHERE state = 'done'", 200, secs(60))
            .await;
        // Give a double claim the time to show up as a second run.
        tokio::time::sleep(Duration::from_millis(200)).await;
        stop.cancel();
        for task in tasks {
            task.await.unwrap();
        }
        let all = runs.all();
        assert_eq!(all.len(), 200);
        let twice: Vec<(i64, usize)> = all
            .iter()
            .map(|(id, times)| (*id, times.len()))
            .filter(|(_, runs)| *runs != 1)
            .collect();
        assert!(twice.is_empty(), "run more than once: {twice:?}");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM jobs WHERE attempts <> 1").await,
            0
        );
    }

    async fn an_outcome_changes_nothing_once_another_instance_has_taken_the_job_over(
        app: TestApp,
    ) {
        let app = without_worker(&app).await;
        let ids = enqueue(&app, 3).await;
        // While jobs 1 and 2 run, another instance takes them over (as if their lease had run
        // out); job 1 then succeeds and job 2 fails. A worker records its outcomes together, so
        // each of them must still be guarded by its own claim.
        let handlers = Handlers::default().on(Kind::Cleanup, |db: nexus::db::Db, job: Job| async move {
            let n = job.payload::<serde_json::Value>()?["n"].as_i64().unwrap_or_default();
            if n > 0 {
                sqlx::query(
                    "UPDATE jobs SET attempts = attempts + 1, locked_by = 'another-instance', \
                     due_at = $1 WHERE id = $2",
                )
                .bind(nexus::db::now_micros() + 60_000_000)
                .bind(job.id)
                .execute(&db.pool)
                .await?;
            }
            anyhow::ensure!(n < 2, "the mail server said no");
            Ok(())
        });
        let worker = Worker::new(app.db.clone(), fast_settings(), handlers, app.db.clone());
        let stop = CancellationToken::new();
        let task = tokio::spawn(worker.run(stop.clone(), secs(1)));
        wait_for_count(&app, "SELECT COUNT(*) FROM jobs WHERE state = 'done'", 1, secs(10))
            .await;
        // Stopping records whatever outcome was still unwritten.
        stop.cancel();
        task.await.unwrap();
        let untouched = row(&app, ids[0]).await;
        assert_eq!((untouched.state.as_str(), untouched.attempts), ("done", 1));
        for id in &ids[1..] {
            let taken = row(&app, *id).await;
            assert_eq!((taken.state.as_str(), taken.attempts), ("running", 2), "job {id}");
            assert_eq!(taken.locked_by.as_deref(), Some("another-instance"), "job {id}");
            assert_eq!((taken.last_error, taken.finished_at), (None, None), "job {id}");
        }
    }

    async fn an_outcome_the_database_refuses_holds_up_neither_the_others_nor_the_claims(
        app: TestApp,
    ) {
        let app = without_worker(&app).await;
        // The database refuses to record any outcome of job 0 (as it would a malformed one), so
        // every round that carries it fails.
        let refuse = match app.backend {
            Backend::Sqlite => "CREATE TRIGGER refuse_outcome BEFORE UPDATE ON jobs \
                               WHEN NEW.state <> 'running' AND OLD.payload = '{\"n\":0}' \
                               BEGIN SELECT RAISE(ABORT, 'outcome refused'); END",
            Backend::Postgres => "CREATE FUNCTION refuse_outcome() RETURNS trigger \
                                 LANGUAGE plpgsql AS \
                                 $$ BEGIN RAISE EXCEPTION 'outcome refused'; END $$; \
                                 CREATE TRIGGER refuse_outcome BEFORE UPDATE ON jobs FOR EACH ROW \
                                 WHEN (NEW.state <> 'running' AND OLD.payload = '{\"n\":0}') \
                                 EXECUTE FUNCTION refuse_outcome()",
        };
        sqlx::raw_sql(refuse).execute(&app.db.pool).await.unwrap();
        let ids = enqueue(&app, 12).await;
        let runs = Runs::default();
        run_until(worker(&app, &runs, succeed), async {
            wait_for_count(&app, "SELECT COUNT(*) FROM jobs WHERE state = 'done'", 11, secs(10))
                .await;
        })
        .await;
        let refused = row(&app, ids[0]).await;
        assert_eq!(refused.state, "running", "left for its lease to run out");
        assert_eq!(runs.of(ids[0]).len(), 1);
    }

    async fn an_expired_lease_is_taken_over_and_a_live_one_is_left_alone(app: TestApp) {
        let app = without_worker(&app).await;
        let now = nexus::db::now_micros();
        // Two jobs claimed by an instance that died: one lease ran out a second ago, one has a
        // minute left.
        for (due_at, payload) in [(now - 1_000_000, "expired"), (now + 60_000_000, "live")] {
            sqlx::query(
                "INSERT INTO jobs (kind, payload, state, attempts, due_at, locked_by, created_at) \
                 VALUES ('cleanup', $1, 'running', 1, $2, 'a-dead-instance', $3)",
            )
            .bind(format!("\"{payload}\""))
            .bind(due_at)
            .bind(now)
            .execute(&app.db.pool)
            .await
            .unwrap();
        }
        let id = |payload: &'static str| {
            let app = &app;
            async move {
                sqlx::query_scalar::<_, i64>("SELECT id FROM jobs WHERE payload = $1")
                    .bind(format!("\"{payload}\""))
                    .fetch_one(&app.db.pool)
                    .await
                    .unwrap()
            }
        };
        let (expired, live) = (id("expired").await, id("live").await);
        let runs = Runs::default();
        run_until(worker(&app, &runs, succeed), async {
            wait_for_count(&app, "SELECT COUNT(*) FROM jobs WHERE state = 'done'", 1, secs(10))
                .await;
            tokio::time::sleep(Duration::from_millis(200)).await;
        })
        .await;
        let taken = row(&app, expired).await;
        assert_eq!((taken.state.as_str(), taken.attempts), ("done", 2));
        assert_eq!(taken.locked_by, None);
        let left = row(&app, live).await;
        assert_eq!((left.state.as_str(), left.attempts), ("running", 1));
        assert_eq!(left.locked_by.as_deref(), Some("a-dead-instance"));
        assert!(runs.of(live).is_empty());
    }
}

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}
