//! The `type` of a notification and the preference that gates it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A notification's `type` (SPEC §3.6; the last three belong to the marketplace of §3.12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationType {
    Info,
    Success,
    Warning,
    Error,
    Order,
    Payment,
    Review,
    Stock,
    Security,
    Proposal,
    Contract,
    Message,
}

/// Which per-kind preference, if any, gates a type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    /// `order_updates`.
    Orders,
    /// `review_updates`.
    Reviews,
    /// Not gated by a per-kind preference.
    General,
}

impl NotificationType {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Success => "success",
            Self::Warning => "warning",
            Self::Error => "error",
            Self::Order => "order",
            Self::Payment => "payment",
            Self::Review => "review",
            Self::Stock => "stock",
            Self::Security => "security",
            Self::Proposal => "proposal",
            Self::Contract => "contract",
            Self::Message => "message",
        }
    }

    /// The preference that turns this type off.
    pub fn topic(self) -> Topic {
        match self {
            Self::Order | Self::Payment => Topic::Orders,
            Self::Review => Topic::Reviews,
            _ => Topic::General,
        }
    }
}
