//! The order status machine and payment statuses (SPEC §3.4).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an order is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Pending,
    Processing,
    Shipped,
    Delivered,
    Completed,
    Cancelled,
    Failed,
}

impl OrderStatus {
    /// Every status, in the machine's order.
    pub const ALL: [OrderStatus; 7] = [
        Self::Pending,
        Self::Processing,
        Self::Shipped,
        Self::Delivered,
        Self::Completed,
        Self::Cancelled,
        Self::Failed,
    ];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
        }
    }

    /// Parses the stored or requested name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The statuses this one may move to: `pending → processing → shipped → delivered →
    /// completed`, `pending|processing → cancelled`, `pending → failed`.
    pub fn allowed_next(self) -> &'static [OrderStatus] {
        match self {
            Self::Pending => &[Self::Processing, Self::Cancelled, Self::Failed],
            Self::Processing => &[Self::Shipped, Self::Cancelled],
            Self::Shipped => &[Self::Delivered],
            Self::Delivered => &[Self::Completed],
            Self::Completed | Self::Cancelled | Self::Failed => &[],
        }
    }

    /// True when the machine allows `self → next`.
    pub fn can_transition_to(self, next: OrderStatus) -> bool {
        self.allowed_next().contains(&next)
    }

    /// Leaving the order's stock reserved no longer makes sense: its lines go back on the shelf.
    pub fn releases_stock(self) -> bool {
        matches!(self, Self::Cancelled | Self::Failed)
    }
}

/// Payment state of an order: `unpaid → (pending →) paid → refunded`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PaymentStatus {
    Unpaid,
    /// A deferred method (bank transfer) was started and awaits confirmation.
    Pending,
    Paid,
    Refunded,
}

impl PaymentStatus {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unpaid => "unpaid",
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Refunded => "refunded",
        }
    }

    /// Parses the stored name; the database's CHECK constraint keeps it one of these.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Unpaid, Self::Pending, Self::Paid, Self::Refunded]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::OrderStatus::*;
    use super::*;

    #[test]
    fn the_happy_path_moves_forward_one_step_at_a_time() {
        let path = [Pending, Processing, Shipped, Delivered, Completed];
        for pair in path.windows(2) {
            assert!(pair[0].can_transition_to(pair[1]), "{pair:?}");
        }
        assert!(!Pending.can_transition_to(Shipped));
        assert!(!Processing.can_transition_to(Delivered));
    }

    #[test]
    fn only_pending_and_processing_orders_can_be_cancelled() {
        for status in OrderStatus::ALL {
            assert_eq!(
                status.can_transition_to(Cancelled),
                matches!(status, Pending | Processing),
                "{status:?}"
            );
        }
    }

    #[test]
    fn only_pending_orders_can_fail_and_terminal_states_go_nowhere() {
        for status in OrderStatus::ALL {
            assert_eq!(status.can_transition_to(Failed), status == Pending);
        }
        for terminal in [Completed, Cancelled, Failed] {
            assert!(terminal.allowed_next().is_empty());
        }
        assert_eq!(Shipped.allowed_next(), &[Delivered]);
        assert!(!Shipped.can_transition_to(Pending));
        assert!(!Pending.can_transition_to(Pending));
    }

    #[test]
    fn names_round_trip() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(OrderStatus::parse("bogus"), None);
        assert_eq!(
            PaymentStatus::parse("refunded"),
            Some(PaymentStatus::Refunded)
        );
    }
}
