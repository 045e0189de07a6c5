//! `notifications/preferences/`: the defaults, PUT and PATCH (both partial), validation in DRF's
//! words, and that the stored preferences are the ones delivery obeys.

use serde_json::{json, Value};

use crate::api_test;

const PATH: &str = "notifications/preferences/";

fn defaults() -> Value {
    json!({
        "email_enabled": true,
        "in_app_enabled": true,
        "order_updates": true,
        "review_updates": true,
        "marketing": true,
        "digest": "none",
    })
}

api_test! {
    async fn a_user_who_changed_nothing_has_the_defaults(app: TestApp) {
        let ann = app.create_customer().await;
        let preferences = app.get_as(PATH, &ann.token).await;
        assert_eq!(preferences.status, 200, "{}", preferences.text);
        assert_eq!(preferences.body, defaults());
    }

    async fn put_changes_the_preferences_and_get_reads_them_back(app: TestApp) {
        let ann = app.create_customer().await;
        let body = json!({
            "email_enabled": false, "in_app_enabled": true, "order_updates": false,
            "review_updates": false, "marketing": false, "digest": "daily",
        });
        let put = app.put_as(PATH, &ann.token, &body).await;
        assert_eq!(put.status, 200, "{}", put.text);
        assert_eq!(put.body, body);
        assert_eq!(app.get_as(PATH, &ann.token).await.body, body);
        let other = app.create_customer().await;
        assert_eq!(app.get_as(PATH, &other.token).await.body, defaults(), "per user");
    }

    async fn fields_left_out_of_a_put_keep_their_value(app: TestApp) {
        let ann = app.create_customer().await;
        let first = app.put_as(PATH, &ann.token, &json!({"marketing": false, "digest": "weekly"})).await;
        assert_eq!(first.status, 200, "{}", first.text);
        let mut expected = defaults();
        expected["marketing"] = json!(false);
        expected["digest"] = json!("weekly");
        assert_eq!(first.body, expected);
        let second = app.put_as(PATH, &ann.token, &json!({"email_enabled": false})).await;
        assert_eq!(second.status, 200, "{}", second.text);
        expected["email_enabled"] = json!(false);
        assert_eq!(second.body, expected, "marketing and digest kept");
        let empty = app.put_as(PATH, &ann.token, &json!({})).await;
        assert_eq!(empty.body, expected, "an empty PUT changes nothing");
    }

    async fn patch_changes_only_the_fields_given(app: TestApp) {
        let ann = app.create_customer().await;
        let patched = app.patch_as(PATH, &ann.token, &json!({"review_updates": "false"})).await;
        assert_eq!(patched.status, 200, "{}", patched.text);
        let mut expected = defaults();
        expected["review_updates"] = json!(false);
        assert_eq!(patched.body, expected);
        let again = app.patch_as(PATH, &ann.token, &json!({"digest": "none", "marketing": 0})).await;
        expected["marketing"] = json!(false);
        assert_eq!(again.body, expected);
        assert_eq!(app.get_as(PATH, &ann.token).await.body, expected);
    }

    async fn read_only_and_unknown_fields_are_ignored(app: TestApp) {
        let ann = app.create_customer().await;
        let bob = app.create_customer().await;
        let body = json!({"user": bob.id, "user_id": bob.id, "updated_at": 0, "colour": "red"});
        let put = app.put_as(PATH, &ann.token, &body).await;
        assert_eq!(put.status, 200, "{}", put.text);
        assert_eq!(put.body, defaults());
        let owner: i64 = sqlx::query_scalar("SELECT user_id FROM notification_preferences")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(owner, ann.id, "the row is the caller's whatever the body says");
    }

    async fn wrong_types_and_unknown_digests_are_field_errors(app: TestApp) {
        let ann = app.create_customer().await;
        let body = json!({
            "email_enabled": "perhaps", "in_app_enabled": null, "order_updates": [true],
            "review_updates": 2, "marketing": {}, "digest": "hourly",
        });
        let expected = json!({
            "email_enabled": ["Must be a valid boolean."],
            "in_app_enabled": ["This field may not be null."],
            "order_updates": ["Must be a valid boolean."],
            "review_updates": ["Must be a valid boolean."],
            "marketing": ["Must be a valid boolean."],
            "digest": ["\"hourly\" is not a valid choice."],
        });
        for method in ["PUT", "PATCH"] {
            let response = match method {
                "PUT" => app.put_as(PATH, &ann.token, &body).await,
                _ => app.patch_as(PATH, &ann.token, &body).await,
            };
            assert_eq!(response.status, 400, "{method}: {}", response.text);
            assert_eq!(response.body, expected, "{method}");
        }
        for (digest, message) in [
            (json!("Daily"), "\"Daily\" is not a valid choice."),
            (json!(""), "\"\" is not a valid choice."),
            (json!(7), "\"7\" is not a valid choice."),
            (json!(null), "This field may not be null."),
        ] {
            let response = app.put_as(PATH, &ann.token, &json!({"digest": digest})).await;
            assert_eq!(response.status, 400, "{digest}: {}", response.text);
            assert_eq!(response.body, json!({"digest": [message]}), "{digest}");
        }
        let list = app.put_as(PATH, &ann.token, &json!([])).await;
        assert_eq!(list.status, 400, "{}", list.text);
        assert_eq!(
            list.body,
            json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]})
        );
        let rejected_mixed = app
            .put_as(PATH, &ann.token, &json!({"marketing": false, "digest": "hourly"}))
            .await;
        assert_eq!(rejected_mixed.status, 400, "{}", rejected_mixed.text);
        assert_eq!(app.get_as(PATH, &ann.token).await.body, defaults(), "a rejected body changes nothing");
    }

    async fn malformed_json_is_a_parse_error(app: TestApp) {
        let ann = app.create_customer().await;
        let response = app
            .client
            .put(format!("{}/api/v1/{PATH}", app.address))
            .bearer_auth(&ann.token)
            .header("content-type", "application/json")
            .body("{\"marketing\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "parse_error");
    }

    async fn stored_preferences_decide_what_is_delivered(app: TestApp) {
        use nexus::notifications::NotificationType;
        let ann = app.create_customer().await;
        let off = app.patch_as(PATH, &ann.token, &json!({"order_updates": false})).await;
        assert_eq!(off.status, 200, "{}", off.text);
        let order = app.notification(&ann).kind(NotificationType::Order).try_create().await;
        assert_eq!(order, None, "order updates are off");
        assert!(app.notification(&ann).kind(NotificationType::Review).try_create().await.is_some());
        app.put_as(PATH, &ann.token, &json!({"in_app_enabled": false})).await;
        assert_eq!(app.notification(&ann).try_create().await, None, "in-app is off");
        app.put_as(PATH, &ann.token, &json!({"in_app_enabled": true, "order_updates": true})).await;
        assert!(app.notification(&ann).kind(NotificationType::Order).try_create().await.is_some());
    }

    async fn racing_partial_updates_of_different_fields_all_land(app: TestApp) {
        let ann = app.create_customer().await;
        let changes = [
            json!({"email_enabled": false}),
            json!({"in_app_enabled": false}),
            json!({"order_updates": false}),
            json!({"review_updates": false}),
            json!({"marketing": false}),
            json!({"digest": "weekly"}),
        ];
        let url = format!("{}/api/v1/{PATH}", app.address);
        let tasks: Vec<_> = changes
            .into_iter()
            .map(|body| {
                let request = app.client.put(&url).bearer_auth(&ann.token).json(&body);
                tokio::spawn(async move { request.send().await.unwrap().status() })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), 200);
        }
        let all_changed = json!({
            "email_enabled": false, "in_app_enabled": false, "order_updates": false,
            "review_updates": false, "marketing": false, "digest": "weekly",
        });
        assert_eq!(app.get_as(PATH, &ann.token).await.body, all_changed, "no update was lost");
    }
}
