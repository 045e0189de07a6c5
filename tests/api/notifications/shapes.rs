//! The live stream's bodies: an event's `data:` (a notification) and a ticket.

use serde_json::json;

use super::stream_support::{notify, EventStream};
use crate::{api_test, assert_shape};

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
