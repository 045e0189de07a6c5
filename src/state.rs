//! What every handler can reach: the database, settings, token keys, the mailer, media storage,
//! the rate limiter, the cache and the analytics recorder.

use std::{sync::Arc, time::Instant};

use axum::extract::FromRef;

use crate::{
    cache::{Cache, PerAccountsVersion, PerVersion},
    config::Settings,
    db::{AnyBatch, Db, GroupCommit},
    http::{in_flight::InFlight, rate_limit::RateLimiter},
    live::Hub,
    mail::Mailer,
    media::MediaStore,
    payment_gateway::SharedProvider,
    tokens::TokenKeys,
    track::Recorder,
};

/// Shared application state: one `Arc`, because axum clones the state (and every layer holding
/// it) for each request, and one reference count is cheaper to bump than one per service.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> Self {
        Self(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The media store, for extractors that take any state holding one (`media::MediaUrls`).
impl FromRef<AppState> for Arc<dyn MediaStore> {
    fn from_ref(state: &AppState) -> Self {
        state.media.clone()
    }
}

/// What the state holds.
pub struct Services {
    pub db: Db,
    /// The write combiner checkout places its orders through, a batch at a time
    /// (`orders::Checkouts`, erased so the state needn't name it), and small writes (on SQLite,
    /// cart adds) share transactions through (docs/orders.md, "How checkout commits").
    pub writes: Arc<GroupCommit<AnyBatch>>,
    pub settings: Arc<Settings>,
    pub tokens: Arc<TokenKeys>,
    pub mailer: Arc<dyn Mailer>,
    /// Where uploaded files (product images) are stored.
    pub media: Arc<dyn MediaStore>,
    /// Rate limits (SPEC §3.8); the login handler applies the per-account rule itself.
    pub rate_limiter: Arc<RateLimiter>,
    /// The catalog read cache (docs/cache.md).
    pub cache: Arc<Cache>,
    /// Callers the auth extractors have read, kept per accounts version with Redis
    /// (`accounts::callers`).
    pub callers: PerAccountsVersion,
    /// The product index's snapshot of the catalogue, kept per catalog version
    /// (`catalog::products::index`): anonymous lists and the categories from memory.
    pub product_index: PerVersion,
    /// Tells open notification streams, on every instance, that a user has news.
    pub live: Arc<Hub>,
    /// The payment provider chosen by `PAYMENT_PROVIDER`.
    pub payment: SharedProvider,
    pub started_at: Instant,
    /// Cancelled when shutdown begins: workers stop claiming and live streams close.
    pub shutdown: tokio_util::sync::CancellationToken,
    /// Requests being served now (shutdown reports the ones its grace period cuts off).
    pub in_flight: InFlight,
    /// Buffers analytics events for the capture task (a no-op with `ANALYTICS_ENABLED=false`).
    pub analytics: Recorder,
}
