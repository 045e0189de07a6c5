//! `auth/users/me/` (aliases `auth/profile/`, `users/profile/`, `.../profile/update/`).

use serde_json::json;

use crate::api_test;

api_test! {
    async fn the_profile_shows_the_signed_in_user(app: TestApp) {
        let user = app.create_customer().await;
        let response = app.get_as("auth/users/me/", &user.token).await;
        assert_eq!(response.status, 200);
        let mut keys: Vec<&str> = response
            .body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "date_joined",
                "email",
                "first_name",
                "id",
                "last_login",
                "last_name",
                "role",
                "username"
            ]
        );
        assert_eq!(response.body["email"], user.email);
        assert_eq!(response.body["role"], "customer");
        for alias in ["auth/profile/", "users/profile/", "auth/users/me"] {
            assert_eq!(
                app.get_as(alias, &user.token).await.body["id"],
                user.id,
                "{alias}"
            );
        }
    }

    async fn the_profile_needs_a_signed_in_user(app: TestApp) {
        let response = app.get("auth/users/me/").await;
        assert_eq!(response.status, 401);
        assert_eq!(
            response.body,
            json!({"detail": "Authentication credentials were not provided.", "code": "not_authenticated"})
        );
        assert!(response.headers.contains_key("www-authenticate"));
    }

    async fn patch_updates_names_and_silently_ignores_read_only_fields(app: TestApp) {
        let user = app.create_customer().await;
        let response = app.patch_as("users/profile/update/", &user.token, &json!({
            "first_name": " Grace ", "last_name": "Hopper",
            "email": "new@shop.example", "role": "admin", "id": 999, "date_joined": "2000-01-01T00:00:00Z",
        })).await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_eq!(response.body["first_name"], "Grace");
        assert_eq!(response.body["last_name"], "Hopper");
        assert_eq!(response.body["email"], user.email);
        assert_eq!(response.body["role"], "customer");
        assert_eq!(response.body["id"], user.id);
        assert_eq!(
            response.body["username"], user.username,
            "PATCH leaves unsent fields alone"
        );
        let renamed = app
            .patch_as(
                "auth/profile/update/",
                &user.token,
                &json!({"username": "graceh"}),
            )
            .await;
        assert_eq!(renamed.body["username"], "graceh");
        assert_eq!(renamed.body["first_name"], "Grace");
    }

    async fn put_requires_a_username(app: TestApp) {
        let user = app.create_customer().await;
        let response = app
            .put_as("auth/users/me/", &user.token, &json!({"first_name": "X"}))
            .await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({"username": ["This field is required."]})
        );
        let ok = app
            .put_as(
                "auth/users/me/",
                &user.token,
                &json!({"username": "putter", "first_name": "X"}),
            )
            .await;
        assert_eq!(ok.status, 200);
        assert_eq!(ok.body["username"], "putter");
    }

    async fn a_username_taken_by_someone_else_is_rejected_but_ones_own_is_fine(app: TestApp) {
        let user = app.create_customer().await;
        let other = app.create_customer().await;
        let response = app
            .patch_as(
                "auth/users/me/",
                &user.token,
                &json!({"username": other.username}),
            )
            .await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({"username": ["A user with that username already exists."]})
        );
        let own = app
            .patch_as(
                "auth/users/me/",
                &user.token,
                &json!({"username": user.username}),
            )
            .await;
        assert_eq!(own.status, 200);
        let blank = app
            .patch_as("auth/users/me/", &user.token, &json!({"username": ""}))
            .await;
        assert_eq!(
            blank.body,
            json!({"username": ["This field may not be blank."]})
        );
    }

    async fn a_taken_username_is_reported_with_the_other_field_errors(app: TestApp) {
        let user = app.create_customer().await;
        let other = app.create_customer().await;
        let response = app
            .patch_as(
                "auth/users/me/",
                &user.token,
                &json!({"username": other.username, "first_name": "x".repeat(151)}),
            )
            .await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({
                "username": ["A user with that username already exists."],
                "first_name": ["Ensure this field has no more than 150 characters."],
            })
        );
    }
}
