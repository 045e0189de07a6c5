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
            let csp = response.headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("script-src 'self'"), "{csp}");
        }
    }

    async fn hsts_is_sent_only_when_a_trusted_proxy_says_https(app: TestApp) {
        let plain = app.get("/health/").await;
        assert!(plain.headers.get("strict-transport-security").is_none());
        let behind_tls = app.client.get(format!("{}/health/", app.address))
            .header("x-forwarded-proto", "https").send().await.unwrap();
        assert!(behind_tls.headers()["strict-transport-security"].to_str().unwrap().starts_with("max-age="));
    }

    async fn cors_allows_configured_origins_only(app: TestApp) {
        let preflight = |origin: &'static str| {
            app.client.request(reqwest::Method::OPTIONS, format!("{}/api/v1/health/", app.address))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "authorization,content-type")
                .send()
        };
        // The default test app has no CORS origins configured.
        let refused = preflight("http://localhost:3000").await.unwrap();
        assert!(refused.headers().get("access-control-allow-origin").is_none());
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
