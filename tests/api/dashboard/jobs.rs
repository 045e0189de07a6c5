//! Jobs: the queue's counts and its failed jobs (made to fail by a real worker), retry and
//! discard through the jobs front `nexus jobs` uses.

use std::time::Duration;

use nexus::jobs::{Handlers, Job, Kind, Worker};
use reqwest::StatusCode;
use tokio_util::sync::CancellationToken;

use super::Browser;
use crate::{
    api_test,
    helpers::TestApp,
    jobs::{count, enqueue, fast_settings, row, wait_for_count, without_worker},
};

/// Queues `n` cleanup-kind jobs and runs them with a worker whose handler always fails (one
/// attempt each), until all of them are `failed`; returns their ids.
pub async fn failed_jobs(app: &TestApp, n: usize) -> Vec<i64> {
    let ids = enqueue(app, n).await;
    let handlers = Handlers::default().on(Kind::Cleanup, |_: (), job: Job| async move {
        anyhow::bail!(
            "<b>smtp</b> said no to job {}\nat line two: {}",
            job.id,
            "x".repeat(300)
        )
    });
    let mut settings = fast_settings();
    settings.max_attempts = 1;
    let worker = Worker::new(app.db.clone(), settings, handlers, ());
    let stop = CancellationToken::new();
    let task = tokio::spawn(worker.run(stop.clone(), Duration::from_secs(1)));
    let failed = i64::try_from(n).unwrap();
    wait_for_count(
        app,
        "SELECT COUNT(*) FROM jobs WHERE state = 'failed'",
        failed,
        Duration::from_secs(10),
    )
    .await;
    stop.cancel();
    task.await.unwrap();
    ids
}

/// A browser signed in as a new staff member, and its CSRF token.
async fn staff_browser(app: &TestApp) -> (Browser<'_>, String) {
    let staff = app.create_staff().await;
    let mut browser = Browser::new(app);
    browser.sign_in(&staff.email).await;
    let token = browser.get("/dashboard/jobs/").await.csrf_token();
    (browser, token)
}

api_test! {
    async fn the_jobs_page_counts_every_kind_and_shows_a_failed_jobs_error_escaped(app: TestApp) {
        let app = without_worker(&app).await;
        let id = failed_jobs(&app, 1).await[0];
        enqueue(&app, 2).await;
        let (mut browser, _) = staff_browser(&app).await;
        let page = browser.get("/dashboard/jobs/").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("<h1>Jobs</h1>"));
        for kind in Kind::ALL {
            assert!(page.text.contains(&format!("<tr><td>{kind}</td>")), "{kind}: {}", page.text);
        }
        // Cleanup: 2 queued, 0 running, 0 done, 1 failed (no planner runs without a worker).
        assert!(
            page.text.contains(r#"<tr><td>cleanup</td><td class="num">2</td><td class="num">0</td><td class="num">0</td><td class="num">1</td></tr>"#),
            "{}",
            page.text
        );
        assert!(page.text.contains(&format!("Retry #{id}")));
        assert!(page.text.contains("1 failed job, the latest first."));
        // The error's first line, escaped and cut; the whole error inside <details>.
        assert!(page.text.contains(&format!("&lt;b&gt;smtp&lt;&#x2f;b&gt; said no to job {id}</summary>")), "{}", page.text);
        assert!(page.text.contains("at line two: xxx"));
        assert!(!page.text.contains("<b>smtp"));
    }

    async fn an_empty_queue_says_there_are_no_failed_jobs(app: TestApp) {
        let (mut browser, _) = staff_browser(&app).await;
        let page = browser.get("/dashboard/jobs/").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains("No failed jobs."), "{}", page.text);
        assert_eq!(browser.get("/dashboard/jobs/?page=2").await.status, StatusCode::NOT_FOUND);
    }

    async fn retry_requeues_a_failed_job_and_discard_deletes_only_a_failed_one(app: TestApp) {
        let app = without_worker(&app).await;
        let ids = failed_jobs(&app, 2).await;
        let (retried, discarded) = (ids[0], ids[1]);
        let (mut browser, token) = staff_browser(&app).await;

        let answer = browser.post_form(&format!("/dashboard/jobs/{retried}/retry/"), &[("csrf_token", &token)]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.text);
        assert_eq!(answer.location(), "/dashboard/jobs/?done=retried");
        let job = row(&app, retried).await;
        assert_eq!((job.state.as_str(), job.attempts, job.finished_at), ("queued", 0, None));
        assert!(browser.get(answer.location()).await.text.contains("The job is queued again"));

        // No longer failed: neither retried again nor discarded, and the page says why.
        for action in ["retry", "discard"] {
            let refused = browser.post_form(&format!("/dashboard/jobs/{retried}/{action}/"), &[("csrf_token", &token)]).await;
            assert_eq!(refused.status, StatusCode::CONFLICT, "{action}");
            assert!(refused.text.contains("This job is queued now, no longer failed: nothing was done."), "{}", refused.text);
        }
        assert_eq!(row(&app, retried).await.state, "queued");

        let answer = browser.post_form(&format!("/dashboard/jobs/{discarded}/discard/"), &[("csrf_token", &token)]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER);
        assert_eq!(answer.location(), "/dashboard/jobs/?done=discarded");
        assert_eq!(count(&app, &format!("SELECT COUNT(*) FROM jobs WHERE id = {discarded}")).await, 0);
        let page = browser.get(answer.location()).await;
        assert!(page.text.contains("The failed job is deleted."));
        assert!(page.text.contains("No failed jobs."));
        let gone = browser.post_form(&format!("/dashboard/jobs/{discarded}/retry/"), &[("csrf_token", &token)]).await;
        assert_eq!(gone.status, StatusCode::NOT_FOUND);
    }

    async fn a_retry_or_discard_without_the_csrf_token_is_refused_and_changes_nothing(app: TestApp) {
        let app = without_worker(&app).await;
        let id = failed_jobs(&app, 1).await[0];
        let (mut browser, _) = staff_browser(&app).await;
        for action in ["retry", "discard"] {
            let answer = browser.post_form(&format!("/dashboard/jobs/{id}/{action}/"), &[]).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{action}");
        }
        assert_eq!(row(&app, id).await.state, "failed");
    }

    async fn an_unknown_job_is_the_404_page(app: TestApp) {
        let (mut browser, token) = staff_browser(&app).await;
        for path in ["/dashboard/jobs/999999/retry/", "/dashboard/jobs/999999/discard/", "/dashboard/jobs/abc/retry/"] {
            let answer = browser.post_form(path, &[("csrf_token", &token)]).await;
            assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
            assert!(answer.text.contains("<h1>Not found</h1>"), "{path}");
        }
    }
}
