//! `nexus jobs` through the built binary against each test's database: the listing, retrying
//! one failed job or all of them, discarding one, and refusing a job that is not failed (exit
//! code 1).

use std::process::Output;

use nexus::db::now_micros;

use super::{row, without_worker};
use crate::{
    api_test,
    helpers::TestApp,
    nexus_process::{admin, stdout},
};

fn jobs(app: &TestApp, args: &[&str]) -> Output {
    admin(&app.database_url, "jobs", args)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Inserts a finished job; returns its id.
async fn insert(app: &TestApp, kind: &str, state: &str, error: Option<&str>) -> i64 {
    let now = now_micros();
    sqlx::query_scalar(
        "INSERT INTO jobs (kind, payload, state, attempts, due_at, last_error, created_at, \
         finished_at) VALUES ($1, '{}', $2, 10, $3, $4, $3, $3) RETURNING id",
    )
    .bind(kind)
    .bind(state)
    .bind(now)
    .bind(error)
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

/// The counts row of `kind` in the listing: queued, running, done, failed.
fn counts(listing: &str, kind: &str) -> Vec<i64> {
    let line = listing
        .lines()
        .find(|line| line.split_whitespace().next() == Some(kind))
        .unwrap_or_else(|| panic!("no {kind} row in:\n{listing}"));
    line.split_whitespace()
        .skip(1)
        .map(|n| n.parse().unwrap())
        .collect()
}

api_test! {
    async fn jobs_lists_counts_by_kind_and_state_then_the_failed_jobs(app: TestApp) {
        let app = without_worker(&app).await;
        let email = insert(&app, "email", "failed", Some("smtp: 554 refused\nmore detail")).await;
        let digest = insert(&app, "digest", "failed", None).await;
        insert(&app, "cleanup", "done", None).await;

        let output = jobs(&app, &[]);
        assert!(output.status.success(), "{}", stderr(&output));
        let listing = stdout(&output);
        let header: Vec<&str> = listing.lines().next().unwrap().split_whitespace().collect();
        assert_eq!(header, ["kind", "queued", "running", "done", "failed"]);
        assert_eq!(counts(&listing, "email"), [0, 0, 0, 1]);
        assert_eq!(counts(&listing, "digest"), [0, 0, 0, 1]);
        assert_eq!(counts(&listing, "cleanup"), [0, 0, 1, 0]);
        assert_eq!(counts(&listing, "password_reset"), [0, 0, 0, 0]);
        assert!(listing.contains("failed jobs (2):"), "{listing}");
        let line = listing
            .lines()
            .find(|line| line.trim_start().starts_with(&format!("#{email} ")))
            .unwrap_or_else(|| panic!("no line for job {email}:\n{listing}"));
        assert!(line.contains("email  attempts 10"), "{line}");
        assert!(line.ends_with("smtp: 554 refused"), "the error's first line: {line}");
        assert!(listing.contains(&format!("#{digest}  digest")), "{listing}");
        assert_eq!(stdout(&jobs(&app, &["list"])), listing);
    }

    async fn retry_requeues_one_failed_job_or_all_and_refuses_any_other(app: TestApp) {
        let app = without_worker(&app).await;
        let first = insert(&app, "email", "failed", Some("refused")).await;
        let second = insert(&app, "email", "failed", Some("refused")).await;
        let third = insert(&app, "digest", "failed", Some("refused")).await;
        let done = insert(&app, "cleanup", "done", None).await;

        let output = jobs(&app, &["retry", &first.to_string()]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(stdout(&output).trim(), "1 failed job queued again");
        let job = row(&app, first).await;
        assert_eq!((job.state.as_str(), job.attempts), ("queued", 0));
        assert!(job.due_at <= now_micros());
        assert_eq!(job.finished_at, None);

        for (id, why) in [
            (done, format!("job {done} is done, not failed")),
            (first, format!("job {first} is queued, not failed")),
            (999_999, "there is no job 999999".to_owned()),
        ] {
            let output = jobs(&app, &["retry", &id.to_string()]);
            assert_eq!(output.status.code(), Some(1), "{id}");
            assert!(stderr(&output).contains(&why), "{}", stderr(&output));
        }
        assert_eq!(row(&app, done).await.state, "done");

        let output = jobs(&app, &["retry", "--all-failed"]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(stdout(&output).trim(), "2 failed jobs queued again");
        for id in [second, third] {
            assert_eq!(row(&app, id).await.state, "queued");
        }
        assert!(stdout(&jobs(&app, &[])).contains("no failed jobs"));
        // Saying neither which job nor --all-failed is a usage error.
        assert!(!jobs(&app, &["retry"]).status.success());
    }

    async fn discard_deletes_a_failed_job_and_refuses_any_other(app: TestApp) {
        let app = without_worker(&app).await;
        let failed = insert(&app, "email", "failed", Some("refused")).await;
        let done = insert(&app, "cleanup", "done", None).await;

        let output = jobs(&app, &["discard", &failed.to_string()]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(stdout(&output).trim(), format!("failed job {failed} discarded"));
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE id = $1")
            .bind(failed)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(left, 0);

        for (id, why) in [
            (done, format!("job {done} is done, not failed: only failed jobs can be discarded")),
            (failed, format!("there is no job {failed}")),
        ] {
            let output = jobs(&app, &["discard", &id.to_string()]);
            assert_eq!(output.status.code(), Some(1), "{id}");
            assert!(stderr(&output).contains(&why), "{}", stderr(&output));
        }
        assert_eq!(row(&app, done).await.state, "done");
        assert!(!jobs(&app, &["discard"]).status.success(), "an id is required");
    }
}
