//! The SPEC §2 error bodies as snapshots: the field map of a validation error and the
//! `{detail, code}` body of 400 (parse error), 401, 403, 404, 405, 409, 413, 415 and 429.

use serde_json::{json, Value};

use crate::helpers::{Backend, TestApp, POSTGRES_UNSET};
use crate::{api_test, assert_shape};

/// A raw POST to `auth/users/` with `content_type` and `body`: status and JSON body.
async fn post_raw(app: &TestApp, content_type: &str, body: String) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/api/v1/auth/users/", app.address))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

api_test! {
    async fn validation_error_400_is_a_field_map(app: TestApp) {
        let staff = app.create_staff().await;
        let body = json!({"title": "", "price": "-1", "stock_quantity": -1});
        let response = app.post_as("products/", &staff.token, &body).await;
        assert_eq!(response.status, 400, "{}", response.text);
        assert_shape!(app, "error_400_validation", response.body);
        let registration = app
            .post("auth/users/", &json!({"email": "not-an-email"}))
            .await;
        assert_eq!(registration.status, 400, "{}", registration.text);
        assert_shape!(app, "error_400_registration", registration.body);
    }

    async fn parse_error_400(app: TestApp) {
        let (status, body) = post_raw(&app, "application/json", "{\"email\": ".into()).await;
        assert_eq!(status, 400);
        assert_shape!(app, "error_400_parse", body);
    }

    async fn unauthenticated_401_and_forbidden_403(app: TestApp) {
        let response = app.get("auth/users/me/").await;
        assert_eq!(response.status, 401);
        assert_shape!(app, "error_401", response.body);
        let invalid = app.get_as("auth/users/me/", "not.a.token").await;
        assert_eq!(invalid.status, 401);
        assert_shape!(app, "error_401_invalid_token", invalid.body);
        let customer = app.create_customer().await;
        let response = app.post_as("products/", &customer.token, &json!({})).await;
        assert_eq!(response.status, 403);
        assert_shape!(app, "error_403", response.body);
    }

    async fn not_found_404_and_invalid_page(app: TestApp) {
        let response = app.get("nope/").await;
        assert_eq!(response.status, 404);
        assert_shape!(app, "error_404", response.body);
        let page = app.get("products/?page=9").await;
        assert_eq!(page.status, 404);
        assert_shape!(app, "error_404_invalid_page", page.body);
    }

    async fn method_not_allowed_405(app: TestApp) {
        let response = app
            .request(reqwest::Method::DELETE, "/health/", None, None)
            .await;
        assert_eq!(response.status, 405);
        assert_shape!(app, "error_405", response.body);
    }

    async fn conflict_409(app: TestApp) {
        let staff = app.create_staff().await;
        let pen = app.product().stock(1).create().await;
        let body = json!({"delta": -2, "reason": "lost"});
        let response = app
            .post_as(&format!("products/{pen}/stock/"), &staff.token, &body)
            .await;
        assert_eq!(response.status, 409, "{}", response.text);
        assert_shape!(app, "error_409_insufficient_stock", response.body);
    }

    async fn payload_too_large_413(app: TestApp) {
        let big = format!("{{\"email\": \"{}\"}}", "a".repeat(1024 * 1024 + 10));
        let (status, body) = post_raw(&app, "application/json", big).await;
        assert_eq!(status, 413);
        assert_shape!(app, "error_413", body);
    }

    async fn unsupported_media_type_415(app: TestApp) {
        let (status, body) = post_raw(&app, "text/plain", "hello".into()).await;
        assert_eq!(status, 415);
        assert_shape!(app, "error_415", body);
    }
}

/// The sixth login from one address within five minutes is throttled; the wait in the message
/// varies, so it is replaced by `N`.
async fn throttled_429(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, &[("RATE_LIMIT_ENABLED", "true")]).await else {
        panic!("{POSTGRES_UNSET}");
    };
    let body = json!({"email": "nobody@example.com", "password": "Wrong-Password-123"});
    let mut response = app.post("auth/jwt/create/", &body).await;
    for _ in 0..5 {
        response = app.post("auth/jwt/create/", &body).await;
    }
    assert_eq!(response.status, 429, "{}", response.text);
    let mut body = response.body.clone();
    let detail: String = body["detail"]
        .as_str()
        .unwrap()
        .replace(|c: char| c.is_ascii_digit(), "");
    body["detail"] = detail.replace("in  seconds", "in N seconds").into();
    assert_shape!(app, "error_429", body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_429_sqlite() {
    throttled_429(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(nexus_test_postgres), ignore = "TEST_DATABASE_URL is not set")]
async fn throttled_429_postgres() {
    throttled_429(Backend::Postgres).await
}
