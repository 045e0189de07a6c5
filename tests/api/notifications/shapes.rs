//! The notification response shapes (SPEC §3.6): a list page, one notification (read), the
//! unread count, mark-all-read, the preferences, and the live stream's event data and ticket.

use serde_json::json;

use super::stream_support::{notify, EventStream};
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

api_test! {
    async fn stream_event_and_ticket_shapes(app: TestApp) {
        let user = app.create_customer().await;
        let mut stream = EventStream::open(&app.address, Some(&user.token), "", None).await;
        notify(&app, user.id, "Order shipped").await;
        let event = stream.next_within(std::time::Duration::from_secs(1)).await.unwrap();
        assert_shape!(app, "stream_event_data", event.data);
        let mut ticket = app.post_as("notifications/stream/ticket/", &user.token, &json!({})).await.body;
        assert_eq!(ticket["ticket"].as_str().unwrap().len(), 43);
        ticket["ticket"] = json!("<ticket>");
        assert_shape!(app, "stream_ticket", ticket);
    }
}
