//! The Redis backend of the catalog cache: entries and the shared versions (the catalog's, and
//! the accounts' that cached callers follow) live in Redis, shared by every instance.
//!
//! Two things keep a cache hit cheap without weakening "an edit is visible everywhere at once":
//!
//! * **Local copies of entries.** A key carries the catalog version, so the entry stored under it
//!   never changes: once fetched, this instance keeps a copy (bounded, same TTL) and a hit needs
//!   no entry transfer from Redis, only the version.
//! * **Coalesced version reads.** Every cached read must see the version as it is *after* the
//!   request arrived (a write that finished before the request must be visible). Concurrent
//!   readers share one Redis `GET` that started after all of them arrived: callers queue, and one
//!   background task reads for the whole queue, then for whoever queued meanwhile, and so on. Under
//!   load Redis sees one version read per round trip instead of one per request; an idle instance
//!   reads once per request, as before. (Several readers taking turns measured no better: log 47.)
//!
//! The version never goes back: a Redis that lost its data (restarted without persistence) would
//! count from zero again and readdress local copies from before, so a missing version starts at
//! Redis's clock in milliseconds instead (both scripts below), above any version it held before.
//!
//! A Redis failure never becomes an error: the caller reads uncached, the failure is logged once,
//! local copies are dropped, and Redis is left alone for [`RETRY_AFTER`] before it is tried again.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use axum::body::Bytes;
use tokio::sync::oneshot;

use super::{unix_millis, SharedVersion};

/// How long Redis is left alone after a failure before it is tried again.
pub const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Lua that starts a missing version at Redis's clock (ms); shared by both scripts.
const INIT_VERSION: &str = "if redis.call('EXISTS', KEYS[1]) == 0 then \
    local now = redis.call('TIME') \
    redis.call('SET', KEYS[1], now[1] * 1000 + math.floor(now[2] / 1000)) end ";

/// Entries and the versions in Redis, with this instance's local copies of entries.
pub struct RedisCache {
    connection: redis::aio::ConnectionManager,
    prefix: String,
    /// Unix milliseconds before which Redis is skipped (after a failure).
    down_until_ms: AtomicU64,
    /// Whether the current outage was logged (and is reported as `degraded`).
    failing: AtomicBool,
    /// Entries already read from or written to Redis, by their (versioned) key.
    local: moka::future::Cache<String, Bytes>,
    /// The catalog version and the accounts version, indexed by [`SharedVersion`].
    versions: [VersionCounter; 2],
    start_version: redis::Script,
    bump_version: redis::Script,
}

/// One version's key in Redis, and its readers.
struct VersionCounter {
    key: String,
    /// Callers waiting for the next read, and whether a reader task is running.
    queue: Mutex<VersionQueue>,
}

impl VersionCounter {
    fn new(key: String) -> Self {
        Self {
            key,
            queue: Mutex::new(VersionQueue::default()),
        }
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, VersionQueue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Default)]
struct VersionQueue {
    reader_running: bool,
    waiting: Vec<oneshot::Sender<Option<u64>>>,
}

impl RedisCache {
    /// A lazily connected client: the server starts (uncached) even when Redis is down.
    pub fn new(url: &str, prefix: String, max_entries: u64, ttl: Duration) -> anyhow::Result<Self> {
        let connection = crate::redis_client::lazy_connection(url, Duration::from_millis(200))?;
        Ok(Self {
            connection,
            down_until_ms: AtomicU64::new(0),
            failing: AtomicBool::new(false),
            local: moka::future::Cache::builder()
                .max_capacity(max_entries)
                .time_to_live(ttl)
                .build(),
            versions: [
                VersionCounter::new(format!("{prefix}catalog:version")),
                VersionCounter::new(format!("{prefix}accounts:version")),
            ],
            prefix,
            start_version: redis::Script::new(&format!(
                "{INIT_VERSION} return tonumber(redis.call('GET', KEYS[1]))"
            )),
            bump_version: redis::Script::new(&format!(
                "{INIT_VERSION} return redis.call('INCR', KEYS[1])"
            )),
        })
    }

    /// Whether Redis is failing right now (`/health/` reports the cache as `degraded`).
    pub fn is_failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }

    fn counter(&self, which: SharedVersion) -> &VersionCounter {
        &self.versions[which as usize]
    }

    /// `which` version as Redis has it after this call began; `None` when Redis is down.
    pub async fn version(self: &Arc<Self>, which: SharedVersion) -> Option<u64> {
        let (sender, receiver) = oneshot::channel();
        let start_reader = {
            let mut queue = self.counter(which).queue();
            queue.waiting.push(sender);
            !std::mem::replace(&mut queue.reader_running, true)
        };
        if start_reader {
            // A task of its own, so a caller that goes away (client disconnect) can't strand
            // the others in the queue.
            tokio::spawn(Arc::clone(self).read_versions_for_queue(which));
        }
        receiver.await.ok().flatten()
    }

    /// Serves `which` version's queue until it is empty: each read starts after every caller
    /// it answers had queued.
    async fn read_versions_for_queue(self: Arc<Self>, which: SharedVersion) {
        loop {
            let batch = {
                let mut queue = self.counter(which).queue();
                if queue.waiting.is_empty() {
                    queue.reader_running = false;
                    return;
                }
                std::mem::take(&mut queue.waiting)
            };
            let version = self.read_version(which).await;
            for caller in batch {
                let _ = caller.send(version);
            }
        }
    }

    /// One read of the version: a plain `GET`, which costs Redis a tenth of running a script
    /// (docs/PERFORMANCE.md, log 51); the script only when the version is missing, to start it
    /// at Redis's clock.
    async fn read_version(&self, which: SharedVersion) -> Option<u64> {
        let key = &self.counter(which).key;
        let stored: Option<u64> = self.run(redis::cmd("GET").arg(key).clone()).await?;
        match stored {
            Some(version) => Some(version),
            None => self.run_script(&self.start_version, key).await,
        }
    }

    /// Makes everything kept under `which` version's current value unreachable, on every
    /// instance.
    pub async fn bump_version(&self, which: SharedVersion) {
        let key = &self.counter(which).key;
        let _: Option<u64> = self.run_script(&self.bump_version, key).await;
    }

    /// The entry under `key`: the local copy, else Redis (then kept locally).
    pub async fn get(&self, key: &str) -> Option<Bytes> {
        if let Some(value) = self.local.get(key).await {
            return Some(value);
        }
        let value: Option<Option<Vec<u8>>> = self
            .run(
                redis::cmd("GET")
                    .arg(format!("{}{key}", self.prefix))
                    .clone(),
            )
            .await;
        let value = Bytes::from(value.flatten()?);
        self.local.insert(key.to_owned(), value.clone()).await;
        Some(value)
    }

    /// Stores `value` in Redis for `ttl` and keeps a local copy; a Redis failure is a no-op.
    pub async fn set(&self, key: &str, value: Bytes, ttl: Duration) {
        let stored: Option<()> = self
            .run(
                redis::cmd("SET")
                    .arg(format!("{}{key}", self.prefix))
                    .arg(value.as_ref())
                    .arg("EX")
                    .arg(ttl.as_secs().max(1))
                    .clone(),
            )
            .await;
        if stored.is_some() {
            self.local.insert(key.to_owned(), value).await;
        }
    }

    /// Runs `command`; `None` (logged once per outage) when Redis is unavailable.
    async fn run<T: redis::FromRedisValue>(&self, command: redis::Cmd) -> Option<T> {
        let mut connection = self.available()?;
        let result = command.query_async::<T>(&mut connection).await;
        self.outcome(result).await
    }

    /// Runs one of the version scripts on a version's key, like [`RedisCache::run`].
    async fn run_script<T: redis::FromRedisValue>(
        &self,
        script: &redis::Script,
        key: &str,
    ) -> Option<T> {
        let mut connection = self.available()?;
        let result = script.key(key).invoke_async::<T>(&mut connection).await;
        self.outcome(result).await
    }

    /// A connection, unless Redis failed less than [`RETRY_AFTER`] ago.
    fn available(&self) -> Option<redis::aio::ConnectionManager> {
        (unix_millis() >= self.down_until_ms.load(Ordering::Relaxed))
            .then(|| self.connection.clone())
    }

    /// Records a command's success or failure (logging a change of state once).
    async fn outcome<T>(&self, result: redis::RedisResult<T>) -> Option<T> {
        match result {
            Ok(value) => {
                if self.failing.swap(false, Ordering::Relaxed) {
                    tracing::info!("Redis cache is available again");
                    // A version bump may have been lost during the outage: start afresh.
                    for counter in &self.versions {
                        let _: Option<u64> =
                            Box::pin(self.run_script(&self.bump_version, &counter.key)).await;
                    }
                    // This command's answer predates those bumps (a version read would address
                    // what was kept before the outage): it counts as one more failed command.
                    return None;
                }
                Some(value)
            }
            Err(error) => {
                self.down_until_ms.store(
                    unix_millis() + RETRY_AFTER.as_millis() as u64,
                    Ordering::Relaxed,
                );
                // Copies made before the outage can't be checked against bumps made during it.
                self.local.invalidate_all();
                if !self.failing.swap(true, Ordering::Relaxed) {
                    tracing::warn!(%error,
                        "Redis cache failed; serving uncached until it answers again");
                }
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Against a real Redis (`TEST_REDIS_URL`); reported ignored when it is unset (build.rs
    //! turns `nexus_test_redis` on when it is set).

    use super::*;

    const CATALOG: SharedVersion = SharedVersion::Catalog;

    fn cache() -> Arc<RedisCache> {
        let url = std::env::var("TEST_REDIS_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .expect("TEST_REDIS_URL was set when this test was built but is not set now");
        let prefix = format!("nexus-unit-{}:", uuid::Uuid::new_v4().simple());
        Arc::new(RedisCache::new(&url, prefix, 100, Duration::from_secs(30)).unwrap())
    }

    #[tokio::test]
    #[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
    async fn a_missing_version_starts_at_the_redis_clock_and_only_grows() {
        let cache = cache();
        let first = cache.version(CATALOG).await.unwrap();
        assert!(
            first > unix_millis() - 60_000,
            "{first} is Redis's clock in ms"
        );
        cache.bump_version(CATALOG).await;
        assert_eq!(cache.version(CATALOG).await, Some(first + 1));
    }

    #[tokio::test]
    #[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
    async fn a_version_redis_lost_starts_again_above_every_version_it_held() {
        let cache = cache();
        // A version far below Redis's clock, as a long-lived counter could hold.
        let _: Option<()> = cache
            .run(
                redis::cmd("SET")
                    .arg(&cache.counter(CATALOG).key)
                    .arg(7)
                    .clone(),
            )
            .await;
        assert_eq!(cache.version(CATALOG).await, Some(7), "read as stored");
        cache.bump_version(CATALOG).await;
        assert_eq!(cache.version(CATALOG).await, Some(8));
        // Redis restarted without persistence: the next read starts the version afresh.
        let _: Option<u64> = cache
            .run(redis::cmd("DEL").arg(&cache.counter(CATALOG).key).clone())
            .await;
        let restarted = cache.version(CATALOG).await.unwrap();
        assert!(
            restarted > unix_millis() - 60_000,
            "{restarted} is Redis's clock in ms, not a miss and not zero"
        );
        assert_eq!(
            cache.version(CATALOG).await,
            Some(restarted),
            "kept once started"
        );
    }

    #[tokio::test]
    #[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
    async fn every_read_that_starts_after_a_bump_sees_it() {
        let cache = cache();
        let mut expected = cache.version(CATALOG).await.unwrap();
        for _ in 0..5 {
            cache.bump_version(CATALOG).await;
            expected += 1;
            // Many readers at once share reads, but none may answer from a read that began
            // before the bump returned.
            let readers: Vec<_> = (0..200)
                .map(|_| {
                    tokio::spawn({
                        let cache = Arc::clone(&cache);
                        async move { cache.version(CATALOG).await }
                    })
                })
                .collect();
            for reader in readers {
                assert_eq!(reader.await.unwrap(), Some(expected));
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
    async fn no_read_answers_older_than_the_bumps_finished_before_it_began() {
        let cache = cache();
        let start = cache.version(CATALOG).await.unwrap();
        let bumped = Arc::new(AtomicU64::new(0));
        let bumper = tokio::spawn({
            let (cache, bumped) = (Arc::clone(&cache), Arc::clone(&bumped));
            async move {
                for _ in 0..200 {
                    cache.bump_version(CATALOG).await;
                    bumped.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        // Many readers share reads while the version moves under them.
        let readers: Vec<_> = (0..16)
            .map(|_| {
                let (cache, bumped) = (Arc::clone(&cache), Arc::clone(&bumped));
                tokio::spawn(async move {
                    while bumped.load(Ordering::SeqCst) < 200 {
                        let floor = start + bumped.load(Ordering::SeqCst);
                        let seen = cache.version(CATALOG).await.unwrap();
                        assert!(seen >= floor, "read {seen}, but {floor} was bumped before");
                    }
                })
            })
            .collect();
        bumper.await.unwrap();
        for reader in readers {
            reader.await.unwrap();
        }
    }

    #[tokio::test]
    #[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
    async fn the_catalog_and_accounts_versions_move_apart() {
        let cache = cache();
        let accounts = SharedVersion::Accounts;
        let (catalog_before, accounts_before) = (
            cache.version(CATALOG).await.unwrap(),
            cache.version(accounts).await.unwrap(),
        );
        cache.bump_version(accounts).await;
        assert_eq!(cache.version(accounts).await, Some(accounts_before + 1));
        assert_eq!(
            cache.version(CATALOG).await,
            Some(catalog_before),
            "a changed caller leaves the catalog cache alone"
        );
        cache.bump_version(CATALOG).await;
        assert_eq!(cache.version(CATALOG).await, Some(catalog_before + 1));
        assert_eq!(cache.version(accounts).await, Some(accounts_before + 1));
    }

    #[tokio::test]
    #[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
    async fn the_read_that_finds_redis_back_bumps_both_versions_and_answers_none() {
        let cache = cache();
        let accounts = SharedVersion::Accounts;
        let catalog_before = cache.version(CATALOG).await.unwrap();
        let accounts_before = cache.version(accounts).await.unwrap();
        // As after an outage: the next command that succeeds is the one that finds Redis back.
        cache.failing.store(true, Ordering::Relaxed);
        assert_eq!(
            cache.version(CATALOG).await,
            None,
            "its answer was read before the recovery bumps"
        );
        assert!(!cache.is_failing());
        assert_eq!(cache.version(CATALOG).await, Some(catalog_before + 1));
        assert_eq!(cache.version(accounts).await, Some(accounts_before + 1));
    }

    #[tokio::test]
    #[cfg_attr(not(nexus_test_redis), ignore = "TEST_REDIS_URL is not set")]
    async fn entries_are_kept_locally_once_read() {
        let cache = cache();
        cache
            .set("k", Bytes::from_static(b"v"), Duration::from_secs(30))
            .await;
        // Gone from Redis, still answered from the local copy (the key's version pins it).
        let _: Option<u64> = cache
            .run(redis::cmd("DEL").arg(format!("{}k", cache.prefix)).clone())
            .await;
        assert_eq!(cache.get("k").await, Some(Bytes::from_static(b"v")));
        assert_eq!(cache.get("other").await, None);
    }
}
