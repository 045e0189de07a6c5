//! The work of one open stream: read the user's notifications the client has not had, in id
//! order, and hand them to the response body through a bounded channel; then wait for the hub.
//!
//! Bounds: the channel holds [`BUFFERED_EVENTS`] events. A client that stops reading fills the
//! socket, then the server's write buffer, then the channel; when an event has waited
//! [`SLOW_CLIENT_TIMEOUT`] for room, the stream is ended rather than buffered further. The client
//! gets what was buffered, then the end of the stream, and reconnects with `Last-Event-ID`.
//!
//! Late commits: ids come from a sequence, so on PostgreSQL a transaction can commit a
//! notification with a lower id than one already streamed (two checkouts telling the same staff
//! member about low stock). The cursor therefore also re-reads the user's notifications written
//! in the last [`LATE_COMMIT_WINDOW`] below its position, and sends those it has not seen.

use std::{collections::BTreeMap, time::Duration};

use axum::response::sse::Event;
use sqlx::AnyPool;
use tokio::sync::mpsc;

use super::{
    store::{self, NotificationRow},
    views::NotificationView,
};
use crate::{db::now_micros, live::Subscription, state::AppState};

/// Events waiting for a client that isn't reading, beyond what the socket holds.
pub(super) const BUFFERED_EVENTS: usize = 32;
/// How long an event may wait for room before the stream is ended as too slow.
pub(super) const SLOW_CLIENT_TIMEOUT: Duration = Duration::from_secs(5);
/// The most missed notifications a reconnecting client is sent (the newest ones).
pub(super) const REPLAY_LIMIT: i64 = 100;
/// Rows read per query while catching up.
const PAGE: i64 = 100;
/// How long after it was written a notification may still commit and be streamed.
const LATE_COMMIT_WINDOW: Duration = Duration::from_secs(30);

/// Where a stream stands in its user's notifications.
pub(super) struct Cursor {
    /// The highest id sent or known to the client.
    last: i64,
    /// Ids at or below `last` written within the window, with their `created_at`: sent, or
    /// already there when the stream opened. A row at or below `last` not in here is a late commit.
    recent: BTreeMap<i64, i64>,
}

impl Cursor {
    /// A cursor at the user's newest notification, and what to replay first: the notifications
    /// after `last_event_id` (the newest [`REPLAY_LIMIT`], oldest first), when one was given.
    pub(super) async fn open(
        pool: &AnyPool,
        user_id: i64,
        last_event_id: Option<i64>,
    ) -> Result<(Self, Vec<NotificationRow>), sqlx::Error> {
        let last = store::latest_id(pool, user_id).await?;
        let known = store::written_since(pool, user_id, last, window_start()).await?;
        let mut cursor = Self {
            last,
            recent: known.iter().map(|row| (row.id, row.created_at)).collect(),
        };
        let replay: Vec<NotificationRow> = match last_event_id {
            Some(after) if after < last => {
                store::newest_after(pool, user_id, after, REPLAY_LIMIT)
                    .await?
                    .into_iter()
                    // Newer ones are the pump's first page.
                    .filter(|row| row.id <= last)
                    .collect()
            }
            _ => Vec::new(),
        };
        for row in &replay {
            cursor.mark(row);
        }
        Ok((cursor, replay))
    }

    fn mark(&mut self, row: &NotificationRow) {
        self.last = self.last.max(row.id);
        self.recent.insert(row.id, row.created_at);
    }

    /// Notifications below the cursor that committed late and were not sent.
    async fn late(
        &mut self,
        pool: &AnyPool,
        user_id: i64,
    ) -> Result<Vec<NotificationRow>, sqlx::Error> {
        let since = window_start();
        self.recent.retain(|_, created_at| *created_at >= since);
        let rows = store::written_since(pool, user_id, self.last, since).await?;
        Ok(rows
            .into_iter()
            .filter(|row| !self.recent.contains_key(&row.id))
            .collect())
    }
}

fn window_start() -> i64 {
    let window = i64::try_from(LATE_COMMIT_WINDOW.as_micros()).unwrap_or(i64::MAX);
    now_micros().saturating_sub(window)
}

/// Why a stream stops.
enum Stop {
    /// The client left or was too slow, or the server is shutting down.
    Ended,
    Database(sqlx::Error),
}

impl From<sqlx::Error> for Stop {
    fn from(error: sqlx::Error) -> Self {
        Self::Database(error)
    }
}

/// Runs one stream until its client leaves or is cut off, or shutdown begins; returning drops
/// `events`, which ends the response body once the client has read what it holds.
pub(super) async fn run(
    state: AppState,
    user_id: i64,
    subscription: Subscription,
    cursor: Cursor,
    replay: Vec<NotificationRow>,
    events: mpsc::Sender<Event>,
) {
    let mut stream = Pump {
        state,
        user_id,
        cursor,
        events,
    };
    if let Err(Stop::Database(error)) = stream.serve(&subscription, replay).await {
        // The client reconnects with `Last-Event-ID` and misses nothing.
        tracing::warn!(%error, user_id, "notification stream ended by a database error");
    }
}

struct Pump {
    state: AppState,
    user_id: i64,
    cursor: Cursor,
    events: mpsc::Sender<Event>,
}

impl Pump {
    async fn serve(
        &mut self,
        subscription: &Subscription,
        replay: Vec<NotificationRow>,
    ) -> Result<(), Stop> {
        for row in replay {
            self.send(row).await?;
        }
        loop {
            let pool = self.state.db.pool.clone();
            for row in self.cursor.late(&pool, self.user_id).await? {
                self.send(row).await?;
            }
            loop {
                let page = store::oldest_after(&pool, self.user_id, self.cursor.last, PAGE).await?;
                let full = i64::try_from(page.len()).unwrap_or(i64::MAX) >= PAGE;
                for row in page {
                    self.send(row).await?;
                }
                if !full {
                    break;
                }
            }
            tokio::select! {
                () = self.state.shutdown.cancelled() => return Err(Stop::Ended),
                () = self.events.closed() => return Err(Stop::Ended),
                () = subscription.notified() => {}
            }
        }
    }

    async fn send(&mut self, row: NotificationRow) -> Result<(), Stop> {
        self.cursor.mark(&row);
        let id = row.id;
        let event = Event::default()
            .id(id.to_string())
            .event("notification")
            .json_data(NotificationView::from(row))
            .map_err(|error| {
                tracing::error!(%error, id, "notification not serialisable; stream ended");
                Stop::Ended
            })?;
        let sent = tokio::select! {
            () = self.state.shutdown.cancelled() => return Err(Stop::Ended),
            sent = tokio::time::timeout(SLOW_CLIENT_TIMEOUT, self.events.send(event)) => sent,
        };
        match sent {
            Ok(Ok(())) => Ok(()),
            // The client disconnected.
            Ok(Err(_)) => Err(Stop::Ended),
            Err(_) => {
                tracing::info!(
                    user_id = self.user_id,
                    buffered = BUFFERED_EVENTS,
                    "notification stream ended: the client stopped reading"
                );
                Err(Stop::Ended)
            }
        }
    }
}
