//! The emails the shop sends, as data: what a queued `email` job carries. Each variant names its
//! template pair in `templates/email/` (`<name>.txt` and `<name>.html`, one shared layout); the
//! fields are the template's context, plus `frontend_url`, which the renderer adds so links follow
//! `FRONTEND_URL` at sending time.

use serde::{Deserialize, Serialize};

/// One queued email: who gets it and which message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub message: Message,
}

/// A message and its template's context. Money is a decimal string (`"99.90"`), as in the API.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "template", rename_all = "snake_case")]
pub enum Message {
    /// The order was placed.
    OrderConfirmation {
        order_id: i64,
        order_number: String,
        total: String,
        items: Vec<OrderLine>,
    },
    /// The order moved to `status` (`shipped`, `delivered`, `cancelled`, …).
    OrderStatus {
        order_id: i64,
        order_number: String,
        status: String,
    },
    /// A payment was captured (`succeeded`) or declined.
    PaymentResult {
        order_id: i64,
        order_number: String,
        amount: String,
        succeeded: bool,
    },
    /// Security notice: the account's password changed. Always sent, whatever the preferences.
    PasswordChanged,
    /// Security: a single-use reset link (made when the email is sent; see `jobs::Kind::PasswordReset`).
    PasswordReset { reset_url: String },
    /// The unread notifications of one period, replacing per-event emails for users who chose it.
    Digest {
        /// `daily` or `weekly`.
        period: String,
        /// Newest first, at most a screenful (the digest job caps the list).
        notifications: Vec<DigestItem>,
        /// Unread notifications of the period beyond the listed ones.
        #[serde(default)]
        more: i64,
    },
}

/// One line of an order confirmation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    pub title: String,
    pub quantity: i64,
    pub line_total: String,
}

/// One notification listed in a digest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DigestItem {
    pub title: String,
    pub message: String,
    pub action_url: String,
    /// RFC 3339 UTC.
    pub created_at: String,
}

impl Message {
    /// The template pair's name: the serialized tag.
    pub fn template(&self) -> &'static str {
        match self {
            Message::OrderConfirmation { .. } => "order_confirmation",
            Message::OrderStatus { .. } => "order_status",
            Message::PaymentResult { .. } => "payment_result",
            Message::PasswordChanged => "password_changed",
            Message::PasswordReset { .. } => "password_reset",
            Message::Digest { .. } => "digest",
        }
    }

    /// Security emails go out even to users who turned email off.
    pub fn is_security(&self) -> bool {
        matches!(
            self,
            Message::PasswordChanged | Message::PasswordReset { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_name_is_the_serialized_tag() {
        let message = Message::OrderStatus {
            order_id: 1,
            order_number: "ORD-1".into(),
            status: "shipped".into(),
        };
        let json = serde_json::to_value(&message).unwrap();
        assert_eq!(json["template"], message.template());
        assert_eq!(
            serde_json::to_value(Message::PasswordChanged).unwrap()["template"],
            "password_changed"
        );
    }
}
