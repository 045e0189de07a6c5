//! Results: one row per scenario, the ratio of each to `liveness`, and the JSON and Markdown
//! files under `bench/results/`.

use std::{collections::BTreeMap, fmt::Write as _, path::Path, time::Duration};

use anyhow::Context;
use serde::Serialize;

use crate::{
    dataset::{Books, DatasetSize},
    longtail::CacheCounts,
    wal::WalPerOrder,
};

/// One request name's share of a scenario (`list`, `detail`, `cart-add`, `order`, a dashboard
/// page…).
#[derive(Debug, Clone, Serialize)]
pub struct RequestRow {
    pub name: String,
    /// What was asked for, where the name alone doesn't say (`dashboard`'s pages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub requests: u64,
    pub p50_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    pub errors: u64,
    pub status_codes: BTreeMap<String, u64>,
    /// Whether the row met its scenario's `target_p95_us` (p95 under it, no errors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meets_target: Option<bool>,
}

/// The measured part of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    pub scenario: String,
    pub seconds: f64,
    /// Every request but logins.
    pub requests: u64,
    pub requests_per_second: f64,
    /// This scenario's requests/s over `liveness`'s in the same run.
    pub ratio_to_liveness: Option<f64>,
    pub p50_us: u64,
    pub p95_us: u64,
    pub p99_us: u64,
    pub max_us: u64,
    /// Non-2xx answers (a checkout's `409 insufficient_stock` excepted) and failed requests.
    pub errors: u64,
    /// `409` answers to checkout.
    pub conflicts: u64,
    /// Orders placed (`201` to `POST orders/`).
    pub orders: Option<u64>,
    pub orders_per_second: Option<f64>,
    /// Peak resident memory (`VmHWM`) of the scenario's own server: start, warm-up and the
    /// measured run.
    pub peak_rss_kib: u64,
    pub books: Option<Books>,
    /// WAL written per order (buying scenarios on PostgreSQL).
    pub wal: Option<WalPerOrder>,
    /// How the catalog cache answered (`longtail`): `x-cache` hits, misses and neither.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<CacheCounts>,
    /// hits / (hits + misses) of `cache`; absent when no answer went through the cache
    /// (`--cache off`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_hit_rate: Option<f64>,
    /// 1-minute load average of the machine just before the measured run (after the warm-up).
    pub load_average: f64,
    /// Concurrent users, when not the run's `--connections` (`analytics`, `dashboard`).
    pub users: Option<usize>,
    /// A p95 each request row must stay under (`dashboard`'s pages: 100 ms); the Markdown report
    /// then lists the rows with their verdicts.
    pub target_p95_us: Option<u64>,
    pub by_request: Vec<RequestRow>,
}

impl ScenarioResult {
    pub fn new(scenario: &str, seconds: f64, peak_rss_kib: u64) -> Self {
        ScenarioResult {
            scenario: scenario.to_owned(),
            seconds,
            requests: 0,
            requests_per_second: 0.0,
            ratio_to_liveness: None,
            p50_us: 0,
            p95_us: 0,
            p99_us: 0,
            max_us: 0,
            errors: 0,
            conflicts: 0,
            orders: None,
            orders_per_second: None,
            peak_rss_kib,
            books: None,
            wal: None,
            cache: None,
            cache_hit_rate: None,
            load_average: 0.0,
            users: None,
            target_p95_us: None,
            by_request: Vec::new(),
        }
    }

    /// Fills the rates and percentiles from merged goose time buckets (bucket floor in µs →
    /// count; goose's buckets are within 0.8 % of the times they hold).
    pub fn set_percentiles(&mut self, buckets: &BTreeMap<u64, usize>) {
        self.requests_per_second = self.requests as f64 / self.seconds;
        self.orders_per_second = self.orders.map(|orders| orders as f64 / self.seconds);
        self.p50_us = percentile(buckets, 0.50, self.max_us);
        self.p95_us = percentile(buckets, 0.95, self.max_us);
        self.p99_us = percentile(buckets, 0.99, self.max_us);
    }

    /// Records how the cache answered, and the hit rate that follows.
    pub fn set_cache(&mut self, counts: CacheCounts) {
        self.cache = Some(counts);
        self.cache_hit_rate = counts.hit_rate();
    }

    /// A one-line summary printed after each scenario.
    pub fn one_line(&self) -> String {
        let cache = self
            .cache
            .map(|counts| format!(", {}", cache_summary(&counts)))
            .unwrap_or_default();
        format!(
            "{}: {:.0} req/s, p50 {} p95 {} p99 {} max {}, {} errors, peak RSS {:.1} MiB{cache}",
            self.scenario,
            self.requests_per_second,
            ms(self.p50_us),
            ms(self.p95_us),
            ms(self.p99_us),
            ms(self.max_us),
            self.errors,
            mib(self.peak_rss_kib)
        )
    }
}

/// `hit rate 61.2 % (612 hits, 388 misses, 0 without x-cache)`, or why there is none.
fn cache_summary(counts: &CacheCounts) -> String {
    match counts.hit_rate() {
        Some(rate) => format!(
            "hit rate {:.1} % ({} hits, {} misses, {} without x-cache)",
            rate * 100.0,
            counts.hits,
            counts.misses,
            counts.uncached
        ),
        None => format!(
            "no hit rate: none of {} answers carried x-cache (the cache is off)",
            counts.uncached
        ),
    }
}

/// The `p`-quantile (0–1) of latencies given as bucket floor (µs) → count: the floor of the
/// bucket holding the request of that rank, at most `max_us` (the exact maximum); 0 for none.
pub fn percentile(buckets: &BTreeMap<u64, usize>, p: f64, max_us: u64) -> u64 {
    let total: usize = buckets.values().sum();
    let rank = ((total as f64) * p).ceil().max(1.0) as usize;
    let mut seen = 0;
    for (&bucket, &count) in buckets {
        seen += count;
        if seen >= rank {
            return bucket.min(max_us);
        }
    }
    max_us
}

/// A whole run: settings, dataset and one result per scenario.
#[derive(Debug, Serialize)]
pub struct Report {
    pub date: String,
    pub backend: String,
    pub cache: String,
    pub users: usize,
    pub duration_seconds: u64,
    pub dataset: DatasetSize,
    pub git_commit: String,
    pub results: Vec<ScenarioResult>,
}

impl Report {
    pub fn new(
        backend: &str,
        cache: &str,
        users: usize,
        duration: Duration,
        dataset: &DatasetSize,
        mut results: Vec<ScenarioResult>,
    ) -> Report {
        let liveness = results
            .iter()
            .find(|r| r.scenario == "liveness")
            .map(|r| r.requests_per_second)
            .filter(|&rps| rps > 0.0);
        for result in &mut results {
            result.ratio_to_liveness = liveness.map(|l| result.requests_per_second / l);
        }
        Report {
            date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            backend: backend.to_owned(),
            cache: cache.to_owned(),
            users,
            duration_seconds: duration.as_secs(),
            dataset: dataset.clone(),
            git_commit: git_commit(),
            results,
        }
    }

    /// The results as a Markdown table with a heading line.
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "{} · {} · cache {} · {} users · {} s per scenario · commit {}\n\n",
            self.date, self.backend, self.cache, self.users, self.duration_seconds, self.git_commit
        );
        out.push_str(
            "| scenario | req/s | × liveness | p50 ms | p95 ms | p99 ms | max ms | errors | orders/s (409s) | peak RSS MiB | load |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for r in &self.results {
            let ratio = r
                .ratio_to_liveness
                .map_or("—".to_owned(), |x| format!("{:.0} %", x * 100.0));
            let orders = r
                .orders_per_second
                .map_or("—".to_owned(), |o| format!("{o:.0} ({})", r.conflicts));
            let scenario = match r.users {
                Some(users) => format!("{} ({users} users)", r.scenario),
                None => r.scenario.clone(),
            };
            let _ = writeln!(
                out,
                "| {scenario} | {:.0} | {ratio} | {} | {} | {} | {} | {} | {orders} | {:.1} | {:.1} |",
                r.requests_per_second,
                ms(r.p50_us),
                ms(r.p95_us),
                ms(r.p99_us),
                ms(r.max_us),
                r.errors,
                mib(r.peak_rss_kib),
                r.load_average,
            );
        }
        for r in &self.results {
            if let Some(books) = &r.books {
                let verdict = if books.failures().is_empty() {
                    "balanced"
                } else {
                    "DO NOT BALANCE"
                };
                let _ = writeln!(out, "\nBooks after {}: {verdict} — {books}.", r.scenario);
            }
            if let Some(wal) = &r.wal {
                let _ = writeln!(out, "\nWAL in {}: {wal}.", r.scenario);
            }
            if let Some(counts) = &r.cache {
                let _ = writeln!(out, "\nCache in {}: {}.", r.scenario, cache_summary(counts));
            }
        }
        for r in &self.results {
            if let Some(target) = r.target_p95_us {
                out.push_str(&target_rows(r, target));
            }
        }
        out
    }

    /// Writes `<stem>.json` and `<stem>.md` into `dir`.
    pub fn write(&self, dir: &Path, stem: &str) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::write(
            dir.join(format!("{stem}.json")),
            serde_json::to_string_pretty(self)? + "\n",
        )?;
        std::fs::write(dir.join(format!("{stem}.md")), self.markdown())?;
        Ok(())
    }
}

/// A scenario's request rows against its p95 target, one line each.
fn target_rows(r: &ScenarioResult, target_us: u64) -> String {
    let mut out = format!(
        "\n{} by page (target: p95 < {} ms and no errors; ms measured by the client on loopback, \
         to the answer's headers; percentiles of the 200 answers):\n\n\
         | page | path | requests | errors | statuses | p50 ms | p95 ms | p99 ms | max ms | p95 < {} ms |\n\
         |---|---|---:|---:|---|---:|---:|---:|---:|---|\n",
        r.scenario,
        target_us as f64 / 1000.0,
        target_us as f64 / 1000.0
    );
    for row in &r.by_request {
        let statuses = row
            .status_codes
            .iter()
            .map(|(status, count)| format!("{status}×{count}"))
            .collect::<Vec<_>>()
            .join(" ");
        // No 200 answer: no latency to show.
        let answered = row.requests > row.errors;
        let figure = |us: u64| if answered { ms(us) } else { "—".to_owned() };
        let verdict = match row.meets_target {
            Some(true) => "yes",
            _ if row.errors > 0 => "**no** (errors)",
            _ => "**no**",
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {statuses} | {} | {} | {} | {} | {verdict} |",
            row.name,
            row.path.as_deref().unwrap_or(""),
            row.requests,
            row.errors,
            figure(row.p50_us),
            figure(row.p95_us),
            figure(row.p99_us),
            figure(row.max_us),
        );
    }
    out
}

fn ms(us: u64) -> String {
    format!("{:.2}", us as f64 / 1000.0)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The short commit of the working tree the run was made from (`unknown` outside git).
fn git_commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(results: Vec<ScenarioResult>) -> Report {
        let size = DatasetSize {
            products: 10,
            users: 1,
            reviews: 0,
            orders: 0,
            events: 0,
            event_days: 1,
        };
        Report::new(
            "sqlite",
            "memory",
            1,
            Duration::from_secs(1),
            &size,
            results,
        )
    }

    #[test]
    fn the_longtail_row_gets_a_hit_rate_line_under_the_table_and_other_rows_none() {
        let mut longtail = ScenarioResult::new("longtail", 1.0, 0);
        longtail.set_cache(CacheCounts {
            hits: 612,
            misses: 388,
            uncached: 0,
        });
        let markdown = report(vec![ScenarioResult::new("list", 1.0, 0), longtail]).markdown();
        assert!(
            markdown.contains(
                "\nCache in longtail: hit rate 61.2 % (612 hits, 388 misses, 0 without x-cache).\n"
            ),
            "{markdown}"
        );
        assert_eq!(markdown.matches("Cache in").count(), 1, "{markdown}");
        let json = serde_json::to_value(report(vec![ScenarioResult::new("list", 1.0, 0)])).unwrap();
        assert!(json["results"][0].get("cache_hit_rate").is_none());
    }

    #[test]
    fn with_the_cache_off_the_longtail_row_says_there_is_no_hit_rate() {
        let mut longtail = ScenarioResult::new("longtail", 1.0, 0);
        longtail.set_cache(CacheCounts {
            hits: 0,
            misses: 0,
            uncached: 500,
        });
        assert_eq!(longtail.cache_hit_rate, None);
        let markdown = report(vec![longtail]).markdown();
        assert!(
            markdown
                .contains("Cache in longtail: no hit rate: none of 500 answers carried x-cache"),
            "{markdown}"
        );
    }
}
