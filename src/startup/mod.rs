//! Building and running the application: connect (waiting for the database), migrate, bind,
//! serve until a shutdown signal, then drain in-flight requests within the grace period. The
//! router itself is assembled in `router.rs` (every feature's routes plus the `http` layers).

mod jobs;
mod router;

pub use router::{api, app, router, NormalisedRouter};

use std::{
    future::IntoFuture,
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use tokio::net::TcpListener;

use crate::{
    accounts,
    cache::{Cache, PerVersion},
    config::Settings,
    db::{AnyBatch, Db, GroupCommit},
    http::{origin::parse_trusted_proxies, rate_limit::RateLimiter},
    live::Hub,
    mail, media,
    orders::Checkouts,
    payment_gateway,
    state::{AppState, Services},
    tokens::TokenKeys,
    track::Recorder,
};

/// A migrated database, a bound listener and the state to serve with.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    trusted_proxies: crate::http::origin::TrustedProxies,
}

impl Application {
    /// Connects and migrates the database, then binds `settings.bind_addr` (port 0 picks a free one).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        warn_of_development_settings(&settings);
        let db = Db::connect_patiently(
            &settings.database_url,
            settings.database_max_connections,
            settings.database_acquire_timeout,
            settings.database_connect_timeout,
            settings.sqlite_synchronous,
        )
        .await?;
        db.migrate().await.context("database migration failed")?;
        let listener = TcpListener::bind(settings.bind_addr)
            .await
            .with_context(|| format!("could not bind {}", settings.bind_addr))?;
        Self::with_db(settings, db, listener)
    }

    fn with_db(settings: Settings, db: Db, listener: TcpListener) -> anyhow::Result<Self> {
        let trusted_proxies = parse_trusted_proxies(&settings.trusted_proxies)?;
        let tokens = Arc::new(TokenKeys::new(
            &settings.secret_key,
            settings.access_token_lifetime,
            settings.refresh_token_lifetime,
        ));
        let rate_limiter = RateLimiter::new(
            &settings.rate_limit,
            trusted_proxies.clone(),
            tokens.clone(),
        )?;
        let cache = Arc::new(Cache::new(&settings.cache)?);
        let mailer = mail::from_settings(&settings)?;
        let media = media::store_from_settings(&settings);
        let payment = payment_gateway::payment_provider(settings.payment_provider());
        let shutdown = tokio_util::sync::CancellationToken::new();
        let live = Arc::new(Hub::new(settings.cache.redis_url.as_ref(), &shutdown)?);
        let analytics = Recorder::new(&settings.analytics, &settings.secret_key);
        let product_index = PerVersion::new(settings.cache.product_index, settings.cache.ttl);
        // Spawned here, inside the runtime; closed by `run_until_stopped` after the last request.
        let writes = Arc::new(GroupCommit::start(
            db.clone(),
            AnyBatch::new(Checkouts {
                backend: db.backend,
                low_stock_threshold: settings.notifications.low_stock_threshold,
            }),
            settings.group_commit,
            settings.group_commit_lanes,
        ));
        let state = AppState::new(Services {
            db,
            writes,
            settings: Arc::new(settings),
            tokens,
            mailer,
            media,
            rate_limiter,
            callers: accounts::kept_callers(&cache),
            cache,
            product_index,
            live,
            shutdown,
            payment,
            started_at: Instant::now(),
            in_flight: Default::default(),
            analytics,
        });
        Ok(Self {
            listener,
            state,
            trusted_proxies,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The state handlers see (tests use it to reach the database directly).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGINT/SIGTERM, then stops accepting and lets in-flight requests finish for
    /// at most `SHUTDOWN_GRACE_PERIOD`; then writes buffered analytics events and closes the
    /// database pool.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let shutdown = shutdown_signal();
        tracing::info!(addr = %self.local_addr(), database = ?self.state.settings.database_url, "serving");
        let grace = self.state.settings.shutdown_grace_period;
        let in_flight = self.state.in_flight.clone();
        let db = self.state.db.clone();
        let writes = self.state.writes.clone();
        let stopping = self.state.shutdown.clone();
        let worker = jobs::spawn_worker(&self.state, stopping.clone());
        // Not stopped by `stopping`: requests still draining after the signal record events too,
        // so the capture task is told to flush only once the server has finished.
        let analytics = self.state.analytics.spawn_writer(db.clone());
        if analytics.is_none() {
            tracing::info!("ANALYTICS_ENABLED=false: no analytics events are recorded");
        }
        let app = app(self.state, self.trusted_proxies);
        let (signalled_tx, signalled_rx) = tokio::sync::oneshot::channel::<()>();
        let signal = async move {
            shutdown.await;
            // Workers stop claiming and live streams end, so connections can drain.
            stopping.cancel();
            let _ = signalled_tx.send(());
        };
        let server = axum::serve(self.listener, app).with_graceful_shutdown(signal);
        let deadline = async move {
            if signalled_rx.await.is_err() {
                // The server ended without a signal: nothing to bound.
                std::future::pending::<()>().await;
            }
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            served = server.into_future() => served?,
            () = deadline => {
                // Returning drops the remaining connection tasks when the runtime shuts down.
                tracing::warn!(
                    cut_off = in_flight.count(),
                    grace_period_secs = grace.as_secs(),
                    "shutdown grace period expired; abandoning in-flight requests"
                );
            }
        }
        if let Some(worker) = worker {
            // The worker finishes its jobs within the same grace period, then releases the rest.
            let _ = tokio::time::timeout(grace + POOL_CLOSE_TIMEOUT, worker).await;
        }
        if let Some(analytics) = analytics {
            // Buffered analytics events are written before the pool closes (SPEC §3.8).
            analytics.stop(ANALYTICS_FLUSH_TIMEOUT).await;
        }
        // Orders still queued are written (or refused) before the pool goes.
        if tokio::time::timeout(POOL_CLOSE_TIMEOUT, writes.close())
            .await
            .is_err()
        {
            tracing::warn!("the write combiner did not finish in time");
        }
        // Connections still checked out by abandoned requests would make `close` wait for them.
        if tokio::time::timeout(POOL_CLOSE_TIMEOUT, db.close())
            .await
            .is_err()
        {
            tracing::warn!("database pool did not close in time");
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Says loudly when tokens are signed with the public development key: fine on a laptop, a
/// forgeable admin token anywhere reachable. (Production refuses that key before getting here.)
fn warn_of_development_settings(settings: &Settings) {
    if settings.uses_development_key() {
        tracing::warn!(
            debug = settings.debug,
            "SECRET_KEY is not set: tokens are signed with the built-in development key, so anyone \
             can forge them; set SECRET_KEY (openssl rand -hex 32) and DEBUG=false in production"
        );
    }
}

/// How long shutdown waits for the buffered analytics events to be written.
const ANALYTICS_FLUSH_TIMEOUT: Duration = Duration::from_secs(10);

/// How long shutdown waits for the database pool to close its connections.
const POOL_CLOSE_TIMEOUT: Duration = Duration::from_secs(5);

/// Listens for SIGTERM/SIGINT from the moment it is called, not from its first poll: a signal
/// that arrives before the server first polls it would otherwise meet the default disposition
/// and kill the process without draining.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        )
    };
    async move {
        #[cfg(unix)]
        match signals {
            (Ok(mut terminate), Ok(mut interrupt)) => {
                tokio::select! {
                    _ = terminate.recv() => {},
                    _ = interrupt.recv() => {},
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutdown signal received; finishing in-flight requests");
    }
}
