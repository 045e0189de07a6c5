//! The job handlers this binary runs, one line per kind, and the worker (plus the planner of
//! scheduled jobs) that runs them.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::{
    accounts, analytics, dashboard,
    db::now_micros,
    jobs::{self, Handlers, Job, Kind, Worker},
    mail, notifications,
    state::AppState,
};

/// How long finished jobs are kept (failed ones stay until retried).
const DONE_JOB_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long after expiring a password-reset link is deleted.
const RESET_LINK_RETENTION_MICROS: i64 = 24 * 3600 * 1_000_000;

/// What runs each kind of job.
fn handlers() -> Handlers<AppState> {
    Handlers::default()
        .on(Kind::Email, |state: AppState, job: Job| async move {
            mail::send_queued(&*state.mailer, &state.settings.frontend_url, &job).await
        })
        .on(Kind::PasswordReset, accounts::send_reset_link)
        .on(Kind::Digest, notifications::send_digests)
        .on(Kind::Cleanup, cleanup)
        .on(Kind::AnalyticsRollup, analytics::roll_up)
        .on(Kind::AnalyticsRetention, analytics::delete_old_events)
}

/// The nightly cleanup: old finished jobs, expired stream tickets, long-expired reset links, and
/// dashboard sessions idle past their 12 hours (a session whose cookie never came back).
/// Each is a plain DELETE of what is past its retention, so a second run deletes nothing more.
async fn cleanup(state: AppState, _job: Job) -> anyhow::Result<()> {
    let jobs = jobs::delete_done_older_than(&state.db, DONE_JOB_RETENTION).await?;
    let now = now_micros();
    let tickets = {
        let mut conn = state.db.write_connection().await?;
        notifications::delete_expired_tickets(&mut conn, now).await?
    };
    let reset_links =
        accounts::delete_expired_reset_links(&state.db, now - RESET_LINK_RETENTION_MICROS).await?;
    let dashboard_sessions = dashboard::delete_idle_sessions(&state.db, now).await?;
    tracing::info!(
        jobs,
        tickets,
        reset_links,
        dashboard_sessions,
        "cleanup deleted expired rows"
    );
    Ok(())
}

/// Starts this instance's worker and planner unless `JOBS_ENABLED=false`; both stop when
/// `shutdown` is cancelled, the worker finishing its jobs within the grace period.
pub(super) fn spawn_worker(
    state: &AppState,
    shutdown: CancellationToken,
) -> Option<tokio::task::JoinHandle<()>> {
    let settings = state.settings.jobs.clone();
    if !settings.enabled {
        tracing::info!("JOBS_ENABLED=false: this instance runs no background jobs");
        return None;
    }
    tokio::spawn(jobs::run_planner(state.db.clone(), shutdown.clone()));
    let grace = state.settings.shutdown_grace_period;
    let worker = Worker::new(state.db.clone(), settings, handlers(), state.clone());
    Some(tokio::spawn(worker.run(shutdown, grace)))
}
