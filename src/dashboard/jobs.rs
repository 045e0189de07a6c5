//! Jobs: the queue's counts by kind and state and its failed jobs, as `nexus jobs` lists them,
//! with retry and discard through the same jobs front the command uses.

use axum::{
    extract::State,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Router,
};
use minijinja::{context, value::Serde};

use super::{
    extract::{Path, StaffForm},
    pages, paging,
    session::StaffSession,
};
use crate::{
    error::ApiError,
    http::extract::QueryPairs,
    jobs::{self, NotFailed},
    state::AppState,
};

/// This section's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard/jobs/", get(queue))
        .route("/dashboard/jobs/{id}/retry/", post(retry))
        .route("/dashboard/jobs/{id}/discard/", post(discard))
}

/// This section's templates.
pub const TEMPLATES: &[(&str, &str)] = &[template!("jobs/queue.html")];

/// A failed job's error as the list shows it before it is opened: its first line, cut at this
/// many characters.
const ERROR_PREVIEW_CHARS: usize = 160;

/// `GET /dashboard/jobs/?page=`: counts by kind and state, then the failed jobs, latest first.
async fn queue(
    State(state): State<AppState>,
    session: StaffSession,
    query: QueryPairs,
) -> Response {
    let found = async {
        let page = paging::page_request(&query)?;
        let counts = jobs::counts(&state.db).await?;
        let (count, failed) =
            jobs::latest_failed_jobs(&state.db, page.limit(), page.offset()).await?;
        if page.page > 1 && failed.is_empty() {
            return Err(ApiError::invalid_page());
        }
        Ok::<_, ApiError>((page, counts, count, failed))
    };
    let (page, counts, count, failed) = match found.await {
        Ok(found) => found,
        Err(error) => return pages::error(&session, error),
    };
    let failed: Vec<_> = failed
        .into_iter()
        .map(|job| {
            let error = job.last_error.as_deref().unwrap_or_default();
            let first_line = error.lines().next().unwrap_or_default();
            let preview = preview(first_line);
            // The whole error only when the preview doesn't already show all of it.
            let more = preview != error.trim_end();
            context! { job => Serde(&job), preview, more }
        })
        .collect();
    pages::page(
        &session,
        "jobs/queue.html",
        context! {
            states => jobs::STATES,
            counts => Serde(&counts),
            failed,
            count,
            done => query.get("done").unwrap_or_default(),
            page => page.page,
            pages => paging::page_count(count, &page),
            filters => "",
        },
    )
}

/// `text` cut at [`ERROR_PREVIEW_CHARS`] characters (never inside one), with an ellipsis when cut.
fn preview(text: &str) -> String {
    match text.char_indices().nth(ERROR_PREVIEW_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// `POST /dashboard/jobs/{id}/retry/`: as `nexus jobs retry ID`.
async fn retry(State(state): State<AppState>, Path(id): Path<i64>, form: StaffForm) -> Response {
    match jobs::retry(&state.db, id).await {
        Ok(()) => Redirect::to("/dashboard/jobs/?done=retried").into_response(),
        Err(refused) => not_done(&form.session, refused),
    }
}

/// `POST /dashboard/jobs/{id}/discard/`: as `nexus jobs discard ID`.
async fn discard(State(state): State<AppState>, Path(id): Path<i64>, form: StaffForm) -> Response {
    match jobs::discard(&state.db, id).await {
        Ok(()) => Redirect::to("/dashboard/jobs/?done=discarded").into_response(),
        Err(refused) => not_done(&form.session, refused),
    }
}

/// A job that isn't there is the 404 page; one that is no longer failed (a retry or a worker
/// got there first) says so (`409`), nothing done.
fn not_done(session: &StaffSession, refused: NotFailed) -> Response {
    let error = match refused {
        NotFailed::Missing(_) => ApiError::not_found(),
        NotFailed::Moved { state, .. } => ApiError::conflict(
            "job_not_failed",
            format!("This job is {state} now, no longer failed: nothing was done."),
        ),
        NotFailed::Database(error) => error.into(),
    };
    pages::error(session, error)
}

#[cfg(test)]
mod tests {
    use super::preview;

    #[test]
    fn a_long_error_is_cut_between_characters_with_an_ellipsis() {
        assert_eq!(preview("short"), "short");
        let long = "é".repeat(200);
        assert_eq!(preview(&long), format!("{}…", "é".repeat(160)));
    }
}
