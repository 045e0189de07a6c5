//! `users/addresses/` (alias `auth/addresses/`): CRUD, `set_default/` and `default/`.

use serde_json::{json, Value};

use crate::api_test;
use crate::helpers::{TestApp, TestUser};

fn address(city: &str) -> Value {
    json!({
        "first_name": "Ada", "last_name": "Lovelace", "address_line_1": "12 St James's Square",
        "city": city, "postal_code": "SW1Y 4JH", "country": "GB",
    })
}

async fn create(app: &TestApp, user: &TestUser, city: &str) -> Value {
    let response = app
        .post_as("users/addresses/", &user.token, &address(city))
        .await;
    assert_eq!(response.status, 201, "{}", response.text);
    response.body
}

api_test! {
    async fn an_address_can_be_created_read_updated_and_deleted(app: TestApp) {
        let user = app.create_customer().await;
        let created = create(&app, &user, "London").await;
        let id = created["id"].as_i64().unwrap();
        assert_eq!(
            created,
            json!({
                "id": id, "first_name": "Ada", "last_name": "Lovelace",
                "address_line_1": "12 St James's Square",
                "address_line_2": "", "city": "London", "postal_code": "SW1Y 4JH", "country": "GB",
                "phone_number": "", "is_default": true,
            })
        );
        let path = format!("users/addresses/{id}/");
        assert_eq!(app.get_as(&path, &user.token).await.body, created);
        let patched = app
            .patch_as(
                &path,
                &user.token,
                &json!({"city": "Oxford", "phone_number": "+44 20 7946 0000"}),
            )
            .await;
        assert_eq!(patched.status, 200, "{}", patched.text);
        assert_eq!(patched.body["city"], "Oxford");
        assert_eq!(patched.body["first_name"], "Ada");
        assert_eq!(patched.body["phone_number"], "+44 20 7946 0000");
        let mut replacement = address("Cambridge");
        replacement["address_line_2"] = json!("Flat 2");
        let put = app.put_as(&path, &user.token, &replacement).await;
        assert_eq!(put.status, 200);
        assert_eq!(put.body["address_line_2"], "Flat 2");
        assert_eq!(
            put.body["phone_number"], "",
            "PUT resets omitted optional fields"
        );
        let deleted = app.delete_as(&path, &user.token).await;
        assert_eq!(deleted.status, 204);
        assert_eq!(app.get_as(&path, &user.token).await.status, 404);
    }

    async fn the_list_is_paginated_and_shows_only_ones_own_addresses(app: TestApp) {
        let user = app.create_customer().await;
        let other = app.create_customer().await;
        for city in ["A", "B", "C"] {
            create(&app, &user, city).await;
        }
        create(&app, &other, "Elsewhere").await;
        let page = app
            .get_as("users/addresses/?page_size=2", &user.token)
            .await;
        assert_eq!(page.status, 200);
        assert_eq!(page.body["count"], 3);
        assert_eq!(page.body["results"].as_array().unwrap().len(), 2);
        assert_eq!(
            page.body["results"][0]["city"], "A",
            "the default comes first"
        );
        assert!(page.body["next"].as_str().unwrap().contains("page=2"));
        assert_eq!(page.body["previous"], Value::Null);
    }

    async fn required_fields_are_reported_and_optional_ones_may_be_left_out(app: TestApp) {
        let user = app.create_customer().await;
        let response = app
            .post_as("users/addresses/", &user.token, &json!({"city": " "}))
            .await;
        assert_eq!(response.status, 400);
        assert_eq!(
            response.body,
            json!({
                "first_name": ["This field is required."],
                "last_name": ["This field is required."],
                "address_line_1": ["This field is required."],
                "city": ["This field may not be blank."],
                "postal_code": ["This field is required."],
                "country": ["This field is required."],
            })
        );
        let mut long = address("X");
        long["postal_code"] = json!("1".repeat(21));
        let response = app.post_as("users/addresses/", &user.token, &long).await;
        assert_eq!(
            response.body,
            json!({"postal_code": ["Ensure this field has no more than 20 characters."]})
        );
        let created = app
            .post_as("users/addresses/", &user.token, &address("X"))
            .await;
        let id = created.body["id"].as_i64().unwrap();
        let put = app
            .put_as(
                &format!("users/addresses/{id}/"),
                &user.token,
                &json!({"city": "Y"}),
            )
            .await;
        assert_eq!(put.status, 400, "PUT needs every required field");
        assert!(put.body["first_name"].is_array());
    }

    async fn another_users_address_is_not_found(app: TestApp) {
        let owner = app.create_customer().await;
        let intruder = app.create_customer().await;
        let id = create(&app, &owner, "Mine").await["id"].as_i64().unwrap();
        let path = format!("users/addresses/{id}/");
        assert_eq!(app.get_as(&path, &intruder.token).await.status, 404);
        assert_eq!(
            app.patch_as(&path, &intruder.token, &json!({"city": "Stolen"}))
                .await
                .status,
            404
        );
        assert_eq!(
            app.put_as(&path, &intruder.token, &address("Stolen"))
                .await
                .status,
            404
        );
        assert_eq!(app.delete_as(&path, &intruder.token).await.status, 404);
        let response = app
            .post_as(
                &format!("users/addresses/{id}/set_default/"),
                &intruder.token,
                &json!({}),
            )
            .await;
        assert_eq!(response.status, 404);
        assert_eq!(
            response.body,
            json!({"detail": "Not found.", "code": "not_found"})
        );
        assert_eq!(app.get_as(&path, &owner.token).await.body["city"], "Mine");
        assert_eq!(
            app.get_as("users/addresses/abc/", &owner.token)
                .await
                .status,
            404
        );
    }

    async fn another_users_address_is_a_404_whatever_the_body_says(app: TestApp) {
        let owner = app.create_customer().await;
        let intruder = app.create_customer().await;
        let id = create(&app, &owner, "Mine").await["id"].as_i64().unwrap();
        let path = format!("users/addresses/{id}/");
        let bad = json!({"city": "", "is_default": "perhaps"});
        assert_eq!(app.patch_as(&path, &intruder.token, &bad).await.status, 404);
        assert_eq!(app.put_as(&path, &intruder.token, &bad).await.status, 404);
        assert_eq!(app.patch_as(&path, &owner.token, &bad).await.status, 400);
    }

    async fn only_one_address_is_ever_the_default(app: TestApp) {
        let user = app.create_customer().await;
        let first = create(&app, &user, "First").await;
        let second = create(&app, &user, "Second").await;
        assert_eq!(
            first["is_default"], true,
            "the first address becomes the default"
        );
        assert_eq!(second["is_default"], false);
        let id2 = second["id"].as_i64().unwrap();
        let response = app
            .post_as(
                &format!("users/addresses/{id2}/set_default/"),
                &user.token,
                &json!({}),
            )
            .await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_eq!(response.body["is_default"], true);
        let default = app.get_as("users/addresses/default/", &user.token).await;
        assert_eq!(default.body["id"], id2);
        let mut third = address("Third");
        third["is_default"] = json!(true);
        let third = app
            .post_as("users/addresses/", &user.token, &third)
            .await
            .body;
        assert_eq!(third["is_default"], true);
        let list = app.get_as("users/addresses/", &user.token).await.body;
        let defaults: Vec<&Value> = list["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["is_default"] == true)
            .collect();
        assert_eq!(defaults.len(), 1);
        assert_eq!(defaults[0]["id"], third["id"]);
        let first_path = format!("users/addresses/{}/", first["id"]);
        let patched = app
            .patch_as(&first_path, &user.token, &json!({"is_default": true}))
            .await;
        assert_eq!(patched.body["is_default"], true);
        assert_eq!(
            app.get_as("users/addresses/default/", &user.token)
                .await
                .body["id"],
            first["id"]
        );
    }

    async fn default_is_404_when_there_is_none(app: TestApp) {
        let user = app.create_customer().await;
        let response = app.get_as("users/addresses/default/", &user.token).await;
        assert_eq!(response.status, 404);
        assert_eq!(
            response.body,
            json!({"detail": "No default address found.", "code": "not_found"})
        );
        let id = create(&app, &user, "Only").await["id"].as_i64().unwrap();
        assert_eq!(
            app.get_as("users/addresses/default/", &user.token)
                .await
                .status,
            200
        );
        app.delete_as(&format!("users/addresses/{id}/"), &user.token)
            .await;
        assert_eq!(
            app.get_as("users/addresses/default/", &user.token)
                .await
                .status,
            404
        );
    }

    async fn addresses_need_a_signed_in_user(app: TestApp) {
        assert_eq!(app.get("users/addresses/").await.status, 401);
        assert_eq!(
            app.post("users/addresses/", &address("X")).await.status,
            401
        );
        assert_eq!(app.get("users/addresses/default/").await.status, 401);
        assert_eq!(app.get("users/addresses/1/").await.status, 401);
    }

    async fn the_auth_prefixed_alias_paths_work(app: TestApp) {
        let user = app.create_customer().await;
        let created = app
            .post_as("auth/addresses/", &user.token, &address("Alias"))
            .await;
        assert_eq!(created.status, 201);
        let id = created.body["id"].as_i64().unwrap();
        let second = app
            .post_as("auth/addresses/", &user.token, &address("Alias2"))
            .await
            .body;
        assert_eq!(
            app.get_as("auth/addresses/", &user.token).await.body["count"],
            2
        );
        assert_eq!(
            app.get_as(&format!("auth/addresses/{id}/"), &user.token)
                .await
                .body["city"],
            "Alias"
        );
        let set = app
            .post_as(
                &format!("auth/addresses/{}/set_default/", second["id"]),
                &user.token,
                &json!({}),
            )
            .await;
        assert_eq!(set.status, 200);
        assert_eq!(
            app.get_as("auth/addresses/default/", &user.token)
                .await
                .body["id"],
            second["id"]
        );
        assert_eq!(
            app.delete_as(&format!("auth/addresses/{id}"), &user.token)
                .await
                .status,
            204
        );
    }

    async fn concurrent_default_changes_leave_exactly_one_default(app: TestApp) {
        let user = app.create_customer().await;
        let a = create(&app, &user, "A").await["id"].as_i64().unwrap();
        let b = create(&app, &user, "B").await["id"].as_i64().unwrap();
        let paths: Vec<String> = (0..10)
            .map(|n| {
                format!(
                    "users/addresses/{}/set_default/",
                    if n % 2 == 0 { a } else { b }
                )
            })
            .collect();
        let empty = json!({});
        let requests = paths
            .iter()
            .map(|path| app.post_as(path, &user.token, &empty));
        for response in futures_util::future::join_all(requests).await {
            assert_eq!(response.status, 200, "{}", response.text);
        }
        let defaults: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM addresses WHERE user_id = $1 AND is_default = TRUE",
        )
        .bind(user.id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(defaults, 1);
    }
}
