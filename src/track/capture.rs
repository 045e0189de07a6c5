//! The [`Recorder`]: a bounded in-memory buffer that requests push events into without waiting,
//! and the background task that writes them in batches (SPEC §3.7).
//!
//! `record` never blocks and never awaits: a full buffer drops its *oldest* event (counted in
//! `analytics_events_dropped_total{reason="buffer_full"}`), so a slow or absent database costs
//! analytics, never request latency. The writer wakes every `ANALYTICS_FLUSH_INTERVAL_MS` (1 s) or
//! as soon as [`BATCH_SIZE`] events wait, whichever comes first, and writes what waits as
//! multi-row INSERTs. A batch that fails is kept and tried again on the next wake-up; after
//! [`MAX_WRITE_ATTEMPTS`] failures in a row it is dropped and counted (`reason="write_failed"`),
//! so a database that stays away holds at most one batch plus a full buffer in memory. On
//! shutdown [`Writer::stop`] writes everything still buffered.

use std::{sync::Arc, time::Duration};

use crossbeam_queue::ArrayQueue;
use secrecy::SecretString;
use tokio::{sync::Notify, task::JoinHandle, time::Instant};
use tokio_util::sync::CancellationToken;

use super::{
    event::Event,
    metrics::{self, DropReason},
    session::SessionKeys,
    store,
};
use crate::{config::analytics::AnalyticsSettings, db::Db};

/// Events the buffer holds before the oldest is dropped: about 10 s of a busy shop's traffic, a
/// few MB at most.
pub const BUFFER_CAPACITY: usize = 10_000;
/// Events per INSERT, and how many waiting wake the writer before its interval is up.
pub const BATCH_SIZE: usize = 500;
/// Attempts at one batch (one per wake-up) before it is dropped.
pub const MAX_WRITE_ATTEMPTS: u32 = 3;

/// Records events for the capture task; cheap to clone (one `Arc`). A disabled recorder
/// (`ANALYTICS_ENABLED=false`) records nothing and runs no task.
#[derive(Clone, Debug, Default)]
pub struct Recorder {
    buffer: Option<Arc<Buffer>>,
}

impl Recorder {
    /// A recorder as `settings` say, its session keys derived from `secret_key`.
    pub fn new(settings: &AnalyticsSettings, secret_key: &SecretString) -> Self {
        if !settings.enabled {
            return Self::default();
        }
        Self {
            buffer: Some(Arc::new(Buffer::new(
                BUFFER_CAPACITY,
                SessionKeys::new(secret_key),
                settings.flush_interval,
            ))),
        }
    }

    /// False with `ANALYTICS_ENABLED=false`.
    pub fn is_enabled(&self) -> bool {
        self.buffer.is_some()
    }

    /// Buffers `event` (dropping the oldest when full) and wakes the writer once a batch waits.
    /// Never blocks, never awaits.
    pub fn record(&self, event: Event) {
        let Some(buffer) = &self.buffer else { return };
        metrics::recorded(event.action.kind());
        if buffer.push(event).is_some() {
            metrics::dropped(DropReason::BufferFull, 1);
        }
        if buffer.queue.len() >= BATCH_SIZE {
            buffer.batch_ready.notify_one();
        }
    }

    /// Starts the task that writes buffered events to `db`; `None` when disabled. Events recorded
    /// before it starts wait in the buffer.
    pub fn spawn_writer(&self, db: Db) -> Option<Writer> {
        let buffer = self.buffer.clone()?;
        let stop = CancellationToken::new();
        let task = tokio::spawn(run(buffer, db, stop.clone()));
        Some(Writer { stop, task })
    }
}

/// The running capture task.
#[derive(Debug)]
pub struct Writer {
    stop: CancellationToken,
    task: JoinHandle<()>,
}

impl Writer {
    /// Writes what is still buffered and ends the task, waiting at most `patience` (a database
    /// that is away then loses the rest, which is logged).
    pub async fn stop(self, patience: Duration) {
        self.stop.cancel();
        if tokio::time::timeout(patience, self.task).await.is_err() {
            tracing::warn!("analytics events still buffered at shutdown were not all written");
        }
    }
}

/// The queue and what the writer needs beside it.
struct Buffer {
    queue: ArrayQueue<Event>,
    /// Signalled when a batch is waiting (a permit is kept if the writer is busy).
    batch_ready: Notify,
    keys: SessionKeys,
    flush_interval: Duration,
}

impl std::fmt::Debug for Buffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Buffer")
            .field("len", &self.queue.len())
            .field("capacity", &self.queue.capacity())
            .finish()
    }
}

impl Buffer {
    fn new(capacity: usize, keys: SessionKeys, flush_interval: Duration) -> Self {
        Self {
            queue: ArrayQueue::new(capacity),
            batch_ready: Notify::new(),
            keys,
            flush_interval,
        }
    }

    /// Adds `event`; when full, the oldest event is pushed out and returned.
    fn push(&self, event: Event) -> Option<Event> {
        self.queue.force_push(event)
    }

    /// Up to `max` of the oldest events, appended to `into`.
    fn take(&self, max: usize, into: &mut Vec<Event>) {
        while into.len() < max {
            match self.queue.pop() {
                Some(event) => into.push(event),
                None => break,
            }
        }
    }
}

/// The capture task: write what waits at every wake-up until stopped, then write the rest.
async fn run(buffer: Arc<Buffer>, db: Db, stop: CancellationToken) {
    let mut batch = Batch::default();
    let mut tick = tokio::time::interval(buffer.flush_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = buffer.batch_ready.notified() => {}
            () = stop.cancelled() => break,
        }
        batch.write_waiting(&buffer, &db).await;
    }
    batch.flush_on_shutdown(&buffer, &db).await;
}

/// The batch being written, kept across wake-ups while it fails.
#[derive(Default)]
struct Batch {
    events: Vec<Event>,
    failures: u32,
}

impl Batch {
    /// Writes batches until the buffer is empty or one fails (tried again at the next wake-up).
    async fn write_waiting(&mut self, buffer: &Buffer, db: &Db) {
        loop {
            buffer.take(BATCH_SIZE, &mut self.events);
            if self.events.is_empty() || !self.write_once(buffer, db).await {
                return;
            }
        }
    }

    /// One attempt; true when written. After [`MAX_WRITE_ATTEMPTS`] failures the batch is
    /// dropped (and counted) so one bad batch can't hold the buffer back for ever.
    async fn write_once(&mut self, buffer: &Buffer, db: &Db) -> bool {
        let started = Instant::now();
        let written = store::insert_batch(db, &buffer.keys, &self.events).await;
        metrics::batch_written(started.elapsed());
        match written {
            Ok(()) => {
                self.events.clear();
                self.failures = 0;
                true
            }
            Err(error) => {
                self.failures += 1;
                if self.failures >= MAX_WRITE_ATTEMPTS {
                    tracing::error!(
                        %error,
                        events = self.events.len(),
                        attempts = self.failures,
                        "analytics batch dropped after repeated write failures"
                    );
                    metrics::dropped(DropReason::WriteFailed, self.events.len());
                    self.events.clear();
                    self.failures = 0;
                } else {
                    tracing::warn!(
                        %error,
                        events = self.events.len(),
                        attempt = self.failures,
                        "analytics batch not written; retrying at the next flush"
                    );
                }
                false
            }
        }
    }

    /// Writes everything left, each batch given its remaining attempts a short pause apart.
    async fn flush_on_shutdown(&mut self, buffer: &Buffer, db: &Db) {
        loop {
            buffer.take(BATCH_SIZE, &mut self.events);
            if self.events.is_empty() {
                return;
            }
            while !self.write_once(buffer, db).await && !self.events.is_empty() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::track::{session::Session, Action};

    fn view(product_id: i64) -> Event {
        Event {
            action: Action::ProductView { product_id },
            occurred_at: 0,
            user_id: None,
            ip_prefix: None,
            session: Session::User(1),
        }
    }

    fn buffer(capacity: usize) -> Buffer {
        Buffer::new(
            capacity,
            SessionKeys::new(&SecretString::from("k")),
            Duration::from_secs(1),
        )
    }

    fn product_ids(events: &[Event]) -> Vec<i64> {
        events
            .iter()
            .filter_map(|e| e.action.product_id())
            .collect()
    }

    #[test]
    fn a_full_buffer_drops_the_oldest_and_says_which() {
        let buffer = buffer(3);
        let dropped: Vec<Option<Event>> = (1..=5).map(|id| buffer.push(view(id))).collect();
        assert_eq!(dropped.iter().filter(|d| d.is_some()).count(), 2);
        assert_eq!(
            product_ids(&dropped.into_iter().flatten().collect::<Vec<_>>()),
            [1, 2]
        );
        let mut kept = Vec::new();
        buffer.take(10, &mut kept);
        assert_eq!(product_ids(&kept), [3, 4, 5], "the newest stay, in order");
    }

    #[test]
    fn take_stops_at_a_batch() {
        let buffer = buffer(10);
        for id in 0..7 {
            assert!(buffer.push(view(id)).is_none());
        }
        let mut batch = vec![view(100)];
        buffer.take(4, &mut batch);
        assert_eq!(
            product_ids(&batch),
            [100, 0, 1, 2],
            "a kept batch is topped up"
        );
        assert_eq!(buffer.queue.len(), 4);
    }

    #[test]
    fn a_disabled_recorder_holds_nothing() {
        let settings = AnalyticsSettings {
            enabled: false,
            retention_days: 90,
            flush_interval: Duration::from_secs(1),
        };
        let recorder = Recorder::new(&settings, &SecretString::from("k"));
        assert!(!recorder.is_enabled());
        recorder.record(view(1));
        assert!(recorder.buffer.is_none());
    }
}
