//! What the notification endpoints answer. [`NotificationView`] is also the `data` of a live
//! stream's events, so a notification reads the same however it reaches the client.

use serde::Serialize;
use utoipa::ToSchema;

use super::digest_choice::Digest;
use crate::notify::NotificationType;

/// A notification as the API renders it (SPEC §3.6).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: NotificationType,
    pub title: String,
    pub message: String,
    /// Where the frontend should take the reader (a path like `/orders/42`), or empty.
    pub action_url: String,
    pub is_read: bool,
    pub created_at: String,
    /// When it was first read; null while unread (always present).
    #[schema(required = true)]
    pub read_at: Option<String>,
}

/// `GET notifications/unread-count/` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadCount {
    pub count: i64,
}

/// `POST notifications/mark-all-read/` answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many notifications this request turned from unread to read.
    pub marked: i64,
}

/// A user's notification preferences (the defaults until they change one).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PreferencesView {
    /// Emails at all (security emails go out regardless).
    pub email_enabled: bool,
    /// Notifications stored and shown at all.
    pub in_app_enabled: bool,
    /// Order and payment notifications and emails.
    pub order_updates: bool,
    /// Review notifications and emails.
    pub review_updates: bool,
    pub marketing: bool,
    pub digest: Digest,
}

/// SPEC §3.6's defaults, what a user who never changed a preference has: everything on, no
/// digest (the same as the columns' defaults in migration 0009).
impl Default for PreferencesView {
    fn default() -> Self {
        Self {
            email_enabled: true,
            in_app_enabled: true,
            order_updates: true,
            review_updates: true,
            marketing: true,
            digest: Digest::None,
        }
    }
}

/// A one-time ticket for `GET notifications/stream/?ticket=…` (browsers' `EventSource` can't send
/// an `Authorization` header).
#[derive(Debug, Serialize, ToSchema)]
pub struct StreamTicketView {
    pub ticket: String,
    /// Seconds the ticket stays valid.
    #[schema(example = 60)]
    pub expires_in: i64,
}
