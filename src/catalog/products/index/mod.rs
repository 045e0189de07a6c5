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
//! (`PRODUCT_INDEX_ENABLED=false`), lists read the database. A search's order is the database's
//! relevance rank, so the database ranks each search text once per snapshot (`searches`).

mod query;
mod searches;
mod snapshot;

pub use query::{answerable, page, search_page};
pub use snapshot::{Indexed, Snapshot};

use std::sync::Arc;

use crate::state::AppState;

/// The snapshot for the catalog version now (kept in `state.product_index`, a
/// `cache::PerVersion`), or `None` when the caller must read the database: the index off, the
/// version unknown, another request rebuilding, or the load failed.
pub async fn snapshot(state: &AppState) -> Option<Arc<Snapshot>> {
    let max_products = state.settings.cache.product_index_max;
    let build = |version| async move {
        let started = std::time::Instant::now();
        match Snapshot::load(&state.db, version, max_products).await {
            Ok(snapshot) => {
                tracing::debug!(
                    version,
                    products = snapshot.products.len(),
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "product index rebuilt"
                );
                Some(snapshot)
            }
            Err(error) => {
                tracing::warn!(%error, "product index not rebuilt: lists read the database");
                None
            }
        }
    };
    state.product_index.get(&state.cache, build).await
}
