//! Email delivery against a real SMTP server (aiosmtpd, tests/api/smtp_server.rs): plain SMTP,
//! STARTTLS and implicit TLS, an outage the queue rides out, and an instance killed while it holds
//! claimed email jobs.

mod delivery;
mod kill;
mod outage;

use nexus::mail::{Email, Message};

use crate::helpers::TestApp;

/// Runs each test on SQLite and PostgreSQL with a real SMTP server; reported ignored (with the
/// reason) when `NEXUS_SMTP_SERVER`, or for the PostgreSQL twin `TEST_DATABASE_URL`, was not set
/// at build time (build.rs). The body gets the backend and spawns the app it needs.
macro_rules! smtp_test {
    ($(async fn $name:ident($backend:ident: Backend $(,)?) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_imports)]
            use $crate::{helpers::*, smtp_server::*};

            async fn run($backend: Backend) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(nexus_test_smtp), ignore = "NEXUS_SMTP_SERVER is not set")]
            async fn sqlite() {
                run(Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(all(nexus_test_smtp, nexus_test_postgres)),
                ignore = "NEXUS_SMTP_SERVER or TEST_DATABASE_URL is not set"
            )]
            async fn postgres() {
                run(Backend::Postgres).await
            }
        }
    )*};
}
pub(crate) use smtp_test;

/// Queues a password-changed notice to `to`, as an event's transaction would.
pub async fn queue_password_changed(app: &TestApp, to: &str) {
    let mut tx = app.db.begin_write().await.unwrap();
    let email = Email {
        to: to.to_owned(),
        message: Message::PasswordChanged,
    };
    nexus::mail::queue(&mut tx, &email).await.unwrap();
    tx.commit().await.unwrap();
}

/// One email job's row.
#[derive(Debug, sqlx::FromRow)]
pub struct JobRow {
    pub id: i64,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Every email job, oldest first (a serving instance also plans digests and cleanups).
pub async fn jobs(app: &TestApp) -> Vec<JobRow> {
    sqlx::query_as(
        "SELECT id, state, attempts, last_error FROM jobs WHERE kind = 'email' ORDER BY id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

/// Waits (up to `seconds`) until `done(jobs)` holds; then returns the jobs.
pub async fn wait_for_jobs(
    app: &TestApp,
    seconds: u64,
    done: impl Fn(&[JobRow]) -> bool,
) -> Vec<JobRow> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        let rows = jobs(app).await;
        if done(&rows) || std::time::Instant::now() > deadline {
            return rows;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
