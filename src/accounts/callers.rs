//! Callers already read, kept per accounts version, so that with Redis the auth extractors
//! needn't read the caller's row on every request (docs/accounts.md, "Who is calling").
//!
//! A caller is kept under the accounts version read *before* its row, as catalog answers are
//! kept under the catalog version: a row read while a change commits is stored under the version
//! that change then bumps, and is never read again. Every change to what a caller carries (role,
//! active flag, username, ended sessions) bumps the version once it has committed, through this
//! app or `nexus createsuperuser`, so the caller's next request, on any instance, reads the row
//! afresh. Only when the version is shared (Redis): with the in-process version, a command run
//! beside the server could not bump it, so every request reads the row, as before.

use std::{sync::Arc, time::Duration};

use sqlx::AnyPool;

use super::store::{find_caller, Caller};
use crate::cache::Cache;

/// How long a caller is kept at most: the bound on what the version can't see, a change made by
/// SQL by hand.
pub const CALLER_TTL: Duration = Duration::from_secs(30);

/// Callers kept at most (a few hundred bytes each).
const MAX_CALLERS: u64 = 100_000;

/// The callers this instance has read, by accounts version and user id.
pub struct Callers {
    cache: Arc<Cache>,
    /// `None` when the version is not shared: nothing is kept.
    known: Option<moka::future::Cache<(u64, i64), Caller>>,
}

impl Callers {
    /// Keeps callers when `cache` shares its versions (Redis).
    pub fn new(cache: Arc<Cache>) -> Self {
        let known = cache.shares_versions().then(|| {
            moka::future::Cache::builder()
                .max_capacity(MAX_CALLERS)
                .time_to_live(CALLER_TTL)
                .build()
        });
        Self { cache, known }
    }

    /// The user `id`'s caller row, active or not: the one kept under the current accounts
    /// version, else read (and kept). Read every time when the version can't be known (Redis
    /// down) or isn't shared.
    pub async fn find(&self, pool: &AnyPool, id: i64) -> Result<Option<Caller>, sqlx::Error> {
        let Some(known) = &self.known else {
            return find_caller(pool, id).await;
        };
        // Version first, then the row (see the module's comment).
        let Some(version) = self.cache.accounts_version().await else {
            return find_caller(pool, id).await;
        };
        if let Some(caller) = known.get(&(version, id)).await {
            return Ok(Some(caller));
        }
        let caller = find_caller(pool, id).await?;
        if let Some(caller) = &caller {
            known.insert((version, id), caller.clone()).await;
        }
        Ok(caller)
    }

    /// A change to what a caller carries has committed: every instance reads callers afresh.
    pub async fn changed(&self) {
        self.cache.bump_accounts_version().await;
    }
}
