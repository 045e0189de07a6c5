//! `POST auth/users/` (aliases `auth/register/`, `users/register/`).

use serde_json::json;

use super::{new_user, register, STRONG};
use crate::api_test;

api_test! {
    async fn registering_answers_201_with_the_user_and_a_working_token_pair(app: TestApp) {
        let response = register(&app, &new_user("ada")).await;
        assert_eq!(response.status, 201, "{}", response.text);
        let user = &response.body["user"];
        assert_eq!(user["email"], "ada@shop.example");
        assert_eq!(user["username"], "ada");
        assert_eq!(user["first_name"], "Ada");
        assert_eq!(user["last_name"], "Lovelace");
        assert_eq!(user["role"], "customer");
        assert!(user["id"].as_i64().unwrap() > 0);
        assert!(user["date_joined"].as_str().unwrap().ends_with('Z'));
        assert_eq!(user["last_login"], serde_json::Value::Null);
        let access = response.body["access"].as_str().unwrap();
        assert!(response.body["refresh"].is_string());
        let me = app.get_as("auth/users/me/", access).await;
        assert_eq!(me.status, 200);
        assert_eq!(me.body["email"], "ada@shop.example");
        let refreshed = app
            .post(
                "auth/jwt/refresh/",
                &json!({"refresh": response.body["refresh"]}),
            )
            .await;
        assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    }

    async fn the_django_alias_paths_register_too(app: TestApp) {
        assert_eq!(
            app.post("auth/register/", &new_user("viaauth"))
                .await
                .status,
            201
        );
        assert_eq!(
            app.post("users/register/", &new_user("viausers"))
                .await
                .status,
            201
        );
        assert_eq!(
            app.post("auth/register", &new_user("noslash")).await.status,
            201
        );
    }

    async fn every_missing_required_field_is_reported_at_once(app: TestApp) {
        let response = register(&app, &json!({})).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({
                "email": ["This field is required."],
                "username": ["This field is required."],
                "password": ["This field is required."],
            })
        );
    }

    async fn blank_fields_are_reported_as_blank(app: TestApp) {
        let response = register(&app, &json!({"email": " ", "username": "", "password": ""})).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({
                "email": ["This field may not be blank."],
                "username": ["This field may not be blank."],
                "password": ["This field may not be blank."],
            })
        );
    }

    async fn an_invalid_email_or_username_is_rejected(app: TestApp) {
        let mut body = new_user("bad");
        body["email"] = json!("not-an-email");
        body["username"] = json!("has space");
        let response = register(&app, &body).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body["email"],
            json!(["Enter a valid email address."])
        );
        assert_eq!(response.body["username"], json!([
            "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ \
             characters."
        ]));
    }

    async fn an_email_already_registered_in_any_case_is_rejected(app: TestApp) {
        assert_eq!(register(&app, &new_user("first")).await.status, 201);
        let mut body = new_user("second");
        body["email"] = json!("FIRST@Shop.Example");
        let response = register(&app, &body).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({"email": ["user with this email already exists."]})
        );
    }

    async fn a_taken_username_is_rejected(app: TestApp) {
        assert_eq!(register(&app, &new_user("taken")).await.status, 201);
        let mut body = new_user("other");
        body["username"] = json!("taken");
        let response = register(&app, &body).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({"username": ["A user with that username already exists."]})
        );
    }

    async fn field_errors_taken_values_and_password_rules_come_in_one_response(app: TestApp) {
        assert_eq!(register(&app, &new_user("first")).await.status, 201);
        let mut body = new_user("second");
        body["email"] = json!("first@shop.example");
        body["username"] = json!("has space");
        body["password"] = json!("12345678");
        body["password_confirm"] = json!("12345678");
        let response = register(&app, &body).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({
                "email": ["user with this email already exists."],
                "username": ["Enter a valid username. This value may contain only letters, \
                    numbers, and @/./+/-/_ characters."],
                "password": ["This password is too common.", "This password is entirely numeric."],
            })
        );
        // The field errors first, then the database's checks, then the password rules.
        let at = |key: &str| response.text.find(key).unwrap();
        assert!(at("\"username\"") < at("\"email\"") && at("\"email\"") < at("\"password\""));
    }

    async fn weak_passwords_get_djangos_messages(app: TestApp) {
        let mut body = new_user("weak");
        body["password"] = json!("123456");
        body["password_confirm"] = json!("123456");
        let response = register(&app, &body).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({"password": [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ]})
        );
        body["password"] = json!("Password123");
        body["password_confirm"] = json!("Password123");
        assert_eq!(
            register(&app, &body).await.body,
            json!({"password": ["This password is too common."]})
        );
    }

    async fn a_password_resembling_the_username_or_email_is_rejected(app: TestApp) {
        let mut body = new_user("marguerite");
        body["password"] = json!("Marguerite77");
        let response = register(&app, &body).await;
        assert_eq!(
            response.body,
            json!({"password": ["The password is too similar to the username."]})
        );
        let mut body = new_user("zed");
        body["email"] = json!("zed@quintessential.example");
        body["password"] = json!("quintessential");
        let response = register(&app, &body).await;
        assert_eq!(
            response.body,
            json!({"password": ["The password is too similar to the email address."]})
        );
    }

    async fn a_mismatched_confirmation_is_a_non_field_error_and_an_absent_one_is_fine(
        app: TestApp,
    ) {
        let mut body = new_user("mismatch");
        body["password_confirm"] = json!("Something-else-42");
        let response = register(&app, &body).await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({"non_field_errors": ["Passwords don't match."]})
        );
        let mut body = new_user("noconfirm");
        body.as_object_mut().unwrap().remove("password_confirm");
        assert_eq!(register(&app, &body).await.status, 201);
    }

    async fn a_role_or_staff_flag_in_the_body_is_ignored(app: TestApp) {
        let mut body = new_user("sneaky");
        body["role"] = json!("admin");
        body["is_staff"] = json!(true);
        body["is_superuser"] = json!(true);
        let response = register(&app, &body).await;
        assert_eq!(response.status, 201);
        assert_eq!(response.body["user"]["role"], "customer");
        let token = response.body["access"].as_str().unwrap();
        assert_eq!(app.get_as("admin/users/", token).await.status, 403);
    }

    async fn the_stored_password_is_an_argon2id_hash(app: TestApp) {
        assert_eq!(register(&app, &new_user("hashed")).await.status, 201);
        let hash: String =
            sqlx::query_scalar("SELECT password_hash FROM users WHERE username = $1")
                .bind("hashed")
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains(STRONG));
    }
}
