//! A value derived from the catalog and kept for one catalog version: the product index's
//! snapshot (`catalog::products::index`). It lives here, below the features, so the state can
//! hold it without naming a feature's type (the value is kept as `dyn Any` and handed back as
//! the type its builder made).
//!
//! Rules: a caller reads the version first and gets a value built for that version or a later
//! one, never older, and never one older than `max_age`. One rebuild runs at a time; callers
//! arriving meanwhile get `None` and read the database instead of waiting for it.

use std::{
    any::Any,
    future::Future,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, RwLock,
    },
    time::{Duration, Instant},
};

use super::Cache;

/// A built value with the version it was built for.
struct Kept {
    version: u64,
    built_at: Instant,
    value: Arc<dyn Any + Send + Sync>,
}

/// The latest value of this instance and the lock that lets one rebuild run at a time.
pub struct PerVersion {
    enabled: bool,
    max_age: Duration,
    latest: RwLock<Option<Kept>>,
    rebuilding: tokio::sync::Mutex<()>,
    /// Values handed out (the tests check the index answered).
    handed_out: AtomicU64,
}

impl std::fmt::Debug for PerVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PerVersion")
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

impl PerVersion {
    /// `max_age`: a value is rebuilt at least this often, so a write that bumped no version (SQL
    /// by hand, `nexus seed` against a running server) shows within it, as in cached answers.
    pub fn new(enabled: bool, max_age: Duration) -> Self {
        Self {
            enabled,
            max_age,
            latest: RwLock::new(None),
            rebuilding: tokio::sync::Mutex::new(()),
            handed_out: AtomicU64::new(0),
        }
    }

    /// How many values this instance handed out so far.
    pub fn handed_out(&self) -> u64 {
        self.handed_out.load(Ordering::Relaxed)
    }

    /// A value at least as new as the catalog version now: the kept one, or one `build` makes
    /// for the version (`None` from it: nothing kept). `None` when the caller must read the
    /// database: switched off, the version unknown (Redis down), or another rebuild running.
    pub async fn get<T, B, F>(&self, cache: &Cache, build: B) -> Option<Arc<T>>
    where
        T: Any + Send + Sync,
        B: FnOnce(u64) -> F,
        F: Future<Output = Option<T>>,
    {
        if !self.enabled {
            return None;
        }
        // The version first, as the response cache reads it: a value built for it (or later)
        // holds every write that finished before this call.
        let version = cache.catalog_version().await?;
        let value = match self.kept_from(version) {
            Some(value) => value,
            None => self.rebuild(version, build).await?,
        };
        let value = value.downcast::<T>().ok()?;
        self.handed_out.fetch_add(1, Ordering::Relaxed);
        Some(value)
    }

    async fn rebuild<T, B, F>(&self, version: u64, build: B) -> Option<Arc<dyn Any + Send + Sync>>
    where
        T: Any + Send + Sync,
        B: FnOnce(u64) -> F,
        F: Future<Output = Option<T>>,
    {
        let _rebuilding = self.rebuilding.try_lock().ok()?;
        if let Some(value) = self.kept_from(version) {
            return Some(value);
        }
        let built_at = Instant::now();
        let value: Arc<dyn Any + Send + Sync> = Arc::new(build(version).await?);
        let mut latest = self.latest.write().unwrap_or_else(|e| e.into_inner());
        if latest.as_ref().is_none_or(|kept| kept.built_at <= built_at) {
            *latest = Some(Kept {
                version,
                built_at,
                value: Arc::clone(&value),
            });
        }
        Some(value)
    }

    /// The kept value when it was built for `version` or later, within its maximum age.
    fn kept_from(&self, version: u64) -> Option<Arc<dyn Any + Send + Sync>> {
        let latest = self.latest.read().unwrap_or_else(|e| e.into_inner());
        latest
            .as_ref()
            .filter(|kept| kept.version >= version && kept.built_at.elapsed() < self.max_age)
            .map(|kept| Arc::clone(&kept.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::cache::CacheSettings;

    fn cache() -> Cache {
        Cache::new(&CacheSettings::from_lookup(|_| None).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn a_value_is_kept_until_the_version_moves() {
        let cache = cache();
        let kept = PerVersion::new(true, Duration::from_secs(60));
        let first = kept.get(&cache, |v| async move { Some(v) }).await.unwrap();
        let again = kept.get(&cache, |_| async { Some(99u64) }).await.unwrap();
        assert_eq!((*first, *again), (*first, *first), "kept, not rebuilt");
        cache.bump_catalog_version().await;
        let after = kept.get(&cache, |v| async move { Some(v) }).await.unwrap();
        assert_eq!(*after, *first + 1, "rebuilt for the new version");
        assert_eq!(kept.handed_out(), 3);
    }

    #[tokio::test]
    async fn switched_off_or_past_its_age_nothing_is_kept() {
        let cache = cache();
        let off = PerVersion::new(false, Duration::from_secs(60));
        assert!(off.get(&cache, |_| async { Some(1u8) }).await.is_none());
        let young = PerVersion::new(true, Duration::ZERO);
        assert_eq!(
            *young.get(&cache, |_| async { Some(1u8) }).await.unwrap(),
            1
        );
        assert_eq!(
            *young.get(&cache, |_| async { Some(2u8) }).await.unwrap(),
            2
        );
    }
}
