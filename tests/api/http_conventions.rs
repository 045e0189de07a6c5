//! Conventions every endpoint shares: error format, request ids, trailing slashes.

mod shapes;

use crate::api_test;

api_test! {
    async fn unknown_routes_answer_json_not_found(app: TestApp) {
        let response = app.get("nope/").await;
        assert_eq!(response.status, 404);
        assert_eq!(
            response.body,
            serde_json::json!({"detail": "Not found.", "code": "not_found"})
        );
    }

    async fn a_wrong_method_is_405_with_the_method_named(app: TestApp) {
        let response = app
            .request(reqwest::Method::DELETE, "/health/", None, None)
            .await;
        assert_eq!(response.status, 405);
        assert_eq!(response.detail(), "Method \"DELETE\" not allowed.");
        assert_eq!(response.body["code"], "method_not_allowed");
    }

    async fn a_sane_request_id_is_echoed_and_a_bad_one_replaced(app: TestApp) {
        let response = app
            .client
            .get(format!("{}/health/liveness/", app.address))
            .header("x-request-id", "abc-123")
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["x-request-id"], "abc-123");
        let response = app
            .client
            .get(format!("{}/health/liveness/", app.address))
            .header("x-request-id", "bad id!")
            .send()
            .await
            .unwrap();
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_ne!(id, "bad id!");
        assert!(!id.is_empty());
    }
}

api_test! {
    async fn malformed_json_is_a_parse_error(app: TestApp) {
        let response = app
            .client
            .post(format!("{}/api/v1/auth/users/", app.address))
            .header("content-type", "application/json")
            .body("{\"email\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], "parse_error");
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .starts_with("JSON parse error - "),
            "{body}"
        );
    }

    async fn a_non_json_content_type_is_415(app: TestApp) {
        let response = app
            .client
            .post(format!("{}/api/v1/auth/users/", app.address))
            .header("content-type", "text/plain")
            .body("hello")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body["detail"],
            "Unsupported media type \"text/plain\" in request."
        );
        assert_eq!(body["code"], "unsupported_media_type");
    }

    async fn a_body_over_one_megabyte_is_413(app: TestApp) {
        let big = format!("{{\"email\": \"{}\"}}", "a".repeat(1024 * 1024 + 10));
        let response = app
            .client
            .post(format!("{}/api/v1/auth/users/", app.address))
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], "payload_too_large");
    }

    async fn a_body_that_is_not_an_object_is_a_validation_error(app: TestApp) {
        let response = app
            .request(
                reqwest::Method::POST,
                "auth/users/",
                None,
                Some(&serde_json::json!([1, 2])),
            )
            .await;
        assert_eq!(response.status, 400);
        assert!(response.body["non_field_errors"][0]
            .as_str()
            .unwrap()
            .contains("Expected a dictionary"));
    }

    async fn posting_without_the_trailing_slash_reaches_the_handler(app: TestApp) {
        let response = app
            .post(
                "auth/jwt/create",
                &serde_json::json!({"email": "nobody@example.com", "password": "x"}),
            )
            .await;
        assert_eq!(
            response.status, 401,
            "no redirect, the login handler answered: {:?}",
            response.body
        );
    }

    async fn an_unparseable_id_in_the_path_is_not_found(app: TestApp) {
        let user = app.create_customer().await;
        let response = app
            .get_as("users/addresses/not-a-number/", &user.token)
            .await;
        assert_eq!(response.status, 404);
        assert_eq!(response.body["code"], "not_found");
    }

    async fn unauthenticated_answers_name_the_bearer_scheme(app: TestApp) {
        let response = app.get("auth/users/me/").await;
        assert_eq!(response.status, 401);
        assert_eq!(
            response.body["detail"],
            "Authentication credentials were not provided."
        );
        assert!(response.headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer"));
    }

    async fn a_token_signed_with_another_key_is_rejected(app: TestApp) {
        let response = app
            .get_as(
                "auth/users/me/",
                "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.bad",
            )
            .await;
        assert_eq!(response.status, 401);
        assert_eq!(response.body["code"], "token_not_valid");
    }
}
