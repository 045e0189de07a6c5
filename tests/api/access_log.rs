//! The access line: one per request, naming the authenticated user when there is one.

use crate::api_test;
use crate::helpers::TestApp;
use crate::log_capture::access_line;

/// `GET /api/v1/<path>` under a fresh `X-Request-Id`; answers the status and the access line.
async fn get_logged(app: &TestApp, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
    let id = format!("acc-{}", uuid::Uuid::new_v4().simple());
    let mut request = app
        .client
        .get(format!("{}/api/v1/{path}", app.address))
        .header("x-request-id", &id);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let status = request.send().await.unwrap().status().as_u16();
    let line = access_line(&id).unwrap_or_else(|| panic!("no access line for {id}"));
    (status, serde_json::Value::Object(line))
}

api_test! {
    async fn the_access_line_names_the_authenticated_user(app: TestApp) {
        let user = app.create_customer().await;
        let (status, line) = get_logged(&app, "auth/users/me/", Some(&user.token)).await;
        assert_eq!(status, 200);
        assert_eq!(line["user_id"], user.id, "{line}");
        assert_eq!(line["route"], "/api/v1/auth/users/me/");
        assert_eq!(line["client_ip"], "127.0.0.1");
        assert_eq!(line["status"], 200);
    }

    async fn the_access_line_of_an_anonymous_or_refused_request_has_no_user(app: TestApp) {
        let (status, line) = get_logged(&app, "products/", None).await;
        assert_eq!(status, 200);
        assert!(line.get("user_id").is_none(), "{line}");
        let (status, line) = get_logged(&app, "auth/users/me/", Some("not.a.jwt")).await;
        assert_eq!(status, 401);
        assert!(line.get("user_id").is_none(), "{line}");
        assert_eq!(line["status"], 401);
    }
}
