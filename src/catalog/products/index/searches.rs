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

/// What one snapshot's memo may hold, in bytes: its texts, their matches (4 bytes each) and
/// about [`ENTRY_BYTES`] of bookkeeping per text. Weighing the texts too keeps a flood of long,
/// distinct searches that match nothing from holding more than this.
const MEMO_BYTES: u64 = 16 << 20;
const ENTRY_BYTES: usize = 128;

/// Search text → its matches' positions in the snapshot, best first. Bounded by [`MEMO_BYTES`]:
/// texts nobody repeats make room for the ones people do.
pub type Memo = moka::future::Cache<String, Arc<[u32]>>;

/// An empty memo, for a new snapshot.
pub fn memo() -> Memo {
    moka::future::Cache::builder()
        .max_capacity(MEMO_BYTES)
        .weigher(|text: &String, matches: &Arc<[u32]>| {
            let bytes = text.len() + std::mem::size_of_val::<[u32]>(matches) + ENTRY_BYTES;
            u32::try_from(bytes).unwrap_or(u32::MAX)
        })
        .build()
}

impl Snapshot {
    /// The positions of the active products matching `text`, in relevance order (rank
    /// descending, then id descending, as `ProductFilters::order_by` asks the database). The
    /// first request for a text ranks it in the database; requests for it meanwhile wait for
    /// that one query rather than each running their own. `None` when the database failed: the
    /// caller then reads the database itself, which answers the error as any list does.
    pub async fn matches(&self, db: &Db, text: &str) -> Option<Arc<[u32]>> {
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

    /// `ranked` (product id, rank: higher is better) as positions in this snapshot, best first.
    fn best_first(&self, ranked: Vec<(i64, f64)>) -> Arc<[u32]> {
        let mut matches: Vec<(i64, f64, u32)> = ranked
            .into_iter()
            .filter_map(|(id, rank)| Some((id, rank, self.position(id)?)))
            .collect();
        // `partial_cmp` as SQL compares: -0.0 and 0.0 tie (ranks are never NaN).
        matches.sort_unstable_by(|(a_id, a_rank, _), (b_id, b_rank, _)| {
            b_rank
                .partial_cmp(a_rank)
                .unwrap_or(Ordering::Equal)
                .then(b_id.cmp(a_id))
        });
        matches.into_iter().map(|(_, _, at)| at).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::products::{
        filters::OrderField,
        index::query::{
            search_page,
            tests::{ids, product, query},
        },
    };

    /// Products 1–6 (price 100 × id; the even ids out of stock) and their ranks for a search.
    fn ranked() -> (Snapshot, Arc<[u32]>) {
        let snapshot = Snapshot::of((1..=6).map(|id| product(id, 100 * id, id % 2)).collect());
        // Unordered, with ties (including 0.0 and -0.0), and a product the snapshot doesn't hold.
        let ranked = vec![
            (2, 0.5),
            (5, 0.25),
            (42, 9.0),
            (1, 0.5),
            (3, 0.0),
            (6, -0.0),
            (4, 0.75),
        ];
        let matches = snapshot.best_first(ranked);
        (snapshot, matches)
    }

    #[tokio::test]
    async fn long_texts_count_against_the_memo_bound() {
        let memo = memo();
        let text = "x".repeat(4096);
        for i in 0..10_000 {
            let nothing: Arc<[u32]> = Arc::new([]);
            memo.insert(format!("{i}{text}"), nothing).await;
        }
        memo.run_pending_tasks().await;
        // 40 MB of texts were offered; what stayed fits the bound.
        assert!(
            memo.entry_count() * 4096 <= MEMO_BYTES,
            "{}",
            memo.entry_count()
        );
        assert!(memo.entry_count() > 0);
    }

    #[test]
    fn matches_are_best_first_with_ties_by_id_descending_as_the_database_orders() {
        let (snapshot, matches) = ranked();
        let order: Vec<i64> = matches
            .iter()
            .map(|&at| snapshot.keys[at as usize].id)
            .collect();
        assert_eq!(order, [4, 2, 1, 5, 6, 3]);
    }

    #[test]
    fn a_search_page_filters_then_orders_by_relevance_or_by_the_ordering_asked_for() {
        let (snapshot, matches) = ranked();
        let in_stock = query(&[], true);
        let (count, listed) = search_page(&snapshot, &matches, &in_stock, 0, 2);
        assert_eq!((count, ids(&listed)), (3, vec![1, 5]));
        let (count, listed) = search_page(&snapshot, &matches, &in_stock, 2, 2);
        assert_eq!((count, ids(&listed)), (3, vec![3]));
        let by_price = query(&[(OrderField::Price, true)], false);
        let (count, listed) = search_page(&snapshot, &matches, &by_price, 1, 3);
        assert_eq!((count, ids(&listed)), (6, vec![5, 4, 3]));
    }
}
