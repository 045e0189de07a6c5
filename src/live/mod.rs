//! Real-time fan-out (SPEC §1): tells every instance's open notification streams that a user has
//! something new. The message is only "user N has news"; each stream then reads what it has not
//! sent from the database, so a lost message delays a notification but can't lose or reorder one.
//!
//! Streams subscribe per user, so one user's news wakes that user's streams only. A wake-up is a
//! [`Notify`] permit: wake-ups that arrive while a stream is busy coalesce into one, so a stream
//! holds no queue of them however much happens. With `REDIS_URL`, [`Hub::publish`] also hands the
//! user ids to the Redis relay (`relay.rs`), which publishes them for the other instances and
//! wakes this instance's streams with what they publish.

mod relay;

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};

use secrecy::SecretString;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The hub every stream on this instance subscribes to (`state.live`).
#[derive(Debug, Default)]
pub struct Hub {
    local: Arc<Registry>,
    relay: Option<relay::Relay>,
}

impl Hub {
    /// An in-process hub when `redis_url` is `None`; otherwise one that also relays through Redis
    /// pub/sub, with its publisher and subscriber tasks running until `shutdown` is cancelled.
    /// Must be called inside the runtime (it spawns those tasks); Redis need not be up yet.
    pub fn new(
        redis_url: Option<&SecretString>,
        shutdown: &CancellationToken,
    ) -> anyhow::Result<Self> {
        let local = Arc::new(Registry::default());
        let relay = redis_url
            .map(|url| relay::Relay::start(url, local.clone(), shutdown))
            .transpose()?;
        Ok(Self { local, relay })
    }

    /// Announces that `user_ids` have new notifications, on this instance at once and on the
    /// others through Redis when configured.
    pub fn publish(&self, user_ids: &[i64]) {
        self.local.wake(user_ids);
        if let Some(relay) = &self.relay {
            relay.publish(user_ids);
        }
    }

    /// Wake-ups for `user_id` from now on, until the subscription is dropped.
    pub fn subscribe(&self, user_id: i64) -> Subscription {
        let wake = Arc::new(Notify::new());
        self.local
            .lock()
            .entry(user_id)
            .or_default()
            .push(wake.clone());
        Subscription {
            registry: self.local.clone(),
            user_id,
            wake,
        }
    }
}

/// One stream's wake-ups for one user.
#[derive(Debug)]
pub struct Subscription {
    registry: Arc<Registry>,
    user_id: i64,
    wake: Arc<Notify>,
}

impl Subscription {
    /// Waits for news for the user; news since the last call (or since subscribing) returns at
    /// once, however many announcements it was.
    pub async fn notified(&self) {
        self.wake.notified().await;
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut streams = self.registry.lock();
        if let Some(wakes) = streams.get_mut(&self.user_id) {
            wakes.retain(|wake| !Arc::ptr_eq(wake, &self.wake));
            if wakes.is_empty() {
                streams.remove(&self.user_id);
            }
        }
    }
}

/// The streams open on this instance, by user.
#[derive(Debug, Default)]
struct Registry {
    streams: Mutex<HashMap<i64, Vec<Arc<Notify>>>>,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Vec<Arc<Notify>>>> {
        // The map stays consistent whatever panicked while holding it (every change is one call).
        self.streams.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wake(&self, user_ids: &[i64]) {
        let streams = self.lock();
        for user_id in user_ids {
            for wake in streams.get(user_id).into_iter().flatten() {
                // `notify_one` keeps a permit when the stream is not waiting: it re-reads then.
                wake.notify_one();
            }
        }
    }

    /// Wakes every stream: after the Redis subscription was down, announcements may be lost.
    fn wake_all(&self) {
        for wake in self.lock().values().flatten() {
            wake.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    async fn woken(subscription: &Subscription) -> bool {
        tokio::time::timeout(Duration::from_millis(50), subscription.notified())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn only_the_announced_users_streams_wake() {
        let hub = Hub::default();
        let alice = hub.subscribe(1);
        let bob = hub.subscribe(2);
        hub.publish(&[1]);
        assert!(woken(&alice).await);
        assert!(!woken(&bob).await);
    }

    #[tokio::test]
    async fn announcements_while_busy_coalesce_into_one_wake_up() {
        let hub = Hub::default();
        let stream = hub.subscribe(7);
        for _ in 0..1000 {
            hub.publish(&[7]);
        }
        assert!(woken(&stream).await);
        assert!(!woken(&stream).await, "one permit, not a queue of 1000");
    }

    #[tokio::test]
    async fn a_dropped_subscription_leaves_the_registry() {
        let hub = Hub::default();
        let first = hub.subscribe(3);
        let second = hub.subscribe(3);
        drop(first);
        assert_eq!(hub.local.lock()[&3].len(), 1);
        hub.publish(&[3]);
        assert!(woken(&second).await);
        drop(second);
        assert!(hub.local.lock().is_empty());
    }
}
