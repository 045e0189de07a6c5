//! Writing notifications from domain events, inside the event's own transaction (SPEC §3.6):
//! a layer below the features, so any feature (accounts included) can notify without depending
//! on the notifications feature, which reads and streams what is written here. The recipients'
//! preferences decide, inside the statements that write (`store.rs`), what is stored and mailed;
//! the returned [`Announcement`] is sent to live streams once the transaction committed.

mod kind;
mod store;

pub use self::kind::{NotificationType, Topic};

use sqlx::AnyConnection;

use self::store::Audience;
use crate::{live::Hub, mail};

/// What an event tells one user.
#[derive(Clone, Debug)]
pub struct Notice {
    pub kind: NotificationType,
    pub title: String,
    pub message: String,
    /// Where the frontend should take the reader (a path like `/orders/42`), or empty.
    pub action_url: String,
    /// The email that goes with it, if any. Security emails always go out; others follow the
    /// user's `email_enabled`, topic preference and digest choice.
    pub email: Option<mail::Message>,
}

/// Users who got a new notification: tell their live streams after the transaction commits
/// (never before, or a stream could show a notification that is then rolled back).
#[derive(Debug, Default)]
#[must_use = "announce it after the transaction commits, so open streams see the notification"]
pub struct Announcement {
    user_ids: Vec<i64>,
}

impl Announcement {
    /// Adds another event's recipients.
    pub fn and(mut self, other: Announcement) -> Self {
        self.user_ids.extend(other.user_ids);
        self
    }

    /// Wakes the recipients' streams on every instance.
    pub fn announce(self, hub: &Hub) {
        if !self.user_ids.is_empty() {
            hub.publish(&self.user_ids);
        }
    }
}

/// Notifies one user on `conn` (the event's transaction), as their preferences allow.
pub async fn notify_user(
    conn: &mut AnyConnection,
    user_id: i64,
    notice: &Notice,
) -> Result<Announcement, sqlx::Error> {
    let user_ids = store::write(conn, Audience::User(user_id), notice).await?;
    Ok(Announcement { user_ids })
}

/// Notifies every active staff and admin user (low stock, a reported review).
pub async fn notify_staff(
    conn: &mut AnyConnection,
    notice: &Notice,
) -> Result<Announcement, sqlx::Error> {
    notify_staff_of(conn, std::slice::from_ref(notice)).await
}

/// Notifies every active staff and admin user of each of `notices` (a checkout that left several
/// products low): one statement per notice, however many staff a shop has.
pub async fn notify_staff_of(
    conn: &mut AnyConnection,
    notices: &[Notice],
) -> Result<Announcement, sqlx::Error> {
    let mut user_ids = Vec::new();
    for notice in notices {
        user_ids.extend(store::write(&mut *conn, Audience::Staff, notice).await?);
    }
    user_ids.sort_unstable();
    user_ids.dedup();
    Ok(Announcement { user_ids })
}
