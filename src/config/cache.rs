//! Cache settings (`CACHE_*`, `REDIS_URL`).
//!
//! This type lives in `config` rather than in `cache` so that `config` depends on no feature: the
//! cache reads it (and re-exports it as `cache::CacheSettings`), not the other way.

use std::time::Duration;

use anyhow::Context;
use secrecy::SecretString;

use super::values::{parse_bool, positive_number};

/// Cache settings (`CACHE_*`, `REDIS_URL`).
#[derive(Clone, Debug)]
pub struct CacheSettings {
    /// `CACHE_ENABLED` (default `true`).
    pub enabled: bool,
    pub redis_url: Option<SecretString>,
    /// `CACHE_REDIS_PREFIX`: prepended to every Redis key (default `nexus:cache:`).
    pub redis_prefix: String,
    /// `CACHE_TTL_SECONDS` (default 60).
    pub ttl: Duration,
    /// `CACHE_MAX_ENTRIES` (default 50,000): the in-process backend's entries, or the Redis
    /// backend's local copies. Every product is two entries (by id and by slug) besides list and
    /// search pages, and a bound smaller than the catalogue's working set makes moka turn most
    /// first reads away: 10,000 held half the details of a 10,000-product catalogue
    /// (docs/PERFORMANCE.md, log 20). An entry is an answer as sent, ~1–3 KB gzipped.
    pub max_entries: u64,
    /// `CACHE_STOCK_REFRESH_MS` (default 1000; 0 = at once): how long stock levels in cached
    /// catalog reads may lag behind orders (see [`Cache::bump_after_stock_change`]).
    pub stock_refresh: Duration,
    /// `PRODUCT_INDEX_ENABLED` (default `true`): anonymous product lists are answered from an
    /// in-memory index of the active catalogue that follows the catalog version, whether answers
    /// are cached or not (`catalog::products::index`, docs/cache.md).
    pub product_index: bool,
    /// `PRODUCT_INDEX_MAX_PRODUCTS` (default 100,000): above this many active products the index
    /// is not built and lists read the database (memory: ~1–2 KB per product).
    pub product_index_max: u64,
}

impl CacheSettings {
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let enabled = match var("CACHE_ENABLED")
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("true" | "1" | "yes" | "on") => true,
            Some("false" | "0" | "no" | "off") => false,
            Some(other) => anyhow::bail!("CACHE_ENABLED must be true or false, not {other:?}"),
        };
        let number = |name: &str, default: u64| positive_number(name, var(name), default);
        Ok(Self {
            enabled,
            redis_url: var("REDIS_URL").map(SecretString::from),
            redis_prefix: var("CACHE_REDIS_PREFIX").unwrap_or_else(|| "nexus:cache:".to_owned()),
            ttl: Duration::from_secs(number("CACHE_TTL_SECONDS", 60)?),
            max_entries: number("CACHE_MAX_ENTRIES", 50_000)?,
            stock_refresh: match var("CACHE_STOCK_REFRESH_MS") {
                None => Duration::from_secs(1),
                Some(v) => v.trim().parse::<u64>().map(Duration::from_millis).with_context(|| {
                    format!("CACHE_STOCK_REFRESH_MS must be a whole number of milliseconds, not {v:?}")
                })?,
            },
            product_index: parse_bool(var("PRODUCT_INDEX_ENABLED").as_deref(), true)
                .context("PRODUCT_INDEX_ENABLED")?,
            product_index_max: number("PRODUCT_INDEX_MAX_PRODUCTS", 100_000)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_validated() {
        assert!(
            CacheSettings::from_lookup(|k| (k == "CACHE_TTL_SECONDS").then(|| "0".into())).is_err()
        );
        assert!(
            CacheSettings::from_lookup(|k| (k == "CACHE_ENABLED").then(|| "maybe".into())).is_err()
        );
        let s = CacheSettings::from_lookup(|_| None).unwrap();
        assert_eq!(
            (s.ttl.as_secs(), s.max_entries, s.enabled),
            (60, 50_000, true)
        );
    }
}
