//! Searches answered from the index. Their order is the database's relevance rank, which Rust
//! can't reproduce (PostgreSQL's `ts_rank` over its English stemming, SQLite's FTS5 `bm25`), so
//! the database still ranks: once per search text and snapshot, every active match with its
//! rank. Every filter, ordering and page of that text is then answered from memory, as a list is.
//!
//! A text's ranks are read when it is first searched under a snapshot, so they may be a little
//! newer than the snapshot; products it doesn't hold are left out. A catalog write bumps the
//! version, and the next request gets a new snapshot with an empty memo: an edit is searchable
//! at once, as it is listed (docs/cache.md, "Searches").

use std::{cmp::Ordering, sync::Arc};

use super::snapshot::Snapshot;
use crate::{catalog::products::store, db::Db};

/// How many matches one snapshot's memo keeps, summed over its texts (16 bytes each): 8 MB.
const MEMO_MATCHES: u64 = 500_000;

/// A product matching a search: its position in the snapshot and its rank (higher is better).
#[derive(Debug, Clone, Copy)]
pub struct Match {
    pub at: u32,
    pub rank: f64,
}

/// Search text → its matches, best first. Bounded by [`MEMO_MATCHES`]: texts nobody repeats
/// make room for the ones people do.
pub type Memo = moka::future::Cache<String, Arc<[Match]>>;

/// An empty memo, for a new snapshot.
pub fn memo() -> Memo {
    moka::future::Cache::builder()
        .max_capacity(MEMO_MATCHES)
        .weigher(|_text: &String, matches: &Arc<[Match]>| {
            u32::try_from(matches.len())
                .unwrap_or(u32::MAX)
                .saturating_add(1)
        })
        .build()
}

impl Snapshot {
    /// The active products matching `text` in relevance order (rank descending, then id
    /// descending, as `ProductFilters::order_by` asks the database). The first request for a
    /// text ranks it in the database; requests for it meanwhile wait for that one query rather
    /// than each running their own. `None` when the database failed: the caller then reads the
    /// database itself, which answers the error as any list does.
    pub async fn matches(&self, db: &Db, text: &str) -> Option<Arc<[Match]>> {
        let rank = async {
            let ranked = store::search_ranks(db, text).await?;
            Ok::<_, sqlx::Error>(self.best_first(ranked))
        };
        match self.searches.try_get_with_by_ref(text, rank).await {
            Ok(matches) => Some(matches),
            Err(error) => {
                tracing::debug!(%error, "search not ranked: the database answers it");
                None
            }
        }
    }

    /// `ranked` (product id, rank) as positions in this snapshot, best first.
    fn best_first(&self, ranked: Vec<(i64, f64)>) -> Arc<[Match]> {
        let mut matches: Vec<Match> = ranked
            .into_iter()
            .filter_map(|(id, rank)| {
                Some(Match {
                    at: self.position(id)?,
                    rank,
                })
            })
            .collect();
        let id = |m: &Match| self.keys[m.at as usize].id;
        // `partial_cmp` as SQL compares: -0.0 and 0.0 tie (ranks are never NaN).
        matches.sort_unstable_by(|a, b| {
            b.rank
                .partial_cmp(&a.rank)
                .unwrap_or(Ordering::Equal)
                .then_with(|| id(b).cmp(&id(a)))
        });
        matches.into()
    }
}
