//! Notifications (SPEC §3.6): rows written by domain events in the event's own transaction,
//! read and managed by their owner, pushed live over Server-Sent Events, and mailed through the
//! job queue as each user's preferences allow. Decisions in docs/notifications.md.

mod kind;
mod produce;
mod store;

pub use self::{
    kind::NotificationType,
    produce::{notify_staff, notify_staff_of, notify_user, Announcement, Notice},
};
