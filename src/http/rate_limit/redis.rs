//! The Redis backend: the same GCRA as one atomic Lua script, so limits hold across instances.

use std::{
    collections::HashMap,
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use super::{Rate, Rule, Throttled};

/// GCRA in one atomic script: the stored value is the theoretical arrival time (TAT) in
/// microseconds; the key expires when the bucket would be full again.
/// KEYS[1] = key, ARGV[1] = emission interval (µs), ARGV[2] = period (µs, = interval × limit),
/// ARGV[3] = `1` for a dry run (decide, write nothing).
/// Returns 0 when allowed, else the wait in microseconds.
const GCRA_SCRIPT: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - period
if allow_at > now then
  return math.ceil(allow_at - now)
end
if ARGV[3] == '1' then return 0 end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1)
return 0
";

/// How long Redis is left alone after a failure before it is tried again.
const REDIS_RETRY_AFTER: Duration = Duration::from_secs(5);

pub(super) struct RedisLimiter {
    connection: redis::aio::ConnectionManager,
    script: redis::Script,
    prefix: String,
    rates: HashMap<Rule, Rate>,
    /// Unix milliseconds before which Redis is skipped (after a failure).
    down_until_ms: AtomicU64,
    /// Whether the "Redis unavailable" warning was logged for the current outage.
    warned: AtomicBool,
}

impl RedisLimiter {
    pub(super) fn new(
        url: &str,
        prefix: String,
        rates: HashMap<Rule, Rate>,
    ) -> anyhow::Result<Self> {
        // Lazy: the server starts (and limits in-process) even when Redis is down.
        let connection = crate::redis_client::lazy_connection(url, Duration::from_millis(500))?;
        Ok(Self {
            connection,
            script: redis::Script::new(GCRA_SCRIPT),
            prefix,
            rates,
            down_until_ms: AtomicU64::new(0),
            warned: AtomicBool::new(false),
        })
    }

    /// Like the in-process check (`dry_run` only looks); `None` when Redis is unavailable (the
    /// caller falls back to the in-process limiter).
    pub(super) async fn check(
        &self,
        rule: Rule,
        key: &str,
        dry_run: bool,
    ) -> Option<Result<(), Throttled>> {
        let rate = self.rates.get(&rule)?;
        if unix_millis() < self.down_until_ms.load(Ordering::Relaxed) {
            return None;
        }
        let interval = rate.interval().as_micros() as u64;
        let period = interval * u64::from(rate.limit);
        let mut connection = self.connection.clone();
        let outcome: redis::RedisResult<i64> = self
            .script
            .key(format!("{}{}:{key}", self.prefix, rule.name()))
            .arg(interval.max(1))
            .arg(period.max(1))
            .arg(u8::from(dry_run))
            .invoke_async(&mut connection)
            .await;
        match outcome {
            Ok(wait) => {
                if self.warned.swap(false, Ordering::Relaxed) {
                    tracing::info!("Redis rate limiting is available again");
                }
                Some(if wait <= 0 {
                    Ok(())
                } else {
                    Err(Throttled {
                        retry_after: Duration::from_micros(wait as u64),
                    })
                })
            }
            Err(error) => {
                self.down_until_ms.store(
                    unix_millis() + REDIS_RETRY_AFTER.as_millis() as u64,
                    Ordering::Relaxed,
                );
                if !self.warned.swap(true, Ordering::Relaxed) {
                    tracing::warn!(%error,
                        "Redis rate limiting failed; limiting in-process until it answers again");
                }
                None
            }
        }
    }
}

fn unix_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
