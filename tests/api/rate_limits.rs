//! Rate limits (SPEC §3.8, §5): 429 + Retry-After + the DRF body, the login/registration/reset
//! rules, the login account budgets spent only by failures, IPv6 clients per /64,
//! trusted-proxy handling, per-user limits, the switch, and
//! Redis shared across instances (when `TEST_REDIS_URL` is set) or unreachable. Rules that don't
//! touch the database run on both limiter backends (in-process, and Redis when configured).
//!
//! The harness turns rate limiting off; every test here turns it on explicitly.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, TestResponse};

async fn spawn(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
    let mut settings = vec![("RATE_LIMIT_ENABLED", "true")];
    settings.extend_from_slice(extra);
    TestApp::spawn_with(backend, &settings).await
}

/// `POST auth/jwt/create/` with a wrong password, optionally claiming a forwarded client IP.
async fn login(app: &TestApp, email: &str, forwarded_for: Option<&str>) -> TestResponse {
    let mut request = app
        .client
        .post(format!("{}/api/v1/auth/jwt/create/", app.address))
        .json(&json!({"email": email, "password": "Wrong-Password-123"}));
    if let Some(ip) = forwarded_for {
        request = request.header("x-forwarded-for", ip);
    }
    send(request).await
}

async fn send(request: reqwest::RequestBuilder) -> TestResponse {
    let response = request.send().await.expect("the server answers");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    TestResponse {
        status,
        headers,
        body,
        text,
    }
}

/// A SPEC §2 throttling answer: 429, `Retry-After: N` (1 ≤ N ≤ max) and the DRF message.
fn assert_throttled(response: &TestResponse, max_wait: u64) {
    assert_eq!(
        response.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        response.text
    );
    let retry_after: u64 = response.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=max_wait).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    assert_eq!(
        response.body,
        json!({
            "detail": format!("Request was throttled. Expected available in {retry_after} seconds."),
            "code": "throttled",
        })
    );
    assert_eq!(response.headers["x-content-type-options"], "nosniff");
    assert!(response.headers.get("x-request-id").is_some());
}

async fn sixth_login_from_one_ip_is_throttled(backend: Backend) {
    let Some(app) = spawn(backend, &[]).await else {
        return;
    };
    // Different accounts, so only the per-IP rule can refuse; aliases count with the canonical path.
    for i in 0..5 {
        let response = if i % 2 == 0 {
            login(&app, &format!("user{i}@shop.example"), None).await
        } else {
            app.post(
                "auth/login/",
                &json!({"email": format!("user{i}@shop.example"), "password": "Wrong-Password-123"}),
            )
            .await
        };
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "attempt {}",
            i + 1
        );
    }
    let sixth = login(&app, "someone-else@shop.example", None).await;
    assert_throttled(&sixth, 300);
    // Other endpoints are still open for this IP.
    assert_eq!(app.get("products/").await.status, StatusCode::OK);
}

#[tokio::test]
async fn sixth_login_from_one_ip_is_throttled_sqlite() {
    sixth_login_from_one_ip_is_throttled(Backend::Sqlite).await
}

#[tokio::test]
async fn sixth_login_from_one_ip_is_throttled_postgres() {
    sixth_login_from_one_ip_is_throttled(Backend::Postgres).await
}

/// `POST auth/jwt/create/` with `password`, from the client IP `ip` (through the trusted proxy).
async fn login_from(app: &TestApp, email: &str, password: &str, ip: &str) -> TestResponse {
    send(
        app.client
            .post(format!("{}/api/v1/auth/jwt/create/", app.address))
            .header("x-forwarded-for", ip)
            .json(&json!({"email": email, "password": password})),
    )
    .await
}

/// Every limiter backend, with the per-IP login rule out of the way (so only the account
/// budgets can refuse) and `extra`.
async fn account_budget_apps(extra: &[(&str, &str)]) -> Vec<TestApp> {
    let mut settings = vec![("RATE_LIMIT_LOGIN", "100/5minutes")];
    settings.extend_from_slice(extra);
    let mut apps = Vec::new();
    for limiter in limiter_backends() {
        apps.push(spawn_limited(&limiter, &settings).await);
    }
    apps
}

#[tokio::test]
async fn wrong_guesses_from_one_ip_lock_that_ip_out_of_the_account_but_not_the_owner() {
    for app in account_budget_apps(&[]).await {
        let owner = app.create_customer().await;
        let attacker = "203.0.113.66";
        for i in 1..=5 {
            let email = if i % 2 == 0 {
                owner.email.to_uppercase()
            } else {
                owner.email.clone()
            };
            let response = login_from(&app, &email, "Wrong-Password-123", attacker).await;
            assert_eq!(response.status, StatusCode::UNAUTHORIZED, "guess {i}");
        }
        // The attacker's IP is locked out of this account, even with the right password...
        assert_throttled(
            &login_from(&app, &owner.email, "Wrong-Password-123", attacker).await,
            300,
        );
        let right = login_from(&app, &owner.email, crate::helpers::PASSWORD, attacker).await;
        assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
        // ...but not out of other accounts (it is not the per-IP rule)...
        let other = login_from(&app, "other@shop.example", "Wrong-Password-123", attacker).await;
        assert_eq!(other.status, StatusCode::UNAUTHORIZED);
        // ...and the owner, on their own IP, logs in.
        let owner_login =
            login_from(&app, &owner.email, crate::helpers::PASSWORD, "198.51.100.7").await;
        assert_eq!(owner_login.status, StatusCode::OK, "{}", owner_login.text);
    }
}

#[tokio::test]
async fn successful_logins_spend_no_account_budget() {
    for app in account_budget_apps(&[]).await {
        let user = app.create_customer().await;
        let ip = "203.0.113.20";
        for _ in 0..4 {
            let wrong = login_from(&app, &user.email, "Wrong-Password-123", ip).await;
            assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        }
        for i in 0..6 {
            let right = login_from(&app, &user.email, crate::helpers::PASSWORD, ip).await;
            assert_eq!(right.status, StatusCode::OK, "success {i}: {}", right.text);
        }
        // The fifth failure is still allowed: the six successes spent nothing.
        let fifth = login_from(&app, &user.email, "Wrong-Password-123", ip).await;
        assert_eq!(fifth.status, StatusCode::UNAUTHORIZED, "{}", fifth.text);
        assert_throttled(
            &login_from(&app, &user.email, crate::helpers::PASSWORD, ip).await,
            300,
        );
    }
}

#[tokio::test]
async fn failed_logins_from_all_ips_share_an_hourly_account_budget() {
    for app in account_budget_apps(&[("RATE_LIMIT_LOGIN_ACCOUNT", "3/hour")]).await {
        let user = app.create_customer().await;
        for i in 1..=3 {
            let response = login_from(
                &app,
                &user.email,
                "Wrong-Password-123",
                &format!("203.0.113.{i}"),
            )
            .await;
            assert_eq!(response.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        // A fourth IP, even with the right password: the account is being guessed at.
        let right = login_from(&app, &user.email, crate::helpers::PASSWORD, "203.0.113.100").await;
        assert_throttled(&right, 3600);
        let other = login_from(
            &app,
            "other@shop.example",
            "Wrong-Password-123",
            "203.0.113.101",
        )
        .await;
        assert_eq!(other.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn the_global_account_budget_defaults_to_fifty_failures_an_hour() {
    let app = account_budget_apps(&[]).await.remove(0);
    let user = app.create_customer().await;
    // Ten IPs, five failures each: no single IP's budget is exceeded.
    for n in 0..50 {
        let ip = format!("203.0.113.{}", n / 5 + 1);
        let response = login_from(&app, &user.email, "Wrong-Password-123", &ip).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "failure {n}");
    }
    let right = login_from(&app, &user.email, crate::helpers::PASSWORD, "203.0.113.200").await;
    assert_throttled(&right, 3600);
}

#[tokio::test]
async fn ipv6_clients_share_a_limit_per_64() {
    for limiter in limiter_backends() {
        let app = spawn_limited(&limiter, &[("RATE_LIMIT_ANON", "2/minute")]).await;
        let get_from = |ip: &'static str| {
            send(
                app.client
                    .get(format!("{}/api/v1/products/", app.address))
                    .header("x-forwarded-for", ip),
            )
        };
        assert_eq!(get_from("2001:db8:1:2::1").await.status, StatusCode::OK);
        assert_eq!(
            get_from("2001:db8:1:2:ffff::9").await.status,
            StatusCode::OK
        );
        // A third address in the same /64 is the same client.
        assert_throttled(&get_from("2001:db8:1:2::abcd").await, 60);
        // Another /64 is another client.
        assert_eq!(get_from("2001:db8:1:3::1").await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn ipv6_login_attempts_are_limited_per_64() {
    for limiter in limiter_backends() {
        let app = spawn_limited(&limiter, &[]).await;
        for i in 1..=5 {
            let ip = format!("2001:db8:7:7::{i:x}");
            let response = login_from(
                &app,
                &format!("u{i}@shop.example"),
                "Wrong-Password-123",
                &ip,
            )
            .await;
            assert_eq!(response.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        assert_throttled(
            &login_from(
                &app,
                "u6@shop.example",
                "Wrong-Password-123",
                "2001:db8:7:7::ff",
            )
            .await,
            300,
        );
        let elsewhere = login_from(
            &app,
            "u7@shop.example",
            "Wrong-Password-123",
            "2001:db8:7:8::1",
        )
        .await;
        assert_eq!(elsewhere.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn registration_and_password_reset_allow_three_an_hour_per_ip() {
    for limiter in limiter_backends() {
        registration_and_password_reset_allow_three_an_hour_per_ip_with(
            spawn_limited(&limiter, &[]).await,
        )
        .await;
    }
}

async fn registration_and_password_reset_allow_three_an_hour_per_ip_with(app: TestApp) {
    for i in 0..3 {
        // Invalid bodies still count: the limit is on attempts.
        let path = if i == 1 {
            "auth/register/"
        } else {
            "auth/users/"
        };
        assert_eq!(
            app.post(path, &json!({})).await.status,
            StatusCode::BAD_REQUEST
        );
    }
    assert_throttled(&app.post("auth/users/", &json!({})).await, 3600);
    for _ in 0..3 {
        let response = app
            .post(
                "auth/password/reset/",
                &json!({"email": "ghost@shop.example"}),
            )
            .await;
        assert!(response.status.is_success(), "{}", response.text);
    }
    assert_throttled(
        &app.post(
            "users/password/reset/",
            &json!({"email": "ghost@shop.example"}),
        )
        .await,
        3600,
    );
    // GET on the registration path is not the registration rule.
    assert_ne!(
        app.get("auth/users/").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_bypass() {
    let app = spawn(Backend::Sqlite, &[("TRUSTED_PROXIES", "10.9.9.9")])
        .await
        .unwrap();
    for i in 1..=5 {
        let response = login(
            &app,
            &format!("user{i}@shop.example"),
            Some(&format!("198.51.100.{i}")),
        )
        .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let sixth = login(&app, "user6@shop.example", Some("198.51.100.6")).await;
    assert_throttled(&sixth, 300);
}

#[tokio::test]
async fn a_forwarded_for_from_a_trusted_proxy_separates_clients() {
    for limiter in limiter_backends() {
        a_forwarded_for_from_a_trusted_proxy_separates_clients_with(
            spawn_limited(&limiter, &[("RATE_LIMIT_ANON", "2/minute")]).await,
        )
        .await;
    }
}

async fn a_forwarded_for_from_a_trusted_proxy_separates_clients_with(app: TestApp) {
    let get_from = |ip: &'static str| {
        send(
            app.client
                .get(format!("{}/api/v1/products/", app.address))
                // The left-most entry is client-written; the right-most untrusted one counts.
                .header("x-forwarded-for", format!("1.1.1.1, {ip}")),
        )
    };
    assert_eq!(get_from("192.0.2.1").await.status, StatusCode::OK);
    assert_eq!(get_from("192.0.2.1").await.status, StatusCode::OK);
    assert_throttled(&get_from("192.0.2.1").await, 60);
    assert_eq!(get_from("192.0.2.2").await.status, StatusCode::OK);
}

#[tokio::test]
async fn health_metrics_docs_and_media_are_never_limited() {
    for limiter in limiter_backends() {
        health_metrics_docs_and_media_are_never_limited_with(
            spawn_limited(
                &limiter,
                &[
                    ("RATE_LIMIT_ANON", "2/minute"),
                    ("RATE_LIMIT_BURST", "2/minute"),
                ],
            )
            .await,
        )
        .await;
    }
}

async fn health_metrics_docs_and_media_are_never_limited_with(app: TestApp) {
    for _ in 0..5 {
        for path in [
            "/health/",
            "/health/liveness/",
            "/api/v1/health/",
            "/api/v1/schema/",
            "/api/v1/docs/",
        ] {
            let response = app.get(path).await;
            assert_ne!(response.status, StatusCode::TOO_MANY_REQUESTS, "{path}");
            assert!(response.status.is_success(), "{path}: {}", response.status);
        }
        let media = app.get("/media/missing.png").await;
        assert_ne!(media.status, StatusCode::TOO_MANY_REQUESTS);
    }
    assert_eq!(app.get("products/").await.status, StatusCode::OK);
    assert_eq!(app.get("products/").await.status, StatusCode::OK);
    assert_throttled(&app.get("products/").await, 60);
}

#[tokio::test]
async fn rate_limit_enabled_false_turns_everything_off() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("RATE_LIMIT_ENABLED", "false"),
            ("RATE_LIMIT_LOGIN", "1/hour"),
            ("RATE_LIMIT_ANON", "1/hour"),
        ],
    )
    .await
    .unwrap();
    for i in 0..8 {
        let response = login(&app, "same@shop.example", None).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        assert_eq!(app.get("products/").await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn authenticated_users_are_limited_per_user_not_per_ip() {
    for limiter in limiter_backends() {
        authenticated_users_are_limited_per_user_not_per_ip_with(
            spawn_limited(
                &limiter,
                &[
                    ("RATE_LIMIT_USER", "3/minute"),
                    ("RATE_LIMIT_ANON", "100/minute"),
                ],
            )
            .await,
        )
        .await;
    }
}

async fn authenticated_users_are_limited_per_user_not_per_ip_with(app: TestApp) {
    let alice = app.create_customer().await;
    let bob = app.create_customer().await;
    let me = |token: &str, ip: &str| {
        send(
            app.client
                .get(format!("{}/api/v1/auth/users/me/", app.address))
                .bearer_auth(token)
                .header("x-forwarded-for", ip),
        )
    };
    // Alice from three different IPs: one budget.
    for ip in ["192.0.2.1", "192.0.2.2", "192.0.2.3"] {
        assert_eq!(me(&alice.token, ip).await.status, StatusCode::OK);
    }
    assert_throttled(&me(&alice.token, "192.0.2.4").await, 60);
    // Bob, from Alice's IP, and anonymous callers from it, are unaffected.
    assert_eq!(me(&bob.token, "192.0.2.1").await.status, StatusCode::OK);
    let anonymous = send(
        app.client
            .get(format!("{}/api/v1/products/", app.address))
            .header("x-forwarded-for", "192.0.2.1"),
    )
    .await;
    assert_eq!(anonymous.status, StatusCode::OK);
    // A forged token is anonymous for the limiter (and 401 for the handler), not throttled.
    let forged = me("not-a-token", "192.0.2.1").await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unreachable_redis_degrades_to_in_process_limiting() {
    let app = spawn(Backend::Sqlite, &[("REDIS_URL", "redis://127.0.0.1:1")])
        .await
        .unwrap();
    for i in 1..=5 {
        let response = login(&app, &format!("user{i}@shop.example"), None).await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "attempt {i}: {}",
            response.text
        );
    }
    assert_throttled(&login(&app, "user6@shop.example", None).await, 300);
    assert_eq!(app.get("products/").await.status, StatusCode::OK);
}

/// The limiter state backends a test runs on: in-process always, and Redis (with a key prefix of
/// its own) when `TEST_REDIS_URL` is set.
fn limiter_backends() -> Vec<Vec<(&'static str, String)>> {
    let mut backends = vec![Vec::new()];
    if let Some(url) = test_redis_url() {
        let prefix = format!("nexus-test-{}:", uuid::Uuid::new_v4().simple());
        backends.push(vec![
            ("REDIS_URL", url),
            ("RATE_LIMIT_REDIS_PREFIX", prefix),
        ]);
    }
    backends
}

/// A SQLite app with rate limiting on, the limiter's backend settings and `extra`.
async fn spawn_limited(limiter: &[(&'static str, String)], extra: &[(&str, &str)]) -> TestApp {
    let mut settings: Vec<(&str, &str)> = limiter.iter().map(|(k, v)| (*k, v.as_str())).collect();
    settings.extend_from_slice(extra);
    spawn(Backend::Sqlite, &settings).await.unwrap()
}

fn test_redis_url() -> Option<String> {
    let url = std::env::var("TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!("TEST_REDIS_URL is not set: skipping this Redis test");
    }
    url
}

#[tokio::test]
async fn two_instances_sharing_redis_share_the_login_limit() {
    let Some(redis_url) = test_redis_url() else {
        return;
    };
    let prefix = format!("nexus-test-{}:", uuid::Uuid::new_v4().simple());
    let settings = [
        ("REDIS_URL", redis_url.as_str()),
        ("RATE_LIMIT_REDIS_PREFIX", prefix.as_str()),
        ("RATE_LIMIT_LOGIN_ACCOUNT", "5/hour"),
    ];
    let first = spawn(Backend::Sqlite, &settings).await.unwrap();
    let second = spawn(Backend::Sqlite, &settings).await.unwrap();
    for i in 1..=5 {
        let app = if i <= 3 { &first } else { &second };
        let response = login(app, &format!("user{i}@shop.example"), None).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // Each instance alone has seen fewer than 5 attempts; together they have seen 5.
    assert_throttled(&login(&second, "user6@shop.example", None).await, 300);
    assert_throttled(&login(&first, "user7@shop.example", None).await, 300);

    // The per-account failure budget is shared too (different client IPs through the trusted
    // proxy).
    for i in 1..=5 {
        let app = if i % 2 == 0 { &first } else { &second };
        let response = login(app, "target@shop.example", Some(&format!("203.0.113.{i}"))).await;
        assert_eq!(
            response.status,
            StatusCode::UNAUTHORIZED,
            "account attempt {i}"
        );
    }
    assert_throttled(
        &login(&first, "target@shop.example", Some("203.0.113.50")).await,
        3600,
    );
}

#[tokio::test]
async fn redis_keys_expire_once_the_bucket_is_full_again() {
    let Some(redis_url) = test_redis_url() else {
        return;
    };
    let prefix = format!("nexus-test-{}:", uuid::Uuid::new_v4().simple());
    let app = spawn(
        Backend::Sqlite,
        &[
            ("REDIS_URL", redis_url.as_str()),
            ("RATE_LIMIT_REDIS_PREFIX", prefix.as_str()),
            ("RATE_LIMIT_ANON", "2/2s"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(app.get("products/").await.status, StatusCode::OK);
    assert_eq!(app.get("products/").await.status, StatusCode::OK);
    assert_throttled(&app.get("products/").await, 2);
    let client = redis::Client::open(redis_url.as_str()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let key = format!("{prefix}anon:127.0.0.1");
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(
        (1..=2100).contains(&ttl),
        "{key} has a TTL within the period: {ttl}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    assert_eq!(
        app.get("products/").await.status,
        StatusCode::OK,
        "replenished"
    );
}
