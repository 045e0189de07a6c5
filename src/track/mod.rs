//! Recording analytics events (SPEC §3.7): product views, searches and user actions, captured
//! without slowing requests. The writing half, a layer below the features like `notify`; the
//! `analytics` feature reads what is written here into the dashboard's figures.
//!
//! Handlers return a [`Captured`] report among their response parts; [`layer`] turns it into an
//! event with the request's session (a keyed hash, `session.rs`) and truncated address; the
//! [`Recorder`] buffers it and its task writes batches to `analytics_events`.
//!
//! The invariant: no raw address, `X-Session-Id`, user id-as-session or User-Agent is ever
//! written; a request never waits for analytics (a full buffer drops the oldest event instead).
//!
//! This module depends on the layers below the features only (`config`, `db`, `telemetry`), so
//! every feature can report to it and `state` can hold the [`Recorder`].

mod capture;
mod event;
mod layer;
pub mod metrics;
mod session;
mod store;

pub use capture::{Recorder, Writer, BATCH_SIZE, BUFFER_CAPACITY, MAX_WRITE_ATTEMPTS};
pub use event::{normalise_query, Action, Captured, Event, Kind, MAX_QUERY_CHARS};
pub use layer::layer;
pub use session::{truncate_ip, valid_session_id, Session, SessionKeys, SESSION_HEADER};
