//! SPEC §3.6: "Emails go through a durable outbox with retries, so … an SMTP outage loses none."
//! Emails queued while the relay is down fail, wait out the backoff, and each arrives exactly once
//! when it comes back.

use std::{collections::HashSet, time::Duration};

use super::{jobs, queue_password_changed, smtp_test, wait_for_jobs};

const QUEUED: usize = 12;

smtp_test! {
    async fn emails_queued_during_an_smtp_outage_each_arrive_once_when_it_ends(backend: Backend) {
        let mut server = SmtpServer::stopped(SmtpTls::None, free_port());
        let url = server.url();
        // Retries one second apart (±20 % jitter) instead of the production minute.
        let app = TestApp::spawn_with(
            backend,
            &[
                ("SMTP_URL", &url),
                ("JOBS_RETRY_BASE_SECONDS", "1"),
                ("JOBS_RETRY_MAX_SECONDS", "1"),
                ("JOBS_MAX_ATTEMPTS", "1000"),
            ],
        )
        .await
        .expect(POSTGRES_UNSET);
        let recipients: Vec<String> = (0..QUEUED).map(|n| format!("customer{n}@example.com")).collect();
        for to in &recipients {
            queue_password_changed(&app, to).await;
        }

        // Every job tried, failed on the refused connection and went back to wait.
        let rows = wait_for_jobs(&app, 20, |rows| {
            rows.len() == QUEUED && rows.iter().all(|r| r.attempts >= 2 && r.last_error.is_some())
        })
        .await;
        assert!(
            rows.iter().all(|r| r.attempts >= 2 && r.state != "done"),
            "every email failed and was retried while the server was down: {rows:?}"
        );
        assert!(rows[0].last_error.as_deref().unwrap().contains("127.0.0.1"), "{rows:?}");

        server.resume();
        server.wait_for(QUEUED, Duration::from_secs(30)).await;
        // A late duplicate would come within the next retry round: give it the chance to show.
        tokio::time::sleep(Duration::from_millis(2500)).await;
        let all = server.messages();
        let by_id = count_by_message_id(&all);
        eprintln!(
            "outage ({backend:?}): sent/expected = {}/{QUEUED}, distinct Message-IDs {}",
            all.len(),
            by_id.len()
        );
        assert_eq!(all.len(), QUEUED, "sent/expected = {}/{QUEUED}", all.len());
        assert!(by_id.values().all(|&n| n == 1), "{by_id:?}");
        let arrived: HashSet<String> = all.iter().map(|m| header(m, "To").unwrap()).collect();
        assert_eq!(arrived, recipients.iter().cloned().collect::<HashSet<_>>());
        let rows = wait_for_jobs(&app, 5, |rows| rows.iter().all(|r| r.state == "done")).await;
        assert!(rows.iter().all(|r| r.state == "done"), "{:?}", jobs(&app).await);
    }
}
