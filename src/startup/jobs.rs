//! The job handlers this binary runs, one line per kind, and the worker that runs them.

use tokio_util::sync::CancellationToken;

use crate::{
    jobs::{Handlers, Job, Kind, Worker},
    mail,
    state::AppState,
};

/// What runs each kind of job.
fn handlers() -> Handlers<AppState> {
    Handlers::default().on(Kind::Email, |state: AppState, job: Job| async move {
        mail::send_queued(&*state.mailer, &state.settings.frontend_url, &job).await
    })
}

/// Starts this instance's worker unless `JOBS_ENABLED=false`; it stops claiming when `shutdown`
/// is cancelled and finishes within the grace period.
pub(super) fn spawn_worker(
    state: &AppState,
    shutdown: CancellationToken,
) -> Option<tokio::task::JoinHandle<()>> {
    let settings = state.settings.jobs.clone();
    if !settings.enabled {
        tracing::info!("JOBS_ENABLED=false: this instance runs no background jobs");
        return None;
    }
    let grace = state.settings.shutdown_grace_period;
    let worker = Worker::new(state.db.clone(), settings, handlers(), state.clone());
    Some(tokio::spawn(worker.run(shutdown, grace)))
}
