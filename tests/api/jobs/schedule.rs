//! Scheduled jobs: every worker plans the next digests, cleanup and analytics jobs at start; planning the same
//! period from several instances inserts one row; `JOBS_ENABLED=false` plans and runs nothing.

use std::time::Duration;

use chrono::Utc;
use nexus::jobs::{self, SCHEDULE};

use super::{count, enqueue, row, wait_for_count, without_worker, worker::secs};
use crate::{api_test, helpers::TestApp};

const PLANNED: &str = "SELECT COUNT(*) FROM jobs WHERE unique_key IS NOT NULL";

api_test! {
    async fn a_serving_instance_plans_the_next_digests_cleanup_and_analytics_jobs_at_start(app: TestApp) {
        wait_for_count(&app, PLANNED, 5, secs(10)).await;
        let now = nexus::db::now_micros();
        let planned: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT unique_key, kind, payload, due_at, attempts FROM jobs \
             WHERE unique_key IS NOT NULL ORDER BY unique_key",
        )
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        let prefixes: Vec<&str> = planned
            .iter()
            .map(|(key, ..)| key.rsplit_once(':').unwrap().0)
            .collect();
        assert_eq!(
            prefixes,
            [
                "analytics_retention:daily",
                "analytics_rollup:daily",
                "cleanup:daily",
                "digest:daily",
                "digest:weekly"
            ]
        );
        for (key, kind, payload, due_at, attempts) in &planned {
            assert!(*due_at > now, "{key} is due in the future");
            assert_eq!(*attempts, 0, "{key} has not run");
            let expected = if key.starts_with("digest:daily") {
                ("digest", r#"{"period":"daily"}"#)
            } else if key.starts_with("digest:weekly") {
                ("digest", r#"{"period":"weekly"}"#)
            } else if key.starts_with("analytics_rollup") {
                ("analytics_rollup", "{}")
            } else if key.starts_with("analytics_retention") {
                ("analytics_retention", "{}")
            } else {
                ("cleanup", "{}")
            };
            assert_eq!((kind.as_str(), payload.as_str()), expected);
        }
    }

    async fn planning_one_period_from_two_workers_inserts_one_row_per_job(app: TestApp) {
        let app = without_worker(&app).await;
        let now = Utc::now();
        let (first, second) = tokio::join!(jobs::plan(&app.db, now), jobs::plan(&app.db, now));
        assert_eq!(first.unwrap() + second.unwrap(), 5);
        // A minute later is the same period: nothing new.
        let later = now + chrono::Duration::seconds(60);
        let (third, fourth) =
            tokio::join!(jobs::plan(&app.db, later), jobs::plan(&app.db, later));
        let again = third.unwrap() + fourth.unwrap();
        let keys: Vec<String> =
            sqlx::query_scalar("SELECT unique_key FROM jobs WHERE unique_key IS NOT NULL")
                .fetch_all(&app.db.pool)
                .await
                .unwrap();
        // Unless `later` crossed into the next period (a test started at 07:59), in which case
        // that period's rows are the only new ones.
        assert_eq!(keys.len(), 5 + usize::try_from(again).unwrap(), "{keys:?}");
        for entry in &SCHEDULE {
            let key = entry.job(entry.every.next_after(now)).unique_key.unwrap();
            assert!(keys.contains(&key), "{key} in {keys:?}");
        }
    }

    async fn with_jobs_disabled_an_instance_plans_and_runs_nothing(app: TestApp) {
        let app = without_worker(&app).await;
        let id = enqueue(&app, 1).await[0];
        // Ten of the harness's poll intervals.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let job = row(&app, id).await;
        assert_eq!((job.state.as_str(), job.attempts), ("queued", 0));
        assert_eq!(count(&app, PLANNED).await, 0);
    }
}
