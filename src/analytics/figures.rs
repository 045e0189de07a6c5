//! The costly part of a dashboard — the live days' series and the top lists and active users over
//! the whole period — computed once per state of the rows it reads, and kept.
//!
//! Two levels, because the two parts change at different rates:
//! - the rolled part's totals (`totals::Totals` over the whole months and rolled days) can't change
//!   until a roll-up runs: a year reads ~210,000 roll-up rows, ~110 ms on PostgreSQL
//!   (docs/PERFORMANCE.md, log 32). Kept per roll-up marks (every run that rolls anything moves
//!   them), months and days read, and count of users the roll-ups may name (deleting a user
//!   deletes their rolled rows without a run);
//! - the figures (rolled part plus live part, ranked) change with every raw row of a live day:
//!   kept per [`Versions`] of those rows as well, so a request finds them computed unless an
//!   event, order, status change or user arrived since (capture writes a batch per flush, so at
//!   most once per flush interval while the shop is busy).
//!
//! Both keys are read on the request's own snapshot and everything is computed on it, so a kept
//! answer is exactly what the statements would read now: the cache adds no lag. Each instance
//! keeps its own; the keys come from the database, so instances agree.

use std::{sync::Arc, time::Duration};

use moka::{future::Cache, policy::EvictionPolicy};
use sqlx::AnyConnection;

use super::{
    plan::{Plan, Sources},
    store::{self, Marks, Versions},
    totals::{self, Sales, Totals},
};
use crate::error::ApiError;

/// Entries kept per level: a few periods (the default 30 days, a year, a month or two) over the
/// last few states; each is up to a few hundred kB (a row per product and per query).
const KEPT: u64 = 16;

/// A state of the rows nobody asked about for this long is dropped.
const IDLE: Duration = Duration::from_secs(600);

/// The live days' rows for the daily series: `(day, value)` and `(day, orders, revenue_cents)`.
#[derive(Debug, Default)]
pub struct LiveDays {
    pub viewing_sessions: Vec<(i64, i64)>,
    pub orders: Vec<(i64, i64, i64)>,
    pub new_users: Vec<(i64, i64)>,
}

impl LiveDays {
    async fn read(conn: &mut AnyConnection, plan: &Plan) -> Result<LiveDays, sqlx::Error> {
        Ok(LiveDays {
            viewing_sessions: store::live_viewing_sessions(&mut *conn, &plan.events.live).await?,
            orders: store::live_orders(&mut *conn, &plan.orders.live).await?,
            new_users: store::live_new_users(&mut *conn, &plan.orders.live).await?,
        })
    }
}

/// A period's costly figures, as of one state of the rows.
#[derive(Debug)]
pub struct Figures {
    pub live_days: LiveDays,
    /// Every product sold in the period, ranked (`totals::ranked_sales`); the answer takes the
    /// first ten that still exist.
    pub sales: Vec<(i64, Sales)>,
    /// Every product viewed in the period, ranked (`totals::ranked_views`).
    pub views: Vec<(i64, i64)>,
    pub top_searches: Vec<(String, i64)>,
    pub zero_result_searches: Vec<(String, i64)>,
    pub active_users: i64,
}

/// What a rolled part was read from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct RolledKey {
    marks: Marks,
    rolled_users: i64,
    events: Sources,
    orders: Sources,
}

/// What a period's figures were computed from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct FiguresKey {
    marks: Marks,
    versions: Versions,
    plan: Plan,
}

/// The figures and rolled parts of recent periods and states.
#[derive(Clone)]
pub struct FiguresCache {
    rolled: Cache<RolledKey, Arc<Totals>>,
    figures: Cache<FiguresKey, Arc<Figures>>,
}

impl Default for FiguresCache {
    fn default() -> Self {
        // Least recently used goes first: the state asked about now is the one asked next, so a
        // new state must not wait to be admitted as a frequency-based policy would make it.
        fn cache<K, V>() -> Cache<K, V>
        where
            K: std::hash::Hash + Eq + Send + Sync + 'static,
            V: Clone + Send + Sync + 'static,
        {
            Cache::builder()
                .max_capacity(KEPT)
                .eviction_policy(EvictionPolicy::lru())
                .time_to_idle(IDLE)
                .build()
        }
        Self {
            rolled: cache(),
            figures: cache(),
        }
    }
}

impl FiguresCache {
    /// The figures of `plan`, read on `conn` (the dashboard's snapshot, where `marks` and
    /// `versions` were read) unless kept. Requests asking for the same figures at once wait for
    /// one computation.
    pub async fn get(
        &self,
        conn: &mut AnyConnection,
        marks: Marks,
        versions: Versions,
        plan: &Plan,
    ) -> Result<Arc<Figures>, ApiError> {
        let key = FiguresKey {
            marks,
            versions,
            plan: plan.clone(),
        };
        let compute = async {
            let rolled = self.rolled(&mut *conn, marks, versions, plan).await?;
            let live = Totals::read(
                &mut *conn,
                &plan.events.live_only(),
                &plan.orders.live_only(),
            )
            .await?;
            let live_days = LiveDays::read(&mut *conn, plan).await?;
            Ok::<_, ApiError>(Arc::new(Figures {
                live_days,
                sales: totals::ranked_sales(&rolled, &live),
                views: totals::ranked_views(&rolled, &live),
                top_searches: totals::top_searches(&rolled, &live, |s| s.all),
                zero_result_searches: totals::top_searches(&rolled, &live, |s| s.zero_results),
                active_users: totals::active_users(&rolled, &live),
            }))
        };
        self.figures
            .try_get_with(key, compute)
            .await
            .map_err(unshared)
    }

    async fn rolled(
        &self,
        conn: &mut AnyConnection,
        marks: Marks,
        versions: Versions,
        plan: &Plan,
    ) -> Result<Arc<Totals>, ApiError> {
        let key = RolledKey {
            marks,
            rolled_users: versions.rolled_users,
            events: plan.events.rolled(),
            orders: plan.orders.rolled(),
        };
        let read = async {
            let totals = Totals::read(conn, &plan.events.rolled(), &plan.orders.rolled()).await?;
            Ok::<_, ApiError>(Arc::new(totals))
        };
        self.rolled.try_get_with(key, read).await.map_err(unshared)
    }
}

/// The computation's own error, or (for a request that waited on it) a copy of its text.
fn unshared(shared: Arc<ApiError>) -> ApiError {
    Arc::try_unwrap(shared).unwrap_or_else(|shared| {
        ApiError::Internal(anyhow::anyhow!("computing dashboard figures: {shared}"))
    })
}
