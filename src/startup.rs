//! Building and running the application: connect, migrate, bind, serve until a shutdown signal.

use std::{net::SocketAddr, sync::Arc, time::Instant};

use anyhow::Context;
use tokio::net::TcpListener;

use crate::{
    accounts::tokens::TokenKeys,
    cache::Cache,
    config::Settings,
    db::Db,
    http::{self, origin::parse_trusted_proxies, rate_limit::RateLimiter},
    mail::{FileMailer, Mailer},
    media::{LocalMediaStore, MediaStore},
    state::AppState,
};

/// A migrated database, a bound listener and the state to serve with.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    trusted_proxies: http::origin::TrustedProxies,
}

impl Application {
    /// Connects and migrates the database, then binds `settings.bind_addr` (port 0 picks a free one).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = Db::connect(&settings.database_url, settings.database_max_connections).await?;
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
        let mailer: Arc<dyn Mailer> = Arc::new(FileMailer {
            from: settings.default_from_email.clone(),
            dir: settings
                .email_file_path
                .clone()
                .unwrap_or_else(|| "./data/mail".into()),
        });
        let media: Arc<dyn MediaStore> = Arc::new(LocalMediaStore::new(
            settings.media_root.clone(),
            settings.media_url.clone(),
        ));
        let state = AppState {
            db,
            settings: Arc::new(settings),
            tokens,
            mailer,
            media,
            rate_limiter,
            cache,
            started_at: Instant::now(),
        };
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

    /// Serves until SIGINT/SIGTERM, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        tracing::info!(addr = %self.local_addr(), database = ?self.state.settings.database_url, "serving");
        let app = http::app(self.state, self.trusted_proxies);
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        tracing::info!("stopped");
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
