//! The response cache for catalog reads (SPEC §1, §3.8). See docs/cache.md.
//!
//! One interface, two backends: a bounded in-process moka cache with a TTL (the default), and Redis
//! when `REDIS_URL` is set, so every instance shares the entries. Keys carry a catalog-wide version
//! (`catalog:v{version}:...`): one bump after a write makes every cached catalog read unreachable on
//! every instance at once (with Redis the version is a Redis counter). A Redis failure never
//! becomes an error: reads and writes go to the database uncached, the failure is logged once and
//! `/health/` reports the cache as `degraded` until Redis answers again.
//!
//! The same backend keeps a second version, the accounts version, which the callers kept in
//! [`PerAccountsVersion`] follow: a change to who a user is (role, active, name) bumps it.

mod entry;
pub mod middleware;
mod paths;
mod per_accounts_version;
mod per_version;
mod redis_backend;

pub use per_accounts_version::PerAccountsVersion;
pub use per_version::PerVersion;

use self::redis_backend::RedisCache;

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::body::Bytes;
use secrecy::ExposeSecret;

pub use crate::config::cache::CacheSettings;

/// moka expiry: each entry lives for the TTL it was stored with (`Cache::set`'s `ttl`).
struct PerEntryTtl;

impl moka::Expiry<String, (Bytes, Duration)> for PerEntryTtl {
    fn expire_after_create(
        &self,
        _key: &String,
        value: &(Bytes, Duration),
        _created_at: std::time::Instant,
    ) -> Option<Duration> {
        Some(value.1)
    }
}

/// The versions the backend keeps, each bumped by the writes it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SharedVersion {
    /// Every catalog read: cached answers and the product index.
    Catalog = 0,
    /// Every caller: role, active flag, name, ended sessions ([`PerAccountsVersion`]).
    Accounts = 1,
}

enum Backend {
    InProcess {
        /// The value with its own time to live (see [`PerEntryTtl`]).
        entries: moka::future::Cache<String, (Bytes, Duration)>,
        /// Indexed by [`SharedVersion`].
        versions: [AtomicU64; 2],
    },
    Redis(Arc<RedisCache>),
}

/// What `/health/cache/` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheStats {
    /// `in-process`, `redis`, `degraded` (Redis failing) or `disabled`.
    pub state: &'static str,
    pub hits: u64,
    pub misses: u64,
}

/// The cache every handler shares (through `AppState`).
pub struct Cache {
    backend: Backend,
    /// `CACHE_ENABLED`: whether answers are stored. The catalog version is kept either way, since
    /// the product index (`catalog::products::index`) follows it too.
    stores_answers: bool,
    ttl: Duration,
    hits: AtomicU64,
    misses: AtomicU64,
    stock_refresh: Duration,
    /// Unix milliseconds of this instance's last version bump.
    last_bump_ms: AtomicU64,
    /// Whether a deferred bump for stock changes is scheduled.
    stock_bump_pending: AtomicBool,
}

impl std::fmt::Debug for Cache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("backend", &self.backend_name())
            .finish_non_exhaustive()
    }
}

impl Cache {
    /// Redis when `REDIS_URL` is set (lazily connected), in-process otherwise. With
    /// `CACHE_ENABLED=false` nothing is stored, but the version is still kept in the same place
    /// (Redis, shared by every instance, or this process).
    pub fn new(settings: &CacheSettings) -> anyhow::Result<Self> {
        let backend = match &settings.redis_url {
            Some(url) => Backend::Redis(Arc::new(RedisCache::new(
                url.expose_secret(),
                settings.redis_prefix.clone(),
                settings.max_entries,
                settings.ttl,
            )?)),
            None => Backend::InProcess {
                entries: moka::future::Cache::builder()
                    .max_capacity(settings.max_entries)
                    .expire_after(PerEntryTtl)
                    .build(),
                versions: [AtomicU64::new(0), AtomicU64::new(0)],
            },
        };
        Ok(Self {
            backend,
            stores_answers: settings.enabled,
            ttl: settings.ttl,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            stock_refresh: settings.stock_refresh,
            last_bump_ms: AtomicU64::new(0),
            stock_bump_pending: AtomicBool::new(false),
        })
    }

    fn backend_name(&self) -> &'static str {
        match self.backend {
            _ if !self.stores_answers => "disabled",
            Backend::InProcess { .. } => "in-process",
            Backend::Redis(_) => "redis",
        }
    }

    /// Whether the versions live in Redis, shared by every instance and by commands run beside
    /// them, rather than in this process alone.
    pub fn shares_versions(&self) -> bool {
        matches!(self.backend, Backend::Redis(_))
    }

    /// Whether answers are stored (`CACHE_ENABLED`).
    pub fn is_enabled(&self) -> bool {
        self.stores_answers
    }

    /// The current catalog version; `None` when it can't be known right now (Redis down), in
    /// which case the caller reads the database.
    pub async fn catalog_version(&self) -> Option<u64> {
        self.version(SharedVersion::Catalog).await
    }

    /// Makes every cached catalog read stale, on every instance sharing the backend.
    pub async fn bump_catalog_version(&self) {
        self.last_bump_ms.store(unix_millis(), Ordering::SeqCst);
        self.bump(SharedVersion::Catalog).await;
    }

    /// The current accounts version, as [`Cache::catalog_version`] reads the catalog's.
    pub async fn accounts_version(&self) -> Option<u64> {
        self.version(SharedVersion::Accounts).await
    }

    /// Makes every cached caller stale, on every instance sharing the backend; called once a
    /// change to a user's role, active flag or name has committed.
    pub async fn bump_accounts_version(&self) {
        self.bump(SharedVersion::Accounts).await;
    }

    async fn version(&self, which: SharedVersion) -> Option<u64> {
        match &self.backend {
            Backend::InProcess { versions, .. } => {
                Some(versions[which as usize].load(Ordering::SeqCst))
            }
            Backend::Redis(redis) => redis.version(which).await,
        }
    }

    async fn bump(&self, which: SharedVersion) {
        match &self.backend {
            Backend::InProcess { versions, .. } => {
                versions[which as usize].fetch_add(1, Ordering::SeqCst);
            }
            Backend::Redis(redis) => redis.bump_version(which).await,
        }
    }

    /// After a write that only moved stock (orders: checkout, cancellation, payment, status
    /// changes). Cached stock levels may lag by up to `stock_refresh`: the version is bumped at
    /// once when the last bump is older than that, otherwise one bump is scheduled for the end of
    /// the interval. Heavy order traffic then costs one bump per interval, not one per order,
    /// and the cache keeps serving between them. Every bump still follows the writes it covers
    /// (they committed before their handlers returned), so no stale entry outlives the interval.
    pub async fn bump_after_stock_change(self: &Arc<Self>) {
        let due = self.last_bump_ms.load(Ordering::SeqCst) + self.stock_refresh.as_millis() as u64;
        let now = unix_millis();
        if now >= due {
            self.bump_catalog_version().await;
        } else if !self.stock_bump_pending.swap(true, Ordering::SeqCst) {
            let cache = Arc::clone(self);
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(due - now)).await;
                cache.stock_bump_pending.store(false, Ordering::SeqCst);
                cache.bump_catalog_version().await;
            });
        }
    }

    /// The key of a catalog read under `version`.
    pub fn catalog_key(version: u64, request: &str) -> String {
        format!("catalog:v{version}:{request}")
    }

    /// A cached value; counts a hit or a miss.
    pub async fn get(&self, key: &str) -> Option<Bytes> {
        let value = match &self.backend {
            _ if !self.stores_answers => None,
            Backend::InProcess { entries, .. } => entries.get(key).await.map(|(value, _)| value),
            Backend::Redis(redis) => redis.get(key).await,
        };
        let (counter, result) = if value.is_some() {
            (&self.hits, "hit")
        } else {
            (&self.misses, "miss")
        };
        counter.fetch_add(1, Ordering::Relaxed);
        metrics::counter!(crate::telemetry::metrics::CACHE_LOOKUPS_TOTAL, "result" => result)
            .increment(1);
        value
    }

    /// Stores `value` for `ttl` (the configured TTL when `None`); a failure is a no-op.
    pub async fn set(&self, key: &str, value: Bytes, ttl: Option<Duration>) {
        let ttl = ttl.unwrap_or(self.ttl);
        match &self.backend {
            _ if !self.stores_answers => {}
            Backend::InProcess { entries, .. } => {
                entries.insert(key.to_owned(), (value, ttl)).await;
            }
            Backend::Redis(redis) => redis.set(key, value, ttl).await,
        }
    }

    /// Backend state and counters. With Redis, this checks that Redis answers (respecting the
    /// retry pause after a failure), so a health probe notices an outage without traffic.
    pub async fn stats(&self) -> CacheStats {
        let state = match &self.backend {
            Backend::Redis(redis) if self.stores_answers => {
                let _ = self.catalog_version().await;
                if redis.is_failing() {
                    "degraded"
                } else {
                    "redis"
                }
            }
            _ => self.backend_name(),
        };
        CacheStats {
            state,
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}

pub(crate) fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_process() -> Cache {
        Cache::new(&CacheSettings::from_lookup(|_| None).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn a_bump_makes_old_keys_unreachable() {
        let cache = in_process();
        let v = cache.catalog_version().await.unwrap();
        let key = Cache::catalog_key(v, "/api/v1/products/");
        assert_eq!(cache.get(&key).await, None);
        cache.set(&key, Bytes::from_static(b"[]"), None).await;
        assert_eq!(cache.get(&key).await, Some(Bytes::from_static(b"[]")));
        cache.bump_catalog_version().await;
        let v2 = cache.catalog_version().await.unwrap();
        assert_ne!(v, v2);
        assert_eq!(
            cache
                .get(&Cache::catalog_key(v2, "/api/v1/products/"))
                .await,
            None
        );
        let stats = cache.stats().await;
        assert_eq!(
            (stats.state, stats.hits, stats.misses),
            ("in-process", 1, 2)
        );
    }

    fn with_stock_refresh(millis: &str) -> Arc<Cache> {
        let settings = CacheSettings::from_lookup(|k| {
            (k == "CACHE_STOCK_REFRESH_MS").then(|| millis.to_owned())
        })
        .unwrap();
        Arc::new(Cache::new(&settings).unwrap())
    }

    #[tokio::test]
    async fn stock_changes_within_the_interval_share_one_deferred_bump() {
        let cache = with_stock_refresh("200");
        cache.bump_catalog_version().await;
        let v = cache.catalog_version().await.unwrap();
        for _ in 0..5 {
            cache.bump_after_stock_change().await;
        }
        assert_eq!(
            cache.catalog_version().await,
            Some(v),
            "deferred, not at once"
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(
            cache.catalog_version().await,
            Some(v + 1),
            "one bump for all five"
        );
        // Once an interval has passed since that bump, the next stock change bumps at once.
        tokio::time::sleep(Duration::from_millis(250)).await;
        cache.bump_after_stock_change().await;
        assert_eq!(cache.catalog_version().await, Some(v + 2));
    }

    #[tokio::test]
    async fn a_zero_interval_bumps_for_every_stock_change() {
        let cache = with_stock_refresh("0");
        let v = cache.catalog_version().await.unwrap();
        for _ in 0..3 {
            cache.bump_after_stock_change().await;
        }
        assert_eq!(cache.catalog_version().await, Some(v + 3));
    }

    #[tokio::test]
    async fn an_unreachable_redis_is_a_miss_and_degraded() {
        let settings = CacheSettings::from_lookup(|k| {
            (k == "REDIS_URL").then(|| "redis://127.0.0.1:1".to_owned())
        })
        .unwrap();
        let cache = Cache::new(&settings).unwrap();
        assert_eq!(cache.catalog_version().await, None);
        cache.set("k", Bytes::from_static(b"x"), None).await;
        assert_eq!(cache.get("k").await, None);
        cache.bump_catalog_version().await;
        assert_eq!(cache.stats().await.state, "degraded");
    }

    #[tokio::test]
    async fn entries_expire_after_their_ttl() {
        let cache = in_process();
        cache
            .set(
                "short",
                Bytes::from_static(b"1"),
                Some(Duration::from_millis(50)),
            )
            .await;
        cache.set("long", Bytes::from_static(b"2"), None).await;
        assert!(cache.get("short").await.is_some());
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert_eq!(cache.get("short").await, None);
        assert!(cache.get("long").await.is_some());
    }
}
