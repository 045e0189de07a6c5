//! Values kept per accounts version and user id: the callers the auth extractors read
//! (`accounts::callers`). It lives here, below the features, so the state can hold them without
//! naming a feature's type (a value is kept as `dyn Any` and handed back as the type stored), as
//! [`super::PerVersion`] does for the catalog.
//!
//! Rules: the version is read first, then the value (a value read while a change commits is kept
//! under the version that change then bumps, and never read again). Only when the versions are
//! shared (Redis): the in-process version can't see a command run beside the server, so without
//! Redis every call reads.

use std::{any::Any, future::Future, sync::Arc, time::Duration};

use super::Cache;

/// Kept values by `(accounts version, user id)`.
pub struct PerAccountsVersion {
    /// `None` when the versions aren't shared: nothing is kept.
    kept: Option<moka::future::Cache<(u64, i64), Arc<dyn Any + Send + Sync>>>,
}

impl PerAccountsVersion {
    /// At most `max_entries` values, each for at most `ttl` (the bound on changes no version
    /// sees: SQL by hand); nothing kept unless `cache` shares its versions.
    pub fn new(cache: &Cache, max_entries: u64, ttl: Duration) -> Self {
        let kept = cache.shares_versions().then(|| {
            moka::future::Cache::builder()
                .max_capacity(max_entries)
                .time_to_live(ttl)
                .build()
        });
        Self { kept }
    }

    /// The value kept for `id` under the current accounts version, else `read`'s (then kept; a
    /// `None` is not). `read` alone when nothing is kept here or the version can't be known
    /// (Redis down).
    pub async fn get_or_read<T, E, F, R>(
        &self,
        cache: &Cache,
        id: i64,
        read: R,
    ) -> Result<Option<T>, E>
    where
        T: Clone + Any + Send + Sync,
        R: FnOnce() -> F,
        F: Future<Output = Result<Option<T>, E>>,
    {
        let Some(kept) = &self.kept else {
            return read().await;
        };
        let Some(version) = cache.accounts_version().await else {
            return read().await;
        };
        let key = (version, id);
        if let Some(value) = kept.get(&key).await {
            if let Some(value) = value.downcast_ref::<T>() {
                return Ok(Some(value.clone()));
            }
        }
        let value = read().await?;
        if let Some(value) = &value {
            kept.insert(key, Arc::new(value.clone())).await;
        }
        Ok(value)
    }
}
