//! The Redis connection the cache and the rate limiter each open: lazy, with short timeouts.

use std::time::Duration;

use anyhow::Context;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// A connection that connects on first use, so the server starts even when Redis is down; a
/// command waits at most 500 ms to connect and 500 ms for its answer, and a lost connection is
/// retried once after at most `max_retry_delay`.
pub fn lazy_connection(url: &str, max_retry_delay: Duration) -> anyhow::Result<ConnectionManager> {
    let client = redis::Client::open(url).context("REDIS_URL is not a valid Redis URL")?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_millis(500)))
        .set_response_timeout(Some(Duration::from_millis(500)))
        .set_number_of_retries(1)
        .set_max_delay(max_retry_delay);
    ConnectionManager::new_lazy_with_config(client, config)
        .context("could not set up the Redis connection")
}
