//! Notifications (SPEC §3.6) on every backend.

mod digest;
