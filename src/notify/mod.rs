//! Writing notifications from domain events, inside the event's own transaction (SPEC §3.6):
//! a layer below the features, so any feature (accounts included) can notify without depending
//! on the notifications feature, which reads and streams what is written here. In it,
//! the preferences decide what is stored and mailed, and the returned [`Announcement`] is sent to
//! live streams once the transaction committed.

mod kind;
mod store;

pub use self::kind::{NotificationType, Topic};

use sqlx::AnyConnection;

use self::store::Recipient;
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
    let Some(recipient) = store::recipient(&mut *conn, user_id).await? else {
        return Ok(Announcement::default());
    };
    deliver(conn, &recipient, notice).await
}

/// Notifies every active staff and admin user (low stock, a reported review).
pub async fn notify_staff(
    conn: &mut AnyConnection,
    notice: &Notice,
) -> Result<Announcement, sqlx::Error> {
    notify_staff_of(conn, std::slice::from_ref(notice)).await
}

/// Notifies every active staff and admin user of each of `notices` (a checkout that left several
/// products low): one query for the recipients and, for the in-app rows, one multi-row insert per
/// batch, however many staff a shop has.
pub async fn notify_staff_of(
    conn: &mut AnyConnection,
    notices: &[Notice],
) -> Result<Announcement, sqlx::Error> {
    if notices.is_empty() {
        return Ok(Announcement::default());
    }
    let recipients = store::staff_recipients(&mut *conn).await?;
    let mut emails = Vec::new();
    let mut rows = Vec::new();
    for (index, notice) in notices.iter().enumerate() {
        for recipient in &recipients {
            let (email, in_app) = gates(recipient, notice);
            emails.extend(email);
            if in_app {
                rows.push((recipient.user_id, index));
            }
        }
    }
    mail::queue_all(&mut *conn, &emails).await?;
    store::insert_many(&mut *conn, notices, &rows).await?;
    let mut user_ids: Vec<i64> = rows.iter().map(|(user_id, _)| *user_id).collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    Ok(Announcement { user_ids })
}

/// Tells `user_ids[i]` of `notices[i]`, for every `i` (a batch of checkouts, each telling its
/// customer): one query for the recipients, one multi-row insert for the emails and one for the
/// in-app rows, however many there are. Answers each notice's announcement, in order.
pub async fn notify_users(
    conn: &mut AnyConnection,
    user_ids: &[i64],
    notices: &[Notice],
) -> Result<Vec<Announcement>, sqlx::Error> {
    assert_eq!(user_ids.len(), notices.len(), "one user per notice");
    let recipients = store::recipients(&mut *conn, user_ids).await?;
    let mut emails = Vec::new();
    let mut rows = Vec::new();
    let mut announcements = Vec::with_capacity(notices.len());
    for (index, (user_id, notice)) in user_ids.iter().zip(notices).enumerate() {
        let mut announcement = Announcement::default();
        if let Some(recipient) = recipients.iter().find(|r| r.user_id == *user_id) {
            let (email, in_app) = gates(recipient, notice);
            emails.extend(email);
            if in_app {
                rows.push((*user_id, index));
                announcement.user_ids.push(*user_id);
            }
        }
        announcements.push(announcement);
    }
    mail::queue_all(&mut *conn, &emails).await?;
    store::insert_many(&mut *conn, notices, &rows).await?;
    Ok(announcements)
}

async fn deliver(
    conn: &mut AnyConnection,
    recipient: &Recipient,
    notice: &Notice,
) -> Result<Announcement, sqlx::Error> {
    let (email, in_app) = gates(recipient, notice);
    if let Some(email) = email {
        mail::queue(&mut *conn, &email).await?;
    }
    if !in_app {
        return Ok(Announcement::default());
    }
    store::insert(&mut *conn, recipient.user_id, notice).await?;
    Ok(Announcement {
        user_ids: vec![recipient.user_id],
    })
}

/// The notice's email, if the recipient's preferences let it go out, and whether they want the
/// in-app notification too.
///
/// The gates (SPEC §3.6): a topic turned off (`order_updates`, `review_updates`) silences both;
/// security email always goes out; other email needs `email_enabled` and `digest: none` (a digest
/// user hears of it in the summary, which lists their stored notifications).
fn gates(recipient: &Recipient, notice: &Notice) -> (Option<mail::Email>, bool) {
    let wanted = match notice.kind.topic() {
        Topic::Orders => recipient.order_updates.0,
        Topic::Reviews => recipient.review_updates.0,
        Topic::General => true,
    };
    let email = notice.email.as_ref().and_then(|message| {
        let security = message.is_security();
        let per_event = recipient.email_enabled.0 && wanted && recipient.digest == "none";
        (security || per_event).then(|| mail::Email {
            to: recipient.email.clone(),
            message: message.clone(),
        })
    });
    (email, recipient.in_app_enabled.0 && wanted)
}
