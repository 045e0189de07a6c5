//! Notifications (SPEC §3.6): rows written by domain events in the event's own transaction,
//! read and managed by their owner, pushed live over Server-Sent Events, and mailed through the
//! job queue as each user's preferences allow. Decisions in docs/notifications.md.

mod digest;
mod digest_choice;
mod handlers;
mod pump;
mod request;
mod store;
mod stream;
mod ticket;
mod views;

use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;

// Producing lives a layer down (`notify`), so that accounts can notify without a cycle; these
// re-exports keep one front for everything notifications.
pub use crate::notify::{
    notify_staff, notify_staff_of, notify_user, Announcement, Notice, NotificationType,
};

pub use self::{
    digest::send_digests,
    digest_choice::Digest,
    store::delete_expired_tickets,
    views::{NotificationView, PreferencesView},
};

/// Every notification route under `/api/v1`.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::list_notifications))
        .routes(routes!(handlers::count_unread_notifications))
        .routes(routes!(handlers::mark_all_notifications_read))
        .routes(routes!(
            handlers::get_notification_preferences,
            handlers::replace_notification_preferences,
            handlers::update_notification_preferences
        ))
        .routes(routes!(handlers::read_notification))
        .routes(routes!(handlers::delete_notification))
        .routes(routes!(stream::stream_notifications))
        .routes(routes!(stream::create_stream_ticket))
}
