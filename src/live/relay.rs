//! The Redis half of the hub: announcements cross instances on one pub/sub channel.
//!
//! Publishing: [`Relay::publish`] is called from request handlers and must not wait, so it adds
//! the user ids to a pending set that one publisher task drains into `PUBLISH`. The set is
//! bounded by the number of users and coalesces repeats; a failed `PUBLISH` puts the ids back and
//! is retried with backoff, so Redis being slow or down costs memory for at most one id per user.
//!
//! Subscribing: one task per instance holds a `SUBSCRIBE` connection and wakes the local streams
//! of the users it hears about. When the connection drops it reconnects with backoff (logged),
//! and after every (re)connection it wakes every local stream, because announcements made while
//! it was away are lost: each stream re-reads the database and finds what it missed.
//!
//! A message is `<origin>:<user id>,<user id>,…`; `origin` is a random id of the instance, which
//! skips its own messages (it woke its streams when publishing).

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use anyhow::Context;
use futures_util::StreamExt;
use redis::AsyncCommands;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::Registry;

/// The channel every instance publishes to and subscribes to.
pub(super) const CHANNEL: &str = "nexus:live:notifications";

/// The first retry after a failure; doubled on each further failure up to [`MAX_BACKOFF`].
const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How long connecting and subscribing may take before it counts as a failure.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// This instance's handle on the relay tasks.
#[derive(Debug)]
pub(super) struct Relay {
    outbox: Arc<Outbox>,
}

/// User ids waiting to be published.
#[derive(Debug, Default)]
struct Outbox {
    pending: Mutex<HashSet<i64>>,
    ready: Notify,
}

impl Outbox {
    fn add(&self, user_ids: &[i64]) {
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(user_ids);
        self.ready.notify_one();
    }

    fn take(&self) -> Vec<i64> {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.drain().collect()
    }
}

impl Relay {
    /// Spawns the publisher and the subscriber; they stop when `shutdown` is cancelled.
    pub(super) fn start(
        url: &SecretString,
        local: Arc<Registry>,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<Self> {
        let client = redis::Client::open(url.expose_secret())
            .context("REDIS_URL is not a valid Redis URL")?;
        let connection = crate::redis_client::lazy_connection(url.expose_secret(), MAX_BACKOFF)?;
        let origin = format!("{:016x}", rand::random::<u64>());
        let outbox = Arc::new(Outbox::default());
        tokio::spawn(publish_loop(
            connection,
            outbox.clone(),
            origin.clone(),
            shutdown.clone(),
        ));
        tokio::spawn(subscribe_loop(client, local, origin, shutdown.clone()));
        Ok(Self { outbox })
    }

    pub(super) fn publish(&self, user_ids: &[i64]) {
        self.outbox.add(user_ids);
    }
}

async fn publish_loop(
    mut connection: redis::aio::ConnectionManager,
    outbox: Arc<Outbox>,
    origin: String,
    shutdown: CancellationToken,
) {
    let mut backoff = MIN_BACKOFF;
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = outbox.ready.notified() => {}
        }
        let user_ids = outbox.take();
        if user_ids.is_empty() {
            continue;
        }
        let message = encode(&origin, &user_ids);
        let published: redis::RedisResult<i64> = connection.publish(CHANNEL, message).await;
        match published {
            Ok(_) => backoff = MIN_BACKOFF,
            Err(error) => {
                tracing::warn!(%error, users = user_ids.len(), retry_in_ms = backoff.as_millis(),
                    "live: could not publish to Redis; will retry");
                outbox.add(&user_ids);
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

async fn subscribe_loop(
    client: redis::Client,
    local: Arc<Registry>,
    origin: String,
    shutdown: CancellationToken,
) {
    let mut backoff = MIN_BACKOFF;
    let mut failures = 0_u32;
    loop {
        let connected = tokio::select! {
            () = shutdown.cancelled() => return,
            connected = subscribe(&client) => connected,
        };
        match connected {
            Ok(pubsub) => {
                if failures > 0 {
                    tracing::info!(failures, "live: Redis subscription restored");
                }
                failures = 0;
                backoff = MIN_BACKOFF;
                // Whatever was announced while we were not subscribed is found by re-reading.
                local.wake_all();
                // The sink is kept: dropping it could end the subscription.
                let (_sink, mut messages) = pubsub.split();
                loop {
                    let message = tokio::select! {
                        () = shutdown.cancelled() => return,
                        message = messages.next() => message,
                    };
                    let Some(message) = message else { break };
                    match decode(message.get_payload_bytes()) {
                        Some((from, _)) if from == origin => {}
                        Some((_, user_ids)) => local.wake(&user_ids),
                        None => {
                            tracing::warn!(channel = CHANNEL, "live: unreadable message ignored")
                        }
                    }
                }
                tracing::warn!("live: Redis subscription lost; reconnecting");
            }
            Err(error) => {
                failures += 1;
                // The first failure of a run is worth a warning; the retries that follow it are
                // the same news every few seconds.
                if failures == 1 {
                    tracing::warn!(%error, "live: could not subscribe to Redis; retrying with backoff");
                } else {
                    tracing::debug!(%error, failures, "live: Redis subscription still failing");
                }
            }
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

async fn subscribe(client: &redis::Client) -> anyhow::Result<redis::aio::PubSub> {
    let attempt = async {
        let mut pubsub = client.get_async_pubsub().await?;
        pubsub.subscribe(CHANNEL).await?;
        Ok::<_, redis::RedisError>(pubsub)
    };
    tokio::time::timeout(CONNECT_TIMEOUT, attempt)
        .await
        .context("timed out")?
        .context("Redis refused")
}

fn encode(origin: &str, user_ids: &[i64]) -> String {
    let ids: Vec<String> = user_ids.iter().map(i64::to_string).collect();
    format!("{origin}:{}", ids.join(","))
}

fn decode(payload: &[u8]) -> Option<(&str, Vec<i64>)> {
    let text = std::str::from_utf8(payload).ok()?;
    let (origin, ids) = text.split_once(':')?;
    let user_ids = ids
        .split(',')
        .map(|id| id.parse().ok())
        .collect::<Option<Vec<i64>>>()?;
    Some((origin, user_ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_garbage_is_refused() {
        let message = encode("abc", &[1, 22, 333]);
        assert_eq!(message, "abc:1,22,333");
        assert_eq!(decode(message.as_bytes()), Some(("abc", vec![1, 22, 333])));
        assert_eq!(decode(b"abc:1,x"), None);
        assert_eq!(decode(b"no colon"), None);
        assert_eq!(decode(&[0xff, b':', b'1']), None);
    }

    #[test]
    fn the_outbox_coalesces_repeats() {
        let outbox = Outbox::default();
        outbox.add(&[1, 2]);
        outbox.add(&[2, 3]);
        let mut taken = outbox.take();
        taken.sort_unstable();
        assert_eq!(taken, [1, 2, 3]);
        assert!(outbox.take().is_empty());
    }
}
