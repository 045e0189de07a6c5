//! Security headers, Host checking, HSTS behind a TLS proxy, and CORS.

use crate::api_test;
use crate::helpers::{Backend, TestApp};

const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "strict-origin-when-cross-origin"),
    (
        "permissions-policy",
        "geolocation=(), microphone=(), camera=()",
    ),
];

api_test! {
    async fn security_headers_are_on_successes_and_errors(app: TestApp) {
        for path in ["/health/", "/api/v1/nope/", "/api/v1/docs/"] {
            let response = app.get(path).await;
            for (name, value) in SECURITY_HEADERS {
                assert_eq!(response.headers[*name], *value, "{name} on {path}");
            }
            let csp = response.headers["content-security-policy"]
                .to_str()
                .unwrap();
            assert!(csp.contains("script-src 'self'"), "{csp}");
        }
    }

    async fn hsts_is_sent_only_when_a_trusted_proxy_says_https(app: TestApp) {
        let plain = app.get("/health/").await;
        assert!(plain.headers.get("strict-transport-security").is_none());
        let behind_tls = app
            .client
            .get(format!("{}/health/", app.address))
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        assert!(behind_tls.headers()["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age="));
    }

    async fn a_500_carries_the_security_headers_and_no_internals(app: TestApp) {
        // A broken database (the table is gone) makes the real app fail inside a handler.
        sqlx::query("ALTER TABLE brands RENAME TO brands_gone")
            .execute(&app.db.pool)
            .await
            .unwrap();
        let response = app.get("/api/v1/brands/").await;
        assert_eq!(response.status, 500, "{}", response.text);
        for (name, value) in SECURITY_HEADERS {
            assert_eq!(response.headers[*name], *value, "{name} on a 500");
        }
        assert!(response.headers.contains_key("content-security-policy"));
        assert!(response.headers.contains_key("x-request-id"));
        assert_eq!(response.body["code"], "server_error", "{}", response.text);
        assert_eq!(
            response.body["request_id"],
            response.headers["x-request-id"].to_str().unwrap()
        );
        assert!(
            !response.text.to_lowercase().contains("brands"),
            "no SQL detail: {}",
            response.text
        );
    }

    async fn cors_refuses_every_origin_when_none_is_configured(app: TestApp) {
        let preflight = |origin: &'static str| {
            app.client
                .request(
                    reqwest::Method::OPTIONS,
                    format!("{}/api/v1/health/", app.address),
                )
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "authorization,content-type",
                )
                .send()
        };
        // The default test app has no CORS origins configured.
        let refused = preflight("http://localhost:3000").await.unwrap();
        assert!(refused
            .headers()
            .get("access-control-allow-origin")
            .is_none());
    }
}

#[tokio::test]
async fn configured_cors_origins_get_credentials_and_others_nothing() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[(
            "CORS_ALLOWED_ORIGINS",
            "http://localhost:3000,https://*.shop.example",
        )],
    )
    .await
    .unwrap();
    for (origin, allowed) in [
        ("http://localhost:3000", true),
        ("https://app.shop.example", true),
        ("https://evil.example", false),
    ] {
        let response = app
            .client
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/v1/health/", app.address),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        let allow = response
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_owned());
        if allowed {
            assert_eq!(allow.as_deref(), Some(origin));
            assert_eq!(
                response.headers()["access-control-allow-credentials"],
                "true"
            );
        } else {
            assert_eq!(allow, None, "{origin} must not be allowed");
        }
    }
}

#[tokio::test]
async fn a_host_outside_allowed_hosts_is_rejected() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("ALLOWED_HOSTS", "shop.example,127.0.0.1")],
    )
    .await
    .unwrap();
    assert_eq!(
        app.get("/health/").await.status,
        200,
        "127.0.0.1 with any port is allowed"
    );
    let response = app
        .client
        .get(format!("{}/health/", app.address))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"detail": "Invalid host header.", "code": "invalid_host"})
    );
}

#[tokio::test]
async fn forwarded_headers_from_untrusted_peers_are_ignored() {
    let app = TestApp::spawn_with(Backend::Sqlite, &[("TRUSTED_PROXIES", "10.9.9.9")])
        .await
        .unwrap();
    let response = app
        .client
        .get(format!("{}/health/", app.address))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(response
        .headers()
        .get("strict-transport-security")
        .is_none());
}

/// A test app with `SECURE_SSL_REDIRECT=true` and the given `TRUSTED_PROXIES`.
async fn redirecting_app(trusted_proxies: &str) -> TestApp {
    TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("SECURE_SSL_REDIRECT", "true"),
            ("TRUSTED_PROXIES", trusted_proxies),
        ],
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn ssl_redirect_sends_plain_http_requests_to_the_same_url_over_https() {
    let app = redirecting_app("127.0.0.1,::1").await;
    let host = app.address.trim_start_matches("http://").to_owned();
    for (path, location) in [
        (
            "/api/v1/products/?page=2&search=lamp",
            "/api/v1/products/?page=2&search=lamp",
        ),
        // The path the client used, not the canonical one an alias is rewritten to.
        ("/api/v1/auth/login/", "/api/v1/auth/login/"),
        ("/api/v1/docs", "/api/v1/docs"),
    ] {
        let response = app
            .client
            .post(format!("{}{path}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 301, "{path}");
        assert_eq!(
            response.headers()["location"],
            format!("https://{host}{location}").as_str()
        );
        assert_eq!(response.headers()["x-frame-options"], "DENY");
    }
}

/// `GET products/` with `X-Forwarded-Proto: https`, as a TLS proxy would send it.
async fn products_marked_as_https(app: &TestApp) -> reqwest::Response {
    app.client
        .get(format!("{}/api/v1/products/", app.address))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn ssl_redirect_lets_through_requests_a_trusted_proxy_says_came_over_https() {
    let app = redirecting_app("127.0.0.1,::1").await;
    let response = products_marked_as_https(&app).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("strict-transport-security"));
}

#[tokio::test]
async fn ssl_redirect_ignores_x_forwarded_proto_from_an_untrusted_peer() {
    let app = redirecting_app("10.0.0.0/8").await;
    let response = products_marked_as_https(&app).await;
    assert_eq!(response.status(), 301);
}

#[tokio::test]
async fn ssl_redirect_exempts_health_probes_and_metrics() {
    let app = redirecting_app("127.0.0.1,::1").await;
    for path in [
        "/health/",
        "/health/readiness/",
        "/health/liveness/",
        "/api/v1/health/",
        "/metrics",
    ] {
        assert_eq!(app.get(path).await.status, 200, "{path}");
    }
    assert_eq!(app.get("/api/v1/products/").await.status, 301);
}

#[tokio::test]
async fn ssl_redirect_is_off_by_default() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    assert_eq!(app.get("/api/v1/products/").await.status, 200);
}

#[tokio::test]
async fn ssl_redirect_never_points_at_a_host_outside_allowed_hosts() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("SECURE_SSL_REDIRECT", "true"),
            ("ALLOWED_HOSTS", "127.0.0.1"),
        ],
    )
    .await
    .unwrap();
    let response = app
        .client
        .get(format!("{}/api/v1/products/", app.address))
        .header("host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
}
