//! The overview: the analytics dashboard (§3.7) for a chosen period, as `GET
//! analytics/dashboard/` computes it, with the page's own cache of figures, and what needs
//! attention (`attention.rs`).

use axum::{extract::State, http::StatusCode, response::Response, routing::get, Extension, Router};
use minijinja::{context, Value};

use super::{attention::needs_attention, pages, session::StaffSession};
use crate::{
    analytics::{self, FiguresCache},
    http::extract::QueryPairs,
    state::AppState,
};

/// The overview's route, with its cache of figures.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/dashboard/", get(overview))
        .layer(Extension(FiguresCache::default()))
}

/// The overview's templates.
pub const TEMPLATES: &[(&str, &str)] = &[template!("overview.html")];

/// `GET /dashboard/?from=&to=`: the figures for the period (the last 30 days by default).
async fn overview(
    State(state): State<AppState>,
    Extension(figures): Extension<FiguresCache>,
    session: StaffSession,
    query: QueryPairs,
) -> Response {
    let (from, to) = (query.get("from"), query.get("to"));
    let (view, problem) = match analytics::dashboard_of(&state, &figures, from, to).await {
        Ok(view) => (Value::from(minijinja::value::Serde(view)), None),
        Err(error) if error.status() == StatusCode::BAD_REQUEST => (
            Value::from(()),
            Some("Choose dates as YYYY-MM-DD, the first before the last, at most 366 days apart."),
        ),
        Err(error) => return pages::error(&session, error),
    };
    let attention = match needs_attention(&state).await {
        Ok(attention) => Value::from(minijinja::value::Serde(attention)),
        Err(error) => return pages::error(&session, error),
    };
    pages::page(
        &session,
        "overview.html",
        context! {
            figures => view,
            attention,
            problem,
            from => from.unwrap_or_default(),
            to => to.unwrap_or_default(),
        },
    )
}
