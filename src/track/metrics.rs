//! The capture's Prometheus families (SPEC §3.7, docs/analytics.md "Watching capture"). Labels
//! come from closed sets only: `kind` from [`Kind::ALL`], `reason` from [`DropReason::ALL`].

use std::time::Duration;

use super::event::Kind;

/// Events accepted into the buffer, by `kind` (counter).
pub const RECORDED_TOTAL: &str = "analytics_events_recorded_total";
/// Events lost, by `reason` (counter): the buffer was full (the oldest went), or a batch could not
/// be written after every attempt.
pub const DROPPED_TOTAL: &str = "analytics_events_dropped_total";
/// How long one batch INSERT took, successful or not (histogram, seconds).
pub const BATCH_WRITE_SECONDS: &str = "analytics_batch_write_seconds";

/// Why events were dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// The buffer was full: the oldest event made room for a new one.
    BufferFull,
    /// The batch failed on every attempt (the database was away for that long).
    WriteFailed,
}

impl DropReason {
    /// Every reason (the label's closed set).
    pub const ALL: [DropReason; 2] = [DropReason::BufferFull, DropReason::WriteFailed];

    /// The `reason` label.
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::BufferFull => "buffer_full",
            DropReason::WriteFailed => "write_failed",
        }
    }
}

/// Describes the families and creates every series at zero; called once the process-wide
/// recorder is installed (`startup::router`).
pub fn register() {
    metrics::describe_counter!(RECORDED_TOTAL, "Analytics events recorded, by kind");
    metrics::describe_counter!(
        DROPPED_TOTAL,
        "Analytics events dropped (full buffer or failed writes), by reason"
    );
    metrics::describe_histogram!(
        BATCH_WRITE_SECONDS,
        metrics::Unit::Seconds,
        "Time to write one batch of analytics events"
    );
    for kind in Kind::ALL {
        metrics::counter!(RECORDED_TOTAL, "kind" => kind.as_str()).increment(0);
    }
    for reason in DropReason::ALL {
        metrics::counter!(DROPPED_TOTAL, "reason" => reason.as_str()).increment(0);
    }
    // A histogram handle with no samples renders as zero buckets, sum and count.
    drop(metrics::histogram!(BATCH_WRITE_SECONDS));
}

pub(super) fn recorded(kind: Kind) {
    metrics::counter!(RECORDED_TOTAL, "kind" => kind.as_str()).increment(1);
}

pub(super) fn dropped(reason: DropReason, count: usize) {
    metrics::counter!(DROPPED_TOTAL, "reason" => reason.as_str()).increment(count as u64);
}

pub(super) fn batch_written(elapsed: Duration) {
    metrics::histogram!(BATCH_WRITE_SECONDS).record(elapsed.as_secs_f64());
}
