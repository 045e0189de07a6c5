//! Logging set-up: `tracing` with JSON or human-readable output, filtered by `LOG_LEVEL`
//! (or `RUST_LOG` when set), the context of the request being served ([`request`]) and the
//! Prometheus metrics ([`metrics`]).

pub mod metrics;
pub mod request;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::{fmt, EnvFilter};

use crate::config::LogFormat;

/// Installs the global subscriber; later calls (tests) are no-ops and answer `None`.
///
/// Lines are written to stderr by a background thread (`tracing_appender::non_blocking`): a
/// request hands its formatted access line to a queue and goes on, instead of taking stderr's lock
/// and making a `write` call on the request path (docs/PERFORMANCE.md, log 42). The queue holds up
/// to 128,000 lines; when it is full, logging waits rather than dropping lines (an access log with
/// holes is worse than a slower request under a log flood). Keep the returned guard for the
/// process's life: dropping it flushes what is queued.
pub fn init(level: &str, format: LogFormat) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(format!("{level},sqlx=warn")));
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("nexus-log-writer")
        .finish(std::io::stderr());
    let builder = fmt().with_env_filter(filter).with_writer(writer);
    let installed = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Pretty => builder.compact().try_init(),
    };
    installed.is_ok().then_some(guard)
}
