//! Low stock (SPEC §5): every active staff and admin user gets a `stock` notification when a
//! decrease — a checkout's take, a staff adjustment, a lower level typed into the product form —
//! leaves a product at or below `LOW_STOCK_THRESHOLD`. An increase never notifies, even one that
//! stays low: restocking to 3 is staff already acting on it. Each such decrease notifies again, so
//! a product selling down from 5 to 0 is reported at every sale (docs/notifications.md).
//!
//! The level comes from the `RETURNING` of the statement that changed the stock, so the check
//! costs no read; the notices are written in that statement's transaction.

use sqlx::AnyConnection;

use crate::{
    live::Hub,
    notify::{notify_staff_of, Announcement, Notice, NotificationType},
    state::AppState,
};

/// One change to a product's stock, as the statement that made it reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StockChange {
    pub product_id: i64,
    pub title: String,
    /// Units added (negative: taken).
    pub delta: i64,
    /// The stock after the change.
    pub stock: i64,
}

impl StockChange {
    /// Whether this change calls for a low-stock notice under `threshold`.
    pub fn leaves_low(&self, threshold: i64) -> bool {
        self.delta < 0 && self.stock <= threshold
    }
}

/// What a stock writer that commits its own transaction needs to raise low-stock notices.
#[derive(Clone, Copy, Debug)]
pub struct Alerts<'a> {
    /// `LOW_STOCK_THRESHOLD`.
    pub threshold: i64,
    /// Told after the commit.
    pub hub: &'a Hub,
}

impl<'a> Alerts<'a> {
    /// The threshold and hub of the running app.
    pub fn of(state: &'a AppState) -> Self {
        Self {
            threshold: state.settings.notifications.low_stock_threshold,
            hub: &state.live,
        }
    }
}

/// Notifies staff, on `conn` (the transaction that made the changes), of each change that left a
/// product low. Nothing to tell costs no statement.
pub async fn alert(
    conn: &mut AnyConnection,
    threshold: i64,
    changes: &[StockChange],
) -> Result<Announcement, sqlx::Error> {
    let notices: Vec<Notice> = changes
        .iter()
        .filter(|change| change.leaves_low(threshold))
        .map(|change| Notice {
            kind: NotificationType::Stock,
            title: format!("Low stock: {}", change.title),
            message: format!(
                "{} has {} left in stock (threshold {threshold}).",
                change.title, change.stock
            ),
            action_url: format!("/products/{}", change.product_id),
            // Staff notices are in-app only.
            email: None,
        })
        .collect();
    notify_staff_of(conn, &notices).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(delta: i64, stock: i64) -> StockChange {
        StockChange {
            product_id: 1,
            title: "Pen".into(),
            delta,
            stock,
        }
    }

    #[test]
    fn only_a_decrease_that_leaves_stock_at_or_below_the_threshold_is_low() {
        assert!(change(-2, 5).leaves_low(5));
        assert!(change(-1, 0).leaves_low(5));
        assert!(!change(-1, 8).leaves_low(5));
        assert!(!change(-1, 6).leaves_low(5));
        // Restocking that stays low is staff acting on it already.
        assert!(!change(2, 3).leaves_low(5));
        assert!(!change(0, 3).leaves_low(5));
    }
}
