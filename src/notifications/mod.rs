//! Notifications (SPEC §3.6): rows written by domain events in the event's own transaction,
//! read and managed by their owner, pushed live over Server-Sent Events, and mailed through the
//! job queue as each user's preferences allow. Decisions in docs/notifications.md.

mod kind;
mod produce;
mod pump;
mod store;
mod stream;
mod ticket;
mod views;

pub use self::{
    kind::NotificationType,
    produce::{notify_staff, notify_user, Announcement, Notice},
};

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

/// Every notifications route under `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(stream::stream_notifications))
        .routes(routes!(stream::create_stream_ticket))
}
