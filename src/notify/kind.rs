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

    /// The type stored as `name`, if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// Every type, in SPEC order.
    pub const ALL: [Self; 12] = [
        Self::Info,
        Self::Success,
        Self::Warning,
        Self::Error,
        Self::Order,
        Self::Payment,
        Self::Review,
        Self::Stock,
        Self::Security,
        Self::Proposal,
        Self::Contract,
        Self::Message,
    ];

    /// The preference that turns this type off.
    pub fn topic(self) -> Topic {
        match self {
            Self::Order | Self::Payment => Topic::Orders,
            Self::Review => Topic::Reviews,
            _ => Topic::General,
        }
    }
}

/// Decoded from the stored name; the column's CHECK constraint keeps unknown names out.
impl sqlx::Type<sqlx::Any> for NotificationType {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <String as sqlx::Type<sqlx::Any>>::type_info()
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for NotificationType {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let name = <&str as sqlx::Decode<sqlx::Any>>::decode(value)?;
        Self::parse(name).ok_or_else(|| format!("unknown notification type {name:?}").into())
    }
}

#[cfg(test)]
mod tests {
    use super::NotificationType;

    #[test]
    fn every_type_reads_back_from_its_stored_name() {
        for kind in NotificationType::ALL {
            assert_eq!(NotificationType::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, kind.as_str(), "the JSON name is the stored name");
        }
        assert_eq!(NotificationType::parse("Order"), None);
    }
}
