//! Helpers of the live stream tests: making notifications the way domain events do, and reading
//! a Server-Sent Events body incrementally.

use std::time::Duration;

use nexus::notifications::{notify_user, Notice, NotificationType};
use reqwest::header::HeaderMap;
use serde_json::Value;

use crate::helpers::TestApp;

/// Writes a notification for `user_id` in a transaction, commits, then announces it: what a
/// domain event does. Returns its id.
pub async fn notify(app: &TestApp, user_id: i64, title: &str) -> i64 {
    notify_with_message(app, user_id, title, "Something happened.").await
}

pub async fn notify_with_message(app: &TestApp, user_id: i64, title: &str, message: &str) -> i64 {
    let mut tx = app.db.begin_write().await.unwrap();
    let notice = Notice {
        kind: NotificationType::Order,
        title: title.to_owned(),
        message: message.to_owned(),
        action_url: "/orders/1".to_owned(),
        email: None,
    };
    let announcement = notify_user(&mut tx, user_id, &notice).await.unwrap();
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM notifications WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    announcement.announce(&app.state().live);
    id
}

/// One event of the stream: its `id:`, `event:` and parsed `data:`.
#[derive(Debug)]
pub struct SseEvent {
    pub id: i64,
    pub event: String,
    pub data: Value,
}

/// An open stream, read chunk by chunk as the server sends it.
pub struct EventStream {
    pub headers: HeaderMap,
    response: reqwest::Response,
    buffer: String,
    /// Comment lines seen so far (keep-alives).
    pub comments: usize,
}

impl EventStream {
    /// Opens `notifications/stream/` under `base` (an app's address) with `token` or
    /// `query` and optional `Last-Event-ID`; panics unless `200`.
    pub async fn open(
        base: &str,
        token: Option<&str>,
        query: &str,
        last_event_id: Option<i64>,
    ) -> EventStream {
        let client = reqwest::Client::new();
        let mut request = client.get(format!("{base}/api/v1/notifications/stream/{query}"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id.to_string());
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        EventStream {
            headers: response.headers().clone(),
            response,
            buffer: String::new(),
            comments: 0,
        }
    }

    /// The next event within `within`; `None` when the stream ended. Panics on a timeout.
    pub async fn next_within(&mut self, within: Duration) -> Option<SseEvent> {
        tokio::time::timeout(within, self.next())
            .await
            .expect("no event arrived in time")
    }

    /// Whether an event arrives within `within` (a timeout is `false`).
    pub async fn has_event_within(&mut self, within: Duration) -> bool {
        tokio::time::timeout(within, self.next()).await.is_ok()
    }

    async fn next(&mut self) -> Option<SseEvent> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = self.parse(&block) {
                    return Some(event);
                }
                continue;
            }
            let chunk = self.response.chunk().await.unwrap()?;
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// An event block, or `None` for a comment-only block.
    fn parse(&mut self, block: &str) -> Option<SseEvent> {
        let (mut id, mut event, mut data) = (None, String::new(), String::new());
        for line in block.lines() {
            if line.starts_with(':') {
                self.comments += 1;
            } else if let Some(value) = line.strip_prefix("id: ") {
                id = Some(value.parse().unwrap());
            } else if let Some(value) = line.strip_prefix("event: ") {
                event = value.to_owned();
            } else if let Some(value) = line.strip_prefix("data: ") {
                data.push_str(value);
            }
        }
        Some(SseEvent {
            id: id?,
            event,
            data: serde_json::from_str(&data).unwrap(),
        })
    }
}
