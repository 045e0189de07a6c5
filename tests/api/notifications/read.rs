//! Reading one or all notifications, deleting, and the unread count; someone else's
//! notification is `404`, never `403`, and stays as it was.

use serde_json::{json, Value};

use super::ids;
use crate::{
    api_test,
    fixtures::race_post,
    helpers::{TestApp, TestUser},
};

/// `(is_read, read_at)` of a notification, straight from the database.
async fn stored(app: &TestApp, id: i64) -> Option<(bool, Option<i64>)> {
    sqlx::query_as::<_, (nexus::db::Flag, Option<i64>)>(
        "SELECT is_read, read_at FROM notifications WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&app.db.pool)
    .await
    .unwrap()
    .map(|(is_read, read_at)| (is_read.0, read_at))
}

async fn unread_count(app: &TestApp, user: &TestUser) -> Value {
    let response = app.get_as("notifications/unread-count/", &user.token).await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.body["count"].clone()
}

api_test! {
    async fn reading_a_notification_marks_it_read_once(app: TestApp) {
        let ann = app.create_customer().await;
        let id = app.notification(&ann).title("Shipped").create().await;
        let path = format!("notifications/{id}/read/");
        let read = app.post_as(&path, &ann.token, &json!({})).await;
        assert_eq!(read.status, 200, "{}", read.text);
        assert_eq!(read.body["id"], id);
        assert_eq!(read.body["title"], "Shipped");
        assert_eq!(read.body["is_read"], true);
        let read_at = read.body["read_at"].as_str().expect("read_at is set").to_owned();
        assert!(read_at.ends_with('Z'), "RFC 3339 UTC: {read_at}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let again = app.post_as(&path, &ann.token, &json!({})).await;
        assert_eq!(again.status, 200, "{}", again.text);
        assert_eq!(again.body["read_at"], read_at.as_str(), "the first read_at is kept");
        let list = app.get_as("notifications/", &ann.token).await;
        assert_eq!(list.body["results"][0]["read_at"], read_at.as_str());
    }

    async fn another_users_notification_is_not_found_and_left_alone(app: TestApp) {
        let ann = app.create_customer().await;
        let mallory = app.create_customer().await;
        let id = app.notification(&ann).create().await;
        let read = app.post_as(&format!("notifications/{id}/read/"), &mallory.token, &json!({})).await;
        assert_eq!(read.status, 404, "{}", read.text);
        assert_eq!(read.body, json!({"detail": "Not found.", "code": "not_found"}));
        let deleted = app.delete_as(&format!("notifications/{id}/"), &mallory.token).await;
        assert_eq!(deleted.status, 404, "{}", deleted.text);
        assert_eq!(deleted.body["code"], "not_found");
        assert_eq!(stored(&app, id).await, Some((false, None)), "still there, still unread");
        let staff = app.create_staff().await;
        let as_staff = app.post_as(&format!("notifications/{id}/read/"), &staff.token, &json!({})).await;
        assert_eq!(as_staff.status, 404, "staff read only their own: {}", as_staff.text);
    }

    async fn unknown_or_malformed_ids_are_not_found(app: TestApp) {
        let ann = app.create_customer().await;
        for path in ["notifications/999999/read/", "notifications/abc/read/"] {
            let read = app.post_as(path, &ann.token, &json!({})).await;
            assert_eq!(read.status, 404, "{path}: {}", read.text);
        }
        for path in ["notifications/999999/", "notifications/-1/"] {
            let deleted = app.delete_as(path, &ann.token).await;
            assert_eq!(deleted.status, 404, "{path}: {}", deleted.text);
        }
    }

    async fn mark_all_read_marks_only_the_callers_unread_notifications(app: TestApp) {
        let ann = app.create_customer().await;
        let bob = app.create_customer().await;
        let early = app.notification(&ann).create().await;
        app.notification(&ann).create().await;
        app.notification(&ann).create().await;
        let bobs = app.notification(&bob).create().await;
        let first = app.post_as(&format!("notifications/{early}/read/"), &ann.token, &json!({})).await;
        let early_read_at = first.body["read_at"].clone();
        let marked = app.post_as("notifications/mark-all-read/", &ann.token, &json!({})).await;
        assert_eq!(marked.status, 200, "{}", marked.text);
        assert_eq!(marked.body, json!({"marked": 2}));
        assert_eq!(unread_count(&app, &ann).await, 0);
        let unread = app.get_as("notifications/?is_read=false", &ann.token).await;
        assert_eq!(unread.body["count"], 0);
        let list = app.get_as("notifications/", &ann.token).await;
        let early_now = &list.body["results"][2];
        assert_eq!(early_now["id"], early);
        assert_eq!(early_now["read_at"], early_read_at, "an earlier read keeps its time");
        assert_eq!(stored(&app, bobs).await, Some((false, None)), "someone else's stays unread");
        assert_eq!(unread_count(&app, &bob).await, 1);
        let again = app.post_as("notifications/mark-all-read/", &ann.token, &json!({})).await;
        assert_eq!(again.body, json!({"marked": 0}));
    }

    async fn racing_mark_all_reads_mark_each_notification_once(app: TestApp) {
        let ann = app.create_customer().await;
        for _ in 0..12 {
            app.notification(&ann).create().await;
        }
        let url = format!("{}/api/v1/notifications/mark-all-read/", app.address);
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (client, url, token) = (app.client.clone(), url.clone(), ann.token.clone());
                tokio::spawn(race_post(client, url, token, json!({}), None))
            })
            .collect();
        let mut total = 0;
        for task in tasks {
            let (status, body) = task.await.unwrap();
            assert_eq!(status, 200, "{body}");
            total += body["marked"].as_i64().unwrap();
        }
        assert_eq!(total, 12, "every notification counted by exactly one request");
        assert_eq!(unread_count(&app, &ann).await, 0);
    }

    async fn deleting_a_notification_removes_it(app: TestApp) {
        let ann = app.create_customer().await;
        let kept = app.notification(&ann).create().await;
        let gone = app.notification(&ann).create().await;
        let deleted = app.delete_as(&format!("notifications/{gone}/"), &ann.token).await;
        assert_eq!(deleted.status, 204, "{}", deleted.text);
        assert!(deleted.text.is_empty());
        assert_eq!(stored(&app, gone).await, None);
        let list = app.get_as("notifications/", &ann.token).await;
        assert_eq!(ids(&list.body), vec![kept]);
        let twice = app.delete_as(&format!("notifications/{gone}/"), &ann.token).await;
        assert_eq!(twice.status, 404, "{}", twice.text);
        let read = app.post_as(&format!("notifications/{gone}/read/"), &ann.token, &json!({})).await;
        assert_eq!(read.status, 404, "{}", read.text);
    }

    async fn the_unread_count_follows_new_reads_and_deletes(app: TestApp) {
        let ann = app.create_customer().await;
        let bob = app.create_customer().await;
        assert_eq!(unread_count(&app, &ann).await, 0);
        let a = app.notification(&ann).create().await;
        let b = app.notification(&ann).create().await;
        let c = app.notification(&ann).create().await;
        app.notification(&bob).create().await;
        assert_eq!(unread_count(&app, &ann).await, 3);
        app.post_as(&format!("notifications/{a}/read/"), &ann.token, &json!({})).await;
        assert_eq!(unread_count(&app, &ann).await, 2);
        app.delete_as(&format!("notifications/{b}/"), &ann.token).await;
        assert_eq!(unread_count(&app, &ann).await, 1);
        app.delete_as(&format!("notifications/{a}/"), &ann.token).await;
        assert_eq!(unread_count(&app, &ann).await, 1, "deleting a read one changes nothing");
        app.post_as(&format!("notifications/{c}/read/"), &ann.token, &json!({})).await;
        assert_eq!(unread_count(&app, &ann).await, 0);
        assert_eq!(unread_count(&app, &bob).await, 1);
    }

    async fn the_services_platform_aliases_delete_and_count_like_the_canonical_paths(app: TestApp) {
        let ann = app.create_customer().await;
        let mallory = app.create_customer().await;
        let kept = app.notification(&ann).create().await;
        let gone = app.notification(&ann).create().await;
        let count = app.get_as("notifications/api/count/", &ann.token).await;
        assert_eq!(count.status, 200, "{}", count.text);
        assert_eq!(count.body, app.get_as("notifications/unread-count/", &ann.token).await.body);
        assert_eq!(count.body["count"], 2);
        let no_slash = app.get_as("notifications/api/count", &ann.token).await;
        assert_eq!(no_slash.body["count"], 2, "{}", no_slash.text);
        let anonymous = app.get("notifications/api/count/").await;
        assert_eq!(anonymous.status, 401, "{}", anonymous.text);

        let theirs = app.delete_as(&format!("notifications/{gone}/delete/"), &mallory.token).await;
        assert_eq!(theirs.status, 404, "{}", theirs.text);
        let deleted = app.delete_as(&format!("notifications/{gone}/delete/"), &ann.token).await;
        assert_eq!(deleted.status, 204, "{}", deleted.text);
        assert_eq!(stored(&app, gone).await, None);
        let twice = app.delete_as(&format!("notifications/{gone}/delete"), &ann.token).await;
        assert_eq!(twice.status, 404, "{}", twice.text);
        assert_eq!(unread_count(&app, &ann).await, 1);
        assert!(stored(&app, kept).await.is_some());
    }
}
