//! Notifications (SPEC §3.6).

mod shapes;
mod stream;
mod stream_support;
