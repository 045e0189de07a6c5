//! The caller behind an access token, kept per accounts version when instances share Redis, so
//! the auth extractors needn't read the row on every request (docs/accounts.md, "Who is
//! calling"). The keeping is `cache::PerAccountsVersion`'s; the rules of what bumps the version
//! are here.
//!
//! Every change to what a caller carries (role, active flag, username, ended sessions) bumps the
//! accounts version once it has committed, through this app ([`changed`]) or `nexus
//! createsuperuser`, so the caller's next request, on any instance, reads the row afresh.

use std::time::Duration;

use super::store::{find_caller, Caller};
use crate::{
    cache::{Cache, PerAccountsVersion},
    state::AppState,
};

/// How long a caller is kept at most: the bound on what the version can't see, a change made by
/// SQL by hand.
pub const CALLER_TTL: Duration = Duration::from_secs(30);

/// Callers kept at most (a few hundred bytes each).
const MAX_CALLERS: u64 = 100_000;

/// Where an instance keeps its callers (in `AppState`).
pub fn kept_callers(cache: &Cache) -> PerAccountsVersion {
    PerAccountsVersion::new(cache, MAX_CALLERS, CALLER_TTL)
}

/// The user `id`'s caller row, active or not: the one kept under the current accounts version,
/// else read (and kept).
pub async fn find(state: &AppState, id: i64) -> Result<Option<Caller>, sqlx::Error> {
    state
        .callers
        .get_or_read(&state.cache, id, || find_caller(&state.db.pool, id))
        .await
}

/// A change to what a caller carries has committed: every instance reads callers afresh.
pub async fn changed(state: &AppState) {
    state.cache.bump_accounts_version().await;
}
