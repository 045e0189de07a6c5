//! Conventions every endpoint shares: error format, request ids, trailing slashes.

use crate::api_test;

api_test! {
    async fn unknown_routes_answer_json_not_found(app: TestApp) {
        let response = app.get("nope/").await;
        assert_eq!(response.status, 404);
        assert_eq!(response.body, serde_json::json!({"detail": "Not found.", "code": "not_found"}));
    }

    async fn a_wrong_method_is_405_with_the_method_named(app: TestApp) {
        let response = app.request(reqwest::Method::DELETE, "/health/", None, None).await;
        assert_eq!(response.status, 405);
        assert_eq!(response.detail(), "Method \"DELETE\" not allowed.");
        assert_eq!(response.body["code"], "method_not_allowed");
    }

    async fn a_sane_request_id_is_echoed_and_a_bad_one_replaced(app: TestApp) {
        let response = app.client.get(format!("{}/health/liveness/", app.address))
            .header("x-request-id", "abc-123").send().await.unwrap();
        assert_eq!(response.headers()["x-request-id"], "abc-123");
        let response = app.client.get(format!("{}/health/liveness/", app.address))
            .header("x-request-id", "bad id!").send().await.unwrap();
        let id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_ne!(id, "bad id!");
        assert!(!id.is_empty());
    }
}
