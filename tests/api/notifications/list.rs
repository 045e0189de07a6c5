//! `GET notifications/`: the caller's own notifications, newest first, filtered and paginated;
//! and the token every notification endpoint requires.

use reqwest::Method;
use serde_json::json;

use super::ids;
use crate::api_test;

api_test! {
    async fn the_list_holds_only_the_callers_notifications_newest_first(app: TestApp) {
        let ann = app.create_customer().await;
        let bob = app.create_customer().await;
        let first = app.notification(&ann).title("First").create().await;
        app.notification(&bob).title("Bob's").create().await;
        let second = app.notification(&ann).title("Second").create().await;
        let list = app.get_as("notifications/", &ann.token).await;
        assert_eq!(list.status, 200, "{}", list.text);
        assert_eq!(list.body["count"], 2);
        assert_eq!(ids(&list.body), vec![second, first]);
        assert_eq!(list.body["results"][0]["title"], "Second");
        assert_eq!(list.body["results"][0]["is_read"], false);
        assert_eq!(list.body["results"][0]["read_at"], json!(null));
    }

    async fn is_read_filters_read_and_unread_notifications(app: TestApp) {
        let ann = app.create_customer().await;
        let read = app.notification(&ann).title("Read").create().await;
        let unread = app.notification(&ann).title("Unread").create().await;
        let marked = app.post_as(&format!("notifications/{read}/read/"), &ann.token, &json!({})).await;
        assert_eq!(marked.status, 200, "{}", marked.text);
        for (query, expected) in [
            ("is_read=false", vec![unread]),
            ("is_read=true", vec![read]),
            ("is_read=False", vec![unread]),
            ("is_read=1", vec![read]),
            ("is_read=0", vec![unread]),
            ("is_read=", vec![unread, read]),
        ] {
            let list = app.get_as(&format!("notifications/?{query}"), &ann.token).await;
            assert_eq!(list.status, 200, "{query}: {}", list.text);
            assert_eq!(ids(&list.body), expected, "{query}");
            assert_eq!(list.body["count"], expected.len(), "{query}");
        }
    }

    async fn an_is_read_that_is_not_a_boolean_is_a_field_error(app: TestApp) {
        let ann = app.create_customer().await;
        for value in ["maybe", "yes", "2"] {
            let list = app.get_as(&format!("notifications/?is_read={value}"), &ann.token).await;
            assert_eq!(list.status, 400, "{value}: {}", list.text);
            assert_eq!(list.body, json!({"is_read": ["Must be a valid boolean."]}), "{value}");
        }
    }

    async fn the_list_is_paginated_with_the_drf_envelope(app: TestApp) {
        let ann = app.create_customer().await;
        let mut created = Vec::new();
        for n in 0..5 {
            created.push(app.notification(&ann).title(&format!("N{n}")).create().await);
        }
        created.reverse();
        let first = app.get_as("notifications/?page_size=2&is_read=false", &ann.token).await;
        assert_eq!(first.status, 200, "{}", first.text);
        assert_eq!(first.body["count"], 5);
        assert_eq!(ids(&first.body), created[..2]);
        assert_eq!(
            first.body["next"],
            format!("{}/api/v1/notifications/?is_read=false&page=2&page_size=2", app.address)
        );
        assert_eq!(first.body["previous"], json!(null));
        let last = app.get_as("notifications/?page_size=2&page=3", &ann.token).await;
        assert_eq!(ids(&last.body), created[4..]);
        assert_eq!(last.body["next"], json!(null));
        let past = app.get_as("notifications/?page_size=2&page=4", &ann.token).await;
        assert_eq!(past.status, 404, "{}", past.text);
        assert_eq!(past.detail(), "Invalid page.");
        let bad = app.get_as("notifications/?page=0", &ann.token).await;
        assert_eq!(bad.status, 400, "{}", bad.text);
    }

    async fn an_empty_list_is_an_empty_first_page(app: TestApp) {
        let ann = app.create_customer().await;
        let list = app.get_as("notifications/", &ann.token).await;
        assert_eq!(list.status, 200, "{}", list.text);
        assert_eq!(list.body, json!({"count": 0, "next": null, "previous": null, "results": []}));
    }

    async fn every_notification_endpoint_needs_a_token(app: TestApp) {
        let ann = app.create_customer().await;
        let id = app.notification(&ann).create().await;
        let body = json!({"marketing": false});
        let endpoints = [
            (Method::GET, "notifications/".to_owned()),
            (Method::POST, format!("notifications/{id}/read/")),
            (Method::POST, "notifications/mark-all-read/".to_owned()),
            (Method::DELETE, format!("notifications/{id}/")),
            (Method::GET, "notifications/unread-count/".to_owned()),
            (Method::GET, "notifications/preferences/".to_owned()),
            (Method::PUT, "notifications/preferences/".to_owned()),
            (Method::PATCH, "notifications/preferences/".to_owned()),
        ];
        for (method, path) in endpoints {
            for token in [None, Some("not-a-token")] {
                let response = app.request(method.clone(), &path, token, Some(&body)).await;
                assert_eq!(response.status, 401, "{method} {path} {token:?}: {}", response.text);
                assert!(response.headers.contains_key("www-authenticate"), "{method} {path}");
            }
        }
        let unread = app.get_as("notifications/unread-count/", &ann.token).await;
        assert_eq!(unread.body["count"], 1, "nothing was read or deleted without a token");
        let preferences = app.get_as("notifications/preferences/", &ann.token).await;
        assert_eq!(preferences.body["marketing"], true, "nothing was changed without a token");
    }

    async fn paths_without_the_trailing_slash_work(app: TestApp) {
        let ann = app.create_customer().await;
        let id = app.notification(&ann).create().await;
        let list = app.get_as("notifications", &ann.token).await;
        assert_eq!(ids(&list.body), vec![id], "{}", list.text);
        let count = app.get_as("notifications/unread-count", &ann.token).await;
        assert_eq!(count.body, json!({"count": 1}), "{}", count.text);
        let read = app.post_as(&format!("notifications/{id}/read"), &ann.token, &json!({})).await;
        assert_eq!(read.status, 200, "{}", read.text);
        let all = app.post_as("notifications/mark-all-read", &ann.token, &json!({})).await;
        assert_eq!(all.status, 200, "{}", all.text);
        let prefs = app.patch_as("notifications/preferences", &ann.token, &json!({"marketing": false})).await;
        assert_eq!(prefs.status, 200, "{}", prefs.text);
        let deleted = app.delete_as(&format!("notifications/{id}"), &ann.token).await;
        assert_eq!(deleted.status, 204, "{}", deleted.text);
    }
}
