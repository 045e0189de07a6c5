//! Real-time fan-out (SPEC §1): tells every instance's open notification streams that a user has
//! something new. The message is only "user N has news"; each stream then reads what it has not
//! sent from the database, so a lost message delays a notification but can't lose or reorder one.

use tokio::sync::broadcast;

/// How many announcements an idle subscriber may fall behind before it is told it lagged.
const CAPACITY: usize = 1024;

/// The in-process hub every stream on this instance subscribes to.
#[derive(Debug)]
pub struct Hub {
    sender: broadcast::Sender<i64>,
}

impl Default for Hub {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
        }
    }
}

impl Hub {
    /// Announces that `user_ids` have new notifications.
    pub fn publish(&self, user_ids: &[i64]) {
        for &user_id in user_ids {
            // No subscriber is not an error: nobody is watching.
            let _ = self.sender.send(user_id);
        }
    }

    /// Every announcement from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<i64> {
        self.sender.subscribe()
    }
}
