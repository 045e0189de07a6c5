//! Response types of the notification endpoints (what the OpenAPI document shows).

use serde::Serialize;
use utoipa::ToSchema;

use super::store::NotificationRow;
use crate::db::types::format_micros;

/// A notification as its owner sees it: in the list and in the live stream's `data:` lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    /// `info`, `success`, `warning`, `error`, `order`, `payment`, `review`, `stock`, `security`,
    /// `proposal`, `contract` or `message`.
    #[serde(rename = "type")]
    #[schema(example = "order")]
    pub kind: String,
    pub title: String,
    pub message: String,
    /// A frontend path (`/orders/42`), or empty.
    pub action_url: String,
    pub is_read: bool,
    #[schema(example = "2025-08-07T12:00:00.000000Z")]
    pub created_at: String,
    pub read_at: Option<String>,
}

impl From<NotificationRow> for NotificationView {
    fn from(row: NotificationRow) -> Self {
        Self {
            id: row.id,
            kind: row.kind,
            title: row.title,
            message: row.message,
            action_url: row.action_url,
            is_read: row.is_read.0,
            created_at: format_micros(row.created_at),
            read_at: row.read_at.map(format_micros),
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
