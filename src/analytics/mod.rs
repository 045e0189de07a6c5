//! Analytics figures (SPEC §3.7): daily roll-ups of raw events and orders, the retention of raw
//! events, and the two endpoints that read them, `analytics/dashboard/` (staff) and
//! `analytics/me/`. Capturing events is `track`, a layer below the features (the events table,
//! migration 0011).
//! docs/analytics.md.

mod cli;
mod dashboard;
mod figures;
mod handlers;
mod period;
mod plan;
mod rollup;
mod store;
mod totals;
mod views;

use axum::Extension;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

pub use self::{
    cli::AnalyticsCommand,
    figures::FiguresCache,
    handlers::dashboard_of,
    rollup::{delete_old_events, prune, roll_up, roll_up_days},
    views::{DashboardView, MyFiguresView},
};
pub use crate::config::analytics::AnalyticsSettings;

/// Every analytics route under `/api/v1`. The dashboard handler gets this router's own cache of
/// figures (not kept in `Services`, which sits below the features).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::get_dashboard))
        .routes(routes!(handlers::get_my_figures))
        .layer(Extension(FiguresCache::default()))
}

/// The period `from`–`to` (the defaults and `400`s of [`dashboard_of`]) as `[start, end)` in
/// epoch microseconds, for figures other parts count over the same days (the staff overview's
/// contract metrics).
pub fn period_micros(
    from: Option<&str>,
    to: Option<&str>,
) -> Result<(i64, i64), crate::error::ApiError> {
    let period = period::Period::parse(from, to, period::today())?;
    Ok((
        period.first() * period::DAY_MICROS,
        (period.last() + 1) * period::DAY_MICROS,
    ))
}
