//! The notification response shapes (SPEC §3.6): a list page, one notification (read), the
//! unread count, mark-all-read and the preferences.

use serde_json::json;

use crate::{api_test, assert_shape};

api_test! {
    async fn notification_shapes(app: TestApp) {
        use nexus::notifications::NotificationType;
        let ann = app.create_customer().await;
        let id = app
            .notification(&ann)
            .kind(NotificationType::Order)
            .title("Order shipped")
            .message("Your order NX-1 is on its way.")
            .action_url("/orders/1")
            .create()
            .await;
        let list = app.get_as("notifications/", &ann.token).await;
        assert_eq!(list.status, 200, "{}", list.text);
        assert_shape!(app, "notification_list_page", list.body);
        let read = app.post_as(&format!("notifications/{id}/read/"), &ann.token, &json!({})).await;
        assert_eq!(read.status, 200, "{}", read.text);
        assert_shape!(app, "notification_read", read.body);
        let count = app.get_as("notifications/unread-count/", &ann.token).await;
        assert_eq!(count.status, 200, "{}", count.text);
        assert_shape!(app, "notification_unread_count", count.body);
        app.notification(&ann).create().await;
        let marked = app.post_as("notifications/mark-all-read/", &ann.token, &json!({})).await;
        assert_eq!(marked.status, 200, "{}", marked.text);
        assert_shape!(app, "notification_mark_all_read", marked.body);
    }

    async fn preferences_shape(app: TestApp) {
        let ann = app.create_customer().await;
        let preferences = app.get_as("notifications/preferences/", &ann.token).await;
        assert_eq!(preferences.status, 200, "{}", preferences.text);
        assert_shape!(app, "notification_preferences", preferences.body);
    }
}
