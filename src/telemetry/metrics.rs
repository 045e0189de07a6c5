//! The process's Prometheus metrics: the family names, the recorder (installed once) and the
//! `record_*` helpers (SPEC §3.8). The `/metrics` endpoint that renders them is `ops`'; this
//! half lives here so the edge (`http`), the cache and checkout can record without importing a
//! feature that holds handlers (no import cycle through `state`, issue 16).
//!
//! One [`PrometheusRecorder`](metrics_exporter_prometheus::PrometheusRecorder) is installed per
//! process (tests start many applications in one process, so it is guarded by a `OnceLock`);
//! every app renders the same registry. Request counts and latencies are recorded by the access
//! log middleware (`http::request_id`), rate-limit rejections by `http::rate_limit`, orders and
//! revenue by checkout, and the pool gauges are refreshed by the endpoint at scrape time.
//!
//! Every label value comes from a closed set (SPEC §5), so no request can add series: the method
//! is one of the standard ones or `OTHER`, the route is a template or `unmatched`, the status a
//! number. Every family is registered at zero when the recorder is installed, so alerts can be
//! written against series that exist before the first event.

use std::{sync::OnceLock, time::Duration};

use axum::http::Method;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

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
/// Requests being served at the moment of the scrape, the scrape itself included.
pub const HTTP_REQUESTS_IN_FLIGHT: &str = "http_requests_in_flight";
/// Catalog cache lookups, labelled `result="hit|miss"`.
pub const CACHE_LOOKUPS_TOTAL: &str = "cache_lookups_total";
/// Notification streams (Server-Sent Events) open now.
pub const NOTIFICATION_STREAMS: &str = "nexus_notification_streams";

/// Group-commit batch sizes: units per write transaction, 1 to `MAX_BATCH` (32).
const BATCH_SIZE_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0];

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
                // Every `_seconds` histogram: request latency, analytics batch writes.
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), LATENCY_BUCKETS)
                .and_then(|builder| {
                    builder.set_buckets_for_metric(
                        Matcher::Full(crate::db::group_commit::BATCH_SIZE_METRIC.to_owned()),
                        BATCH_SIZE_BUCKETS,
                    )
                })
                .and_then(PrometheusBuilder::install_recorder);
            match built {
                Ok(handle) => {
                    describe();
                    register_at_zero();
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
    metrics::describe_gauge!(
        HTTP_REQUESTS_IN_FLIGHT,
        "Requests being served now, this scrape included"
    );
    metrics::describe_gauge!(NOTIFICATION_STREAMS, "Notification streams open now");
    metrics::describe_histogram!(
        crate::db::group_commit::BATCH_SIZE_METRIC,
        "Units of work (checkouts) per group-commit write transaction"
    );
    metrics::describe_counter!(
        crate::db::group_commit::RERUNS_METRIC,
        "Group-commit units run again alone (a failed batch, or a lock or deadlock victim)"
    );
}

/// The `route` label of a request no route matched.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// Creates every family's series whose labels are known in advance, at zero. The request
/// families get the scrape's own series (`GET /metrics 200`), which the first scrape then counts.
fn register_at_zero() {
    metrics::counter!(
        HTTP_REQUESTS_TOTAL,
        &request_labels(&Method::GET, "/metrics", 200)
    )
    .increment(0);
    // A histogram handle with no samples renders as zero buckets, sum and count.
    drop(metrics::histogram!(
        HTTP_REQUEST_DURATION,
        &request_labels(&Method::GET, "/metrics", 200)
    ));
    for rule in crate::config::rate_limit::Rule::ALL {
        metrics::counter!(RATE_LIMIT_REJECTIONS_TOTAL, "rule" => rule.name()).increment(0);
    }
    for result in ["hit", "miss"] {
        metrics::counter!(CACHE_LOOKUPS_TOTAL, "result" => result).increment(0);
    }
    metrics::counter!(ORDERS_CREATED_TOTAL).increment(0);
    metrics::counter!(REVENUE_CENTS_TOTAL).increment(0);
    for state in ["idle", "active"] {
        metrics::gauge!(DB_POOL_CONNECTIONS, "state" => state).increment(0.0);
    }
    // The queue's families (`nexus_jobs_*`) are named and labelled by the queue itself.
    crate::jobs::metrics::register();
    metrics::gauge!(NOTIFICATION_STREAMS).increment(0.0);
    metrics::gauge!(HTTP_REQUESTS_IN_FLIGHT).increment(0.0);
    drop(metrics::histogram!(
        crate::db::group_commit::BATCH_SIZE_METRIC
    ));
    metrics::counter!(crate::db::group_commit::RERUNS_METRIC).increment(0);
}

/// The `method` label: a standard method's name, or `OTHER` (any token is a valid HTTP method,
/// so the raw value would let each request add a series).
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => "OTHER",
    }
}

fn request_labels(method: &Method, route: &str, status: u16) -> [(&'static str, String); 3] {
    [
        ("method", method_label(method).to_owned()),
        ("route", route.to_owned()),
        ("status", status.to_string()),
    ]
}

/// Records one served request; `route` is the matched template or [`UNMATCHED_ROUTE`].
pub fn record_request(method: &Method, route: &str, status: u16, elapsed: Duration) {
    let labels = request_labels(method, route, status);
    metrics::counter!(HTTP_REQUESTS_TOTAL, &labels).increment(1);
    metrics::histogram!(HTTP_REQUEST_DURATION, &labels).record(elapsed.as_secs_f64());
}

/// Counts one open notification stream in [`NOTIFICATION_STREAMS`] until dropped.
#[derive(Debug)]
#[must_use = "the stream counts as open only while this is held"]
pub struct OpenStream(());

impl OpenStream {
    pub fn open() -> Self {
        metrics::gauge!(NOTIFICATION_STREAMS).increment(1.0);
        Self(())
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        metrics::gauge!(NOTIFICATION_STREAMS).decrement(1.0);
    }
}

/// Records a committed order.
pub fn record_order(total_cents: i64) {
    metrics::counter!(ORDERS_CREATED_TOTAL).increment(1);
    metrics::counter!(REVENUE_CENTS_TOTAL).increment(u64::try_from(total_cents).unwrap_or(0));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_outside_the_standard_set_are_other() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
        for token in ["FOO", "get", "PROPFIND", "X-1"] {
            let method = Method::from_bytes(token.as_bytes()).unwrap();
            assert_eq!(method_label(&method), "OTHER", "{token}");
        }
    }

    #[test]
    fn every_family_is_rendered_before_any_event() {
        let recorder = PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, register_at_zero);
        let text = handle.render();
        for family in [
            HTTP_REQUESTS_TOTAL,
            HTTP_REQUEST_DURATION,
            RATE_LIMIT_REJECTIONS_TOTAL,
            ORDERS_CREATED_TOTAL,
            REVENUE_CENTS_TOTAL,
            DB_POOL_CONNECTIONS,
            HTTP_REQUESTS_IN_FLIGHT,
            CACHE_LOOKUPS_TOTAL,
            crate::jobs::metrics::QUEUE_DEPTH,
            crate::jobs::metrics::RUNS_TOTAL,
            crate::jobs::metrics::FAILURES_TOTAL,
            crate::jobs::metrics::OLDEST_DUE_AGE,
            NOTIFICATION_STREAMS,
            crate::db::group_commit::BATCH_SIZE_METRIC,
            crate::db::group_commit::RERUNS_METRIC,
        ] {
            assert!(
                text.contains(&format!("\n{family}")) || text.starts_with(family),
                "{family} missing:\n{text}"
            );
        }
        assert!(
            text.contains("rate_limit_rejections_total{rule=\"login_ip\"} 0"),
            "{text}"
        );
    }
}
