//! `POST auth/jwt/create/` (alias `auth/login/`).

use serde_json::json;

use super::login;
use crate::api_test;

const BAD_CREDENTIALS: &str = "No active account found with the given credentials";

api_test! {
    async fn logging_in_returns_a_token_pair_and_records_last_login(app: TestApp) {
        let user = app.create_customer().await;
        let response = login(&app, &user.email, PASSWORD).await;
        assert_eq!(response.status, 200, "{}", response.text);
        let access = response.body["access"].as_str().unwrap();
        assert!(response.body["refresh"].is_string());
        let me = app.get_as("auth/users/me/", access).await;
        assert_eq!(me.body["id"], user.id);
        assert!(me.body["last_login"].as_str().unwrap().ends_with('Z'));
    }

    async fn the_email_matches_ignoring_case_and_the_alias_path_works(app: TestApp) {
        let user = app.create_customer().await;
        let response = app
            .post(
                "auth/login/",
                &json!({"email": user.email.to_uppercase(), "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_eq!(
            app.post(
                "users/login/",
                &json!({"email": user.email, "password": PASSWORD})
            )
            .await
            .status,
            200
        );
    }

    async fn a_wrong_password_and_an_unknown_email_get_the_same_401(app: TestApp) {
        let user = app.create_customer().await;
        let wrong = login(&app, &user.email, "Not-the-password-1").await;
        let unknown = login(&app, "nobody@shop.example", PASSWORD).await;
        for response in [&wrong, &unknown] {
            assert_eq!(response.status, 401);
            assert_eq!(
                response.body,
                json!({"detail": BAD_CREDENTIALS, "code": "authentication_failed"})
            );
        }
    }

    async fn an_inactive_user_cannot_log_in(app: TestApp) {
        let user = app.create_customer().await;
        sqlx::query("UPDATE users SET is_active = FALSE WHERE id = $1")
            .bind(user.id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let response = login(&app, &user.email, PASSWORD).await;
        assert_eq!(response.status, 401);
        assert_eq!(response.detail(), BAD_CREDENTIALS);
    }

    async fn missing_login_fields_are_field_errors(app: TestApp) {
        let response = app.post("auth/jwt/create/", &json!({})).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({"email": ["This field is required."], "password": ["This field is required."]})
        );
    }

    async fn malformed_json_is_a_parse_error(app: TestApp) {
        let response = app
            .client
            .post(format!("{}/api/v1/auth/jwt/create/", app.address))
            .header("content-type", "application/json")
            .body("{\"email\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], "parse_error");
    }
}
