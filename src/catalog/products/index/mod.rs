//! The product index: anonymous product lists answered from an in-memory copy of the active
//! catalogue instead of a `COUNT` and a page query per request (issue 22; docs/cache.md,
//! "The product index").
//!
//! The copy ([`Snapshot`]) is made for one catalog version, the version the response cache keys
//! its entries with, and is used only by requests that read that version or an older one. So it
//! follows the cache's rule exactly: a catalog write that finished before a request began is in
//! its answer on every instance (with Redis the version is shared), and stock moved by orders
//! shows within `CACHE_STOCK_REFRESH_MS`. A request that finds the copy older than the version it
//! read starts one rebuild; requests arriving while a rebuild runs read the database instead of
//! waiting for it. When the version can't be read (Redis down) or the index is off
//! (`PRODUCT_INDEX_ENABLED=false`), lists read the database. Searches always do: their order is
//! the database's relevance rank.

mod query;
mod snapshot;

pub use query::{answerable, page};
pub use snapshot::{Indexed, Snapshot};

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc, RwLock,
};

use crate::{cache::Cache, config::cache::CacheSettings, db::Db};

/// The latest snapshot of this instance, and the lock that lets one rebuild run at a time.
pub struct ProductIndex {
    enabled: bool,
    max_products: u64,
    /// `CACHE_TTL_SECONDS`: a snapshot is rebuilt at least this often, so a write that bumped no
    /// version (SQL by hand, `nexus seed` against a running server) shows within it, as it does
    /// in cached answers.
    max_age: std::time::Duration,
    latest: RwLock<Option<Arc<Snapshot>>>,
    rebuilding: tokio::sync::Mutex<()>,
    /// Snapshots handed out: lists answered from memory (the tests check the index answered).
    handed_out: AtomicU64,
}

impl std::fmt::Debug for ProductIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProductIndex")
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

impl ProductIndex {
    pub fn new(settings: &CacheSettings) -> Self {
        Self {
            enabled: settings.product_index,
            max_products: settings.product_index_max,
            max_age: settings.ttl,
            latest: RwLock::new(None),
            rebuilding: tokio::sync::Mutex::new(()),
            handed_out: AtomicU64::new(0),
        }
    }

    /// How many lists this instance answered from memory so far.
    pub fn lists_answered(&self) -> u64 {
        self.handed_out.load(Ordering::Relaxed)
    }

    /// A snapshot at least as new as the catalog version now, or `None` when the caller must
    /// read the database (index off, version unknown, another request rebuilding, or the load
    /// failed).
    pub async fn snapshot(&self, db: &Db, cache: &Cache) -> Option<Arc<Snapshot>> {
        let snapshot = self.current(db, cache).await;
        if snapshot.is_some() {
            self.handed_out.fetch_add(1, Ordering::Relaxed);
        }
        snapshot
    }

    async fn current(&self, db: &Db, cache: &Cache) -> Option<Arc<Snapshot>> {
        if !self.enabled {
            return None;
        }
        // The version is read before anything else, as the response cache does: a snapshot made
        // for it (or later) holds every write that finished before this request.
        let version = cache.catalog_version().await?;
        if let Some(snapshot) = self.latest_from(version) {
            return Some(snapshot);
        }
        let _rebuilding = self.rebuilding.try_lock().ok()?;
        if let Some(snapshot) = self.latest_from(version) {
            return Some(snapshot);
        }
        let started = std::time::Instant::now();
        match Snapshot::load(db, version, self.max_products).await {
            Ok(snapshot) => {
                tracing::debug!(
                    version,
                    products = snapshot.products.len(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "product index rebuilt"
                );
                let snapshot = Arc::new(snapshot);
                let mut latest = self.latest.write().unwrap_or_else(|e| e.into_inner());
                if latest
                    .as_ref()
                    .is_none_or(|kept| kept.loaded_at <= snapshot.loaded_at)
                {
                    *latest = Some(Arc::clone(&snapshot));
                }
                Some(snapshot)
            }
            Err(error) => {
                tracing::warn!(%error, "product index not rebuilt: lists read the database");
                None
            }
        }
    }

    /// The kept snapshot when it was made for `version` or later, within its maximum age.
    fn latest_from(&self, version: u64) -> Option<Arc<Snapshot>> {
        let latest = self.latest.read().unwrap_or_else(|e| e.into_inner());
        latest
            .as_ref()
            .filter(|snapshot| {
                snapshot.version >= version && snapshot.loaded_at.elapsed() < self.max_age
            })
            .cloned()
    }
}
