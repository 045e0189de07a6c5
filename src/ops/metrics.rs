//! `/metrics`: Prometheus text exposition (SPEC §3.8) of the registry `telemetry::metrics`
//! installs; the pool and in-flight gauges are refreshed here at scrape time.

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};

use crate::{
    state::AppState,
    telemetry::metrics::{install, DB_POOL_CONNECTIONS, HTTP_REQUESTS_IN_FLIGHT},
};

/// Prometheus metrics (text exposition format 0.0.4).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let size = state.db.pool.size();
    let idle = u32::try_from(state.db.pool.num_idle()).unwrap_or(u32::MAX);
    metrics::gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    metrics::gauge!(DB_POOL_CONNECTIONS, "state" => "active")
        .set(f64::from(size.saturating_sub(idle)));
    metrics::gauge!(HTTP_REQUESTS_IN_FLIGHT).set(state.in_flight.count() as f64);
    let body = install().map_or_else(
        || "# metrics recorder unavailable\n".to_owned(),
        |handle| {
            handle.run_upkeep();
            handle.render()
        },
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}
