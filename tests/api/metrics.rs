//! `/metrics` (SPEC §3.8, §5): Prometheus text with label values from closed sets (route
//! templates, never raw ids; standard methods or `OTHER`) and every family present from start-up.
//!
//! The recorder is process-wide and tests run in parallel, so counters are compared before and
//! after (they only grow) rather than against absolute values. What a *fresh* server shows is
//! read from the real binary, started on its own.

use std::{
    collections::BTreeSet,
    time::{Duration, Instant},
};

use serde_json::json;

use crate::api_test;
use crate::helpers::free_port;
use crate::nexus_process::{nexus, Server, TEST_SECRET_KEY};

/// Every family the server exports (docs/observability.md).
const FAMILIES: [&str; 12] = [
    "http_requests_total",
    "http_request_duration_seconds",
    "db_pool_connections",
    "http_requests_in_flight",
    "rate_limit_rejections_total",
    "orders_created_total",
    "revenue_cents_total",
    "cache_lookups_total",
    "nexus_notification_streams",
    "analytics_events_recorded_total",
    "analytics_events_dropped_total",
    "analytics_batch_write_seconds",
];

/// A `nexus serve` process of its own (so its metrics registry is fresh), killed on drop.
pub(crate) struct FreshServer {
    _server: Server,
    base: String,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl FreshServer {
    /// Starts it on a port chosen here and waits until it answers (its logs are warnings only,
    /// so there is no "serving" line to read the port from).
    pub(crate) async fn start() -> FreshServer {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let server = Server::spawn(nexus(
            dir.path(),
            "serve",
            &[
                ("DEBUG", "true"),
                ("BIND_ADDR", &bind),
                ("SECRET_KEY", TEST_SECRET_KEY),
                ("RATE_LIMIT_ENABLED", "false"),
                ("LOG_LEVEL", "warn"),
            ],
        ));
        let server = FreshServer {
            _server: server,
            base: format!("http://{bind}"),
            client: reqwest::Client::new(),
            _dir: dir,
        };
        let started = Instant::now();
        while server
            .client
            .get(format!("{}/health/liveness/", server.base))
            .send()
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server never answered"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        server
    }

    pub(crate) async fn metrics(&self) -> String {
        let response = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    }

    /// One request with a method nobody has used before, to `path`; the status is ignored.
    async fn random_method(&self, path: &str) {
        let token = format!("X{}", uuid::Uuid::new_v4().simple()).to_uppercase();
        let method = reqwest::Method::from_bytes(token.as_bytes()).unwrap();
        self.client
            .request(method, format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
    }
}

/// The series of a scrape: its sample lines without their values.
fn series(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| line.rsplit_once(' ').map(|(series, _)| series.to_owned()))
        .collect()
}

#[tokio::test]
async fn a_fresh_server_exports_every_family_at_zero() {
    let server = FreshServer::start().await;
    let text = server.metrics().await;
    for family in FAMILIES {
        assert!(
            text.lines().any(|line| line.starts_with(family)),
            "{family} is missing from a fresh server's /metrics:\n{text}"
        );
    }
    for rule in [
        "anon",
        "user",
        "burst",
        "login_ip",
        "login_ip_account",
        "login_account",
        "register",
        "password_reset",
    ] {
        assert_eq!(
            sample(
                &text,
                &format!("rate_limit_rejections_total{{rule=\"{rule}\"}}")
            ),
            Some(0.0),
            "{rule}:\n{text}"
        );
    }
    assert_eq!(sample(&text, "orders_created_total"), Some(0.0), "{text}");
    assert_eq!(
        sample(&text, "cache_lookups_total{result=\"hit\"}"),
        Some(0.0),
        "{text}"
    );
}

#[tokio::test]
async fn requests_with_made_up_methods_add_no_series() {
    let server = FreshServer::start().await;
    let paths = [
        "/api/v1/products/",
        "/api/v1/products/1/",
        "/no/such/path/",
        "/metrics",
    ];
    for i in 0..300 {
        server.random_method(paths[i % paths.len()]).await;
    }
    let first = server.metrics().await;
    for i in 0..300 {
        server.random_method(paths[i % paths.len()]).await;
    }
    let second = server.metrics().await;
    assert_eq!(
        series(&first),
        series(&second),
        "300 new methods added series"
    );
    assert!(
        second.len() < 64 * 1024,
        "/metrics is {} bytes",
        second.len()
    );
    let methods: BTreeSet<&str> = second
        .lines()
        .filter_map(|line| line.split("method=\"").nth(1)?.split('"').next())
        .collect();
    let standard = [
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "OTHER",
    ];
    assert!(methods.iter().all(|m| standard.contains(m)), "{methods:?}");
    assert!(methods.contains("OTHER"), "{methods:?}");
}

/// The value of the sample line that starts with `series` (name plus labels), if present.
pub(crate) fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        line.strip_prefix(series)?
            .strip_prefix(' ')?
            .trim()
            .parse()
            .ok()
    })
}

/// Any `http_requests_total` line for `method`/`route`/`status` (label order as rendered).
fn requests_for(text: &str, method: &str, route: &str, status: u16) -> f64 {
    let wanted = [
        format!("method=\"{method}\""),
        format!("route=\"{route}\""),
        format!("status=\"{status}\""),
    ];
    text.lines()
        .filter(|line| line.starts_with("http_requests_total{"))
        .filter(|line| wanted.iter().all(|label| line.contains(label.as_str())))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

api_test! {
    async fn requests_are_counted_by_route_template_without_raw_ids(app: TestApp) {
        let product = app.product().price_cents(1999).stock(3).create().await;
        let slug: String = sqlx::query_scalar("SELECT slug FROM products WHERE id = $1")
            .bind(product)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let before = app.get("/metrics").await.text;
        let template = "/api/v1/products/{key}/";
        let counted_before = requests_for(&before, "GET", template, 200);

        assert_eq!(app.get(&format!("products/{slug}/")).await.status, 200);
        assert_eq!(app.get(&format!("products/{product}/")).await.status, 200);
        assert_eq!(app.get("no/such/route/at/all/").await.status, 404);

        let response = app.get("/metrics").await;
        assert_eq!(response.status, 200);
        let content_type = response.headers["content-type"].to_str().unwrap();
        assert!(content_type.starts_with("text/plain"), "{content_type}");
        let text = response.text;
        assert!(
            requests_for(&text, "GET", template, 200) >= counted_before + 2.0,
            "both lookups counted under the template:\n{text}"
        );
        assert!(
            requests_for(&text, "GET", "unmatched", 404) >= 1.0,
            "{text}"
        );
        assert!(
            text.contains("http_request_duration_seconds_bucket{"),
            "a histogram: {text}"
        );
        assert!(text.contains("le=\"0.005\""), "{text}");
        assert!(!text.contains(&slug), "no raw slug as a label");
        assert!(
            !text.contains("no/such/route"),
            "no raw unmatched path as a label"
        );
        assert!(
            !text
                .lines()
                .any(|line| line.contains(&format!("/products/{product}/"))),
            "no raw id as a label"
        );
        assert!(
            sample(&text, "db_pool_connections{state=\"idle\"}").is_some(),
            "{text}"
        );
        assert!(
            sample(&text, "db_pool_connections{state=\"active\"}").is_some(),
            "{text}"
        );
        assert!(
            text.contains("# TYPE http_requests_total counter"),
            "{text}"
        );
    }

    async fn a_placed_order_increments_orders_and_revenue(app: TestApp) {
        let user = app.create_customer().await;
        let product = app.product().price_cents(1250).stock(5).create().await;
        let before = app.get("/metrics").await.text;
        let orders_before = sample(&before, "orders_created_total").unwrap_or(0.0);
        let revenue_before = sample(&before, "revenue_cents_total").unwrap_or(0.0);

        let response = app
            .post_as(
                "orders/",
                &user.token,
                &json!({"items": [{"product_id": product, "quantity": 2}]}),
            )
            .await;
        assert_eq!(response.status, 201, "{}", response.text);

        let after = app.get("/metrics").await.text;
        let orders_after = sample(&after, "orders_created_total").expect("orders counter");
        let revenue_after = sample(&after, "revenue_cents_total").expect("revenue counter");
        assert!(
            orders_after >= orders_before + 1.0,
            "{orders_before} -> {orders_after}"
        );
        assert!(
            revenue_after >= revenue_before + 2500.0,
            "{revenue_before} -> {revenue_after}"
        );
    }

    async fn catalog_cache_hits_and_misses_are_counted(app: TestApp) {
        let product = app.product().price_cents(990).stock(3).create().await;
        let before = app.get("/metrics").await.text;
        let hits_before = sample(&before, "cache_lookups_total{result=\"hit\"}").unwrap_or(0.0);
        let misses_before = sample(&before, "cache_lookups_total{result=\"miss\"}").unwrap_or(0.0);
        // A product nobody has read yet: the first read misses, the second hits.
        assert_eq!(app.get(&format!("products/{product}/")).await.status, 200);
        assert_eq!(app.get(&format!("products/{product}/")).await.status, 200);
        let after = app.get("/metrics").await.text;
        let hits_after =
            sample(&after, "cache_lookups_total{result=\"hit\"}").expect("hit counter");
        let misses_after =
            sample(&after, "cache_lookups_total{result=\"miss\"}").expect("miss counter");
        assert!(
            hits_after >= hits_before + 1.0,
            "{hits_before} -> {hits_after}"
        );
        assert!(
            misses_after >= misses_before + 1.0,
            "{misses_before} -> {misses_after}"
        );
    }

    async fn rate_limit_rejections_are_counted_by_rule(app: TestApp) {
        let app = TestApp::spawn_with(
            app.backend,
            &[
                ("RATE_LIMIT_ENABLED", "true"),
                ("RATE_LIMIT_BURST", "2/minute"),
            ],
        )
        .await
        .unwrap();
        let before = sample(
            &app.get("/metrics").await.text,
            "rate_limit_rejections_total{rule=\"burst\"}",
        )
        .unwrap_or(0.0);
        let mut throttled = false;
        for _ in 0..4 {
            throttled |= app.get("products/").await.status == 429;
        }
        assert!(throttled, "the burst rule answered 429");
        let text = app.get("/metrics").await.text;
        let after = sample(&text, "rate_limit_rejections_total{rule=\"burst\"}")
            .expect("rejections counted");
        assert!(after >= before + 1.0, "{before} -> {after}\n{text}");
    }
}
