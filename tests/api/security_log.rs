//! The `nexus::security` log target: auth failures, `403`s, `429`s and refresh-token reuse each
//! leave one event carrying the request id, client IP and route, never a password or token.

use reqwest::Method;
use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::{Backend, TestApp, PASSWORD};
use crate::log_capture::{security_events, Fields};

/// Sends a request under a fresh `X-Request-Id`; answers the status and the security events
/// logged while serving it.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Vec<Fields>) {
    let id = format!("sec-{}", uuid::Uuid::new_v4().simple());
    let mut request = app
        .client
        .request(method, format!("{}/api/v1/{path}", app.address))
        .header("x-request-id", &id);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let status = request.send().await.unwrap().status().as_u16();
    (status, security_events(&id))
}

/// The single event of a request, checked for the context every event carries.
fn only_event(events: &[Fields], route: &str) -> Fields {
    assert_eq!(events.len(), 1, "{events:?}");
    let event = events[0].clone();
    assert_eq!(event["route"], route, "{event:?}");
    assert_eq!(event["client_ip"], "127.0.0.1", "{event:?}");
    event
}

api_test! {
    async fn a_failed_login_is_a_security_event_without_the_password(app: TestApp) {
        let user = app.create_customer().await;
        let body = json!({"email": user.email, "password": "Wrong-Password-123"});
        let (status, events) =
            send(&app, Method::POST, "auth/jwt/create/", None, Some(&body)).await;
        assert_eq!(status, 401);
        let event = only_event(&events, "/api/v1/auth/jwt/create/");
        assert_eq!(event["event"], "login_failed");
        assert_eq!(event["email_hash"].as_str().unwrap().len(), 16);
        let text = serde_json::to_string(&event).unwrap();
        assert!(
            !text.contains("Wrong-Password-123") && !text.contains(&user.email),
            "{text}"
        );

        let good = json!({"email": user.email, "password": PASSWORD});
        let (status, events) =
            send(&app, Method::POST, "auth/jwt/create/", None, Some(&good)).await;
        assert_eq!(status, 200);
        assert!(
            events.is_empty(),
            "a good login is not a security event: {events:?}"
        );
    }

    async fn a_bad_bearer_token_is_a_security_event_without_the_token(app: TestApp) {
        let (status, events) =
            send(&app, Method::GET, "auth/users/me/", Some("not.a.jwt"), None).await;
        assert_eq!(status, 401);
        let event = only_event(&events, "/api/v1/auth/users/me/");
        assert_eq!(event["event"], "token_rejected");
        assert_eq!(event["token_type"], "access");
        assert!(!serde_json::to_string(&event).unwrap().contains("not.a.jwt"));
    }

    async fn a_permission_denied_is_a_security_event_naming_the_user(app: TestApp) {
        let customer = app.create_customer().await;
        let (status, events) = send(
            &app,
            Method::GET,
            "admin/users/",
            Some(&customer.token),
            None,
        )
        .await;
        assert_eq!(status, 403);
        let event = only_event(&events, "/api/v1/admin/users/");
        assert_eq!(event["event"], "permission_denied");
        assert_eq!(event["user_id"], customer.id);
    }

    async fn a_reused_refresh_token_is_a_security_event(app: TestApp) {
        let user = app.create_customer().await;
        let refresh = crate::accounts::refresh_token_for(&app, &user.email).await;
        let body = json!({"refresh": refresh});
        let (status, events) =
            send(&app, Method::POST, "auth/jwt/refresh/", None, Some(&body)).await;
        assert_eq!(status, 200);
        assert!(events.is_empty(), "{events:?}");
        let (status, events) =
            send(&app, Method::POST, "auth/jwt/refresh/", None, Some(&body)).await;
        assert_eq!(status, 401);
        let event = only_event(&events, "/api/v1/auth/jwt/refresh/");
        assert_eq!(event["event"], "refresh_token_reused");
        assert_eq!(event["user_id"], user.id);
        assert!(!serde_json::to_string(&event).unwrap().contains(&refresh));
    }
}

#[tokio::test]
async fn a_rate_limited_request_is_a_security_event() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[
            ("RATE_LIMIT_ENABLED", "true"),
            ("RATE_LIMIT_LOGIN", "1/hour"),
        ],
    )
    .await
    .unwrap();
    let body = json!({"email": "nobody@example.com", "password": "Whatever-123"});
    let (status, _) = send(&app, Method::POST, "auth/jwt/create/", None, Some(&body)).await;
    assert_eq!(status, 401);
    let (status, events) = send(&app, Method::POST, "auth/jwt/create/", None, Some(&body)).await;
    assert_eq!(status, 429);
    let event = only_event(&events, "/api/v1/auth/jwt/create/");
    assert_eq!(event["event"], "throttled");
    assert_eq!(event["rule"], "login_ip");
    assert!(event["retry_after"].as_u64().unwrap() >= 1);
}
