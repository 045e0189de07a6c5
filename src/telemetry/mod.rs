//! Logging set-up: `tracing` with JSON or human-readable output, filtered by `LOG_LEVEL`
//! (or `RUST_LOG` when set), the context of the request being served ([`request`]) and the
//! Prometheus metrics ([`metrics`]).

pub mod metrics;
pub mod request;

use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

/// Installs the global subscriber; later calls (tests) are no-ops.
pub fn init(level: &str, format: LogFormat) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{level},sqlx=warn")));
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
}
