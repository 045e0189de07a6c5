//! The overview: the analytics dashboard (§3.7) for a chosen period, as `GET
//! analytics/dashboard/` computes it, with the page's own cache of figures, and what needs
//! attention (`attention.rs`), and the marketplace's contract figures for the same period
//! (`contracts::figures`: two indexed queries).

use axum::{extract::State, http::StatusCode, response::Response, routing::get, Extension, Router};
use minijinja::{context, Value};

use super::{attention::needs_attention, pages, session::StaffSession};
use crate::{
    analytics::{self, FiguresCache},
    error::ApiError,
    http::extract::QueryPairs,
    marketplace::contracts,
    money::Money,
    state::AppState,
};

/// The contract figures as the overview shows them.
#[derive(Debug, serde::Serialize)]
struct Market {
    created: i64,
    completed: i64,
    revenue: Money,
    disputed_now: i64,
    top: Vec<TopProvider>,
}

/// One of the period's top providers.
#[derive(Debug, serde::Serialize)]
struct TopProvider {
    display_name: String,
    completed: i64,
    revenue: Money,
}

/// The period's contract figures; `None` when the period is malformed (the page says so once,
/// for the analytics figures).
async fn market_of(
    state: &AppState,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Option<Market>, ApiError> {
    let Ok((start, end)) = analytics::period_micros(from, to) else {
        return Ok(None);
    };
    let (figures, top) = contracts::figures(&state.db, start, end).await?;
    Ok(Some(Market {
        created: figures.created,
        completed: figures.completed,
        revenue: Money::from_cents(figures.revenue_cents),
        disputed_now: figures.disputed_now,
        top: top
            .into_iter()
            .map(|provider| TopProvider {
                display_name: provider.display_name,
                completed: provider.completed,
                revenue: Money::from_cents(provider.revenue_cents),
            })
            .collect(),
    }))
}

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
    let market = match market_of(&state, from, to).await {
        Ok(market) => Value::from(minijinja::value::Serde(market)),
        Err(error) => return pages::error(&session, error),
    };
    pages::page(
        &session,
        "overview.html",
        context! {
            figures => view,
            attention,
            market,
            problem,
            from => from.unwrap_or_default(),
            to => to.unwrap_or_default(),
        },
    )
}
