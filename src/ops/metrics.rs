//! `/metrics`: Prometheus text exposition (SPEC §3.8).
//!
//! One [`PrometheusRecorder`](metrics_exporter_prometheus::PrometheusRecorder) is installed per
//! process (tests start many applications in one process, so it is guarded by a `OnceLock`);
//! every app renders the same registry. Request counts and latencies are recorded by the access
//! log middleware (`http::request_id`), rate-limit rejections by `http::rate_limit`, orders and
//! revenue by checkout, and the pool gauges are refreshed here at scrape time.

use std::{sync::OnceLock, time::Duration};

use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

/// Request latency histogram (seconds).
pub const HTTP_REQUEST_DURATION: &str = "http_request_duration_seconds";
/// Requests served, by method, route template and status.
pub const HTTP_REQUESTS_TOTAL: &str = "http_requests_total";
/// `429`s answered, by rule.
pub const RATE_LIMIT_REJECTIONS_TOTAL: &str = "rate_limit_rejections_total";
/// Orders committed by checkout.
pub const ORDERS_CREATED_TOTAL: &str = "orders_created_total";
/// Sum of committed order totals, in cents.
pub const REVENUE_CENTS_TOTAL: &str = "revenue_cents_total";
/// Pool connections by `state` (`idle` or `active`).
pub const DB_POOL_CONNECTIONS: &str = "db_pool_connections";
/// Catalog cache lookups, labelled `result="hit|miss"`.
pub const CACHE_LOOKUPS_TOTAL: &str = "cache_lookups_total";

/// Latency buckets: 5 ms to 10 s.
const LATENCY_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder on first use and returns its handle; `None` when another
/// recorder was installed first (metrics are then not exposed, and the endpoint says so).
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let built = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(HTTP_REQUEST_DURATION.to_owned()),
                    LATENCY_BUCKETS,
                )
                .and_then(PrometheusBuilder::install_recorder);
            match built {
                Ok(handle) => {
                    describe();
                    // Histogram samples are buffered until upkeep drains them; without a scraper
                    // they would grow without bound.
                    let upkeep = handle.clone();
                    let spawned = std::thread::Builder::new()
                        .name("metrics-upkeep".into())
                        .spawn(move || loop {
                            std::thread::sleep(Duration::from_secs(5));
                            upkeep.run_upkeep();
                        });
                    if let Err(error) = spawned {
                        tracing::warn!(%error, "metrics upkeep thread not started");
                    }
                    Some(handle)
                }
                Err(error) => {
                    tracing::warn!(%error, "Prometheus recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

fn describe() {
    metrics::describe_counter!(HTTP_REQUESTS_TOTAL, "HTTP requests served");
    metrics::describe_histogram!(
        HTTP_REQUEST_DURATION,
        metrics::Unit::Seconds,
        "HTTP request latency"
    );
    metrics::describe_counter!(RATE_LIMIT_REJECTIONS_TOTAL, "Requests refused with 429");
    metrics::describe_counter!(ORDERS_CREATED_TOTAL, "Orders placed");
    metrics::describe_counter!(REVENUE_CENTS_TOTAL, "Total of placed orders, in cents");
    metrics::describe_counter!(
        CACHE_LOOKUPS_TOTAL,
        "Catalog cache lookups by result (hit or miss)"
    );
    metrics::describe_gauge!(DB_POOL_CONNECTIONS, "Database pool connections by state");
}

/// Records one served request.
pub fn record_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let labels = [
        ("method", method.to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ];
    metrics::counter!(HTTP_REQUESTS_TOTAL, &labels).increment(1);
    metrics::histogram!(HTTP_REQUEST_DURATION, &labels).record(elapsed.as_secs_f64());
}

/// Records a committed order.
pub fn record_order(total_cents: i64) {
    metrics::counter!(ORDERS_CREATED_TOTAL).increment(1);
    metrics::counter!(REVENUE_CENTS_TOTAL).increment(u64::try_from(total_cents).unwrap_or(0));
}

/// Prometheus metrics (text exposition format 0.0.4).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let size = state.db.pool.size();
    let idle = u32::try_from(state.db.pool.num_idle()).unwrap_or(u32::MAX);
    metrics::gauge!(DB_POOL_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    metrics::gauge!(DB_POOL_CONNECTIONS, "state" => "active")
        .set(f64::from(size.saturating_sub(idle)));
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
