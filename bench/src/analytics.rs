//! The `analytics` scenario (issue 18, SPEC §3.7): the JSON analytics dashboard
//! (`GET analytics/dashboard/`) over a year of events, which must answer in < 50 ms p95 from the
//! roll-ups, and over the default 30 days. (It was called `dashboard` until the staff web
//! dashboard's pages got that name.)
//!
//! Before the servers start, the dataset gets a year of events (`nexus seed --events N
//! --event-days 365`, in `main.rs`), an admin (`nexus createsuperuser --no-input`) and a roll-up
//! (`nexus analytics rollup`), as an operator would after an import. Then `users` staff clients,
//! each with its own keep-alive connection, ask for one period as fast as answers come, first
//! unmeasured (warm-up) and then for the measured time; each period is its own result row. Not a
//! goose attack: the period's dates and the admin's token are decided at run time, and a latency
//! here is one request's, timed like goose does (until the answer's headers, then the body is
//! read).

use std::{
    collections::BTreeMap,
    path::Path,
    process::Command,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use chrono::{Days, Utc};
use serde_json::{json, Value};

use crate::{
    report::{RequestRow, ScenarioResult},
    scenarios::load_average,
    server::Server,
};

/// The admin the harness creates to read the analytics dashboard.
const ADMIN_EMAIL: &str = "bench-admin@example.com";
const ADMIN_USERNAME: &str = "bench-admin";
const ADMIN_PASSWORD: &str = "dashboard-bench-passphrase-7";

/// Creates the admin and rolls up every complete day of the seeded events, with the `nexus`
/// admin commands.
pub fn prepare(nexus: &Path, database_url: &str) -> anyhow::Result<()> {
    run_command(
        nexus,
        database_url,
        &[
            "createsuperuser",
            "--email",
            ADMIN_EMAIL,
            "--username",
            ADMIN_USERNAME,
            "--no-input",
        ],
    )?;
    let started = Instant::now();
    run_command(nexus, database_url, &["analytics", "rollup"])?;
    println!(
        "analytics rolled up in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn run_command(nexus: &Path, database_url: &str, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new(nexus)
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("NEXUS_SUPERUSER_PASSWORD", ADMIN_PASSWORD)
        .env("LOG_LEVEL", "warn")
        .status()
        .with_context(|| format!("running nexus {}", args.join(" ")))?;
    if !status.success() {
        bail!("nexus {} failed ({status})", args.join(" "));
    }
    Ok(())
}

/// Measures the year-long period (`from` a year before today, 366 days, the longest the
/// dashboard answers) and the default one (no dates: the last 30 days), one after the other.
pub async fn run(
    server: &Server,
    users: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<Vec<ScenarioResult>> {
    let base = server.base_url().to_owned();
    let token = log_in(&base).await?;
    let today = Utc::now().date_naive();
    let year_ago = today
        .checked_sub_days(Days::new(365))
        .context("a year before today")?;
    let periods = [
        (
            "analytics-year",
            format!("/api/v1/analytics/dashboard/?from={year_ago}&to={today}"),
        ),
        ("analytics-30d", "/api/v1/analytics/dashboard/".to_owned()),
    ];
    let mut results = Vec::new();
    for (name, path) in periods {
        let url = format!("{base}{path}");
        describe(name, &url, &token).await?;
        if !warmup.is_zero() {
            attack(&url, &token, users, warmup).await;
        }
        let load = load_average();
        let measured = attack(&url, &token, users, duration).await;
        let mut result = measured.result(name, server.peak_rss_kib());
        result.load_average = load;
        result.users = Some(users);
        results.push(result);
    }
    Ok(results)
}

/// Signs the admin in; returns the access token.
async fn log_in(base: &str) -> anyhow::Result<String> {
    let response = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/jwt/create/"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or_default();
    match body["access"].as_str() {
        Some(token) => Ok(token.to_owned()),
        None => bail!("logging in {ADMIN_EMAIL} answered {status}: {body}"),
    }
}

/// One answer of the period, its headline figures printed: what the measured requests read.
async fn describe(name: &str, url: &str, token: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    let response = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or_default();
    if !status.is_success() {
        bail!("{name}: analytics/dashboard/ answered {status}: {body}");
    }
    println!(
        "{name}: {} to {} ({} days): revenue {}, {} orders, {} active users, top views {}, \
         first answer in {:.1} ms",
        body["from"],
        body["to"],
        body["daily"].as_array().map_or(0, Vec::len),
        body["revenue"],
        body["orders"],
        body["active_users"],
        body["top_products_by_views"][0]["views"],
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(())
}

/// What one attack saw.
#[derive(Debug, Default)]
struct Measured {
    seconds: f64,
    /// Latency (µs, to the answer's headers) → count, of the successful requests.
    latencies: BTreeMap<u64, usize>,
    max_us: u64,
    errors: u64,
    status_codes: BTreeMap<String, u64>,
}

impl Measured {
    fn add(&mut self, other: Measured) {
        for (latency, count) in other.latencies {
            *self.latencies.entry(latency).or_default() += count;
        }
        self.max_us = self.max_us.max(other.max_us);
        self.errors += other.errors;
        for (status, count) in other.status_codes {
            *self.status_codes.entry(status).or_default() += count;
        }
    }

    fn result(&self, name: &str, peak_rss_kib: u64) -> ScenarioResult {
        let mut result = ScenarioResult::new(name, self.seconds, peak_rss_kib);
        let answered: usize = self.latencies.values().sum();
        result.requests = answered as u64 + self.errors;
        result.errors = self.errors;
        result.max_us = self.max_us;
        result.set_percentiles(&self.latencies);
        result.by_request.push(RequestRow {
            name: name.to_owned(),
            requests: result.requests,
            p50_us: result.p50_us,
            p99_us: result.p99_us,
            errors: self.errors,
            status_codes: self.status_codes.clone(),
        });
        result
    }
}

/// `users` clients asking for `url` back to back for `time`.
async fn attack(url: &str, token: &str, users: usize, time: Duration) -> Measured {
    let started = Instant::now();
    let deadline = started + time;
    let tasks: Vec<_> = (0..users)
        .map(|_| {
            let (url, token) = (url.to_owned(), token.to_owned());
            tokio::spawn(async move { one_user(&url, &token, deadline).await })
        })
        .collect();
    let mut measured = Measured::default();
    for task in tasks {
        if let Ok(user) = task.await {
            measured.add(user);
        }
    }
    measured.seconds = started.elapsed().as_secs_f64();
    measured
}

/// One client's requests until `deadline`, on one keep-alive connection; answers asked gzipped
/// and read without inflating them, as the goose scenarios do.
async fn one_user(url: &str, token: &str, deadline: Instant) -> Measured {
    let client = reqwest::Client::new();
    let mut measured = Measured::default();
    while Instant::now() < deadline {
        let sent = Instant::now();
        let response = client
            .get(url)
            .bearer_auth(token)
            .header(reqwest::header::ACCEPT_ENCODING, "gzip")
            .send()
            .await;
        let latency = sent.elapsed().as_micros() as u64;
        let status = match response {
            Ok(response) => {
                let status = response.status();
                let _ = response.bytes().await;
                status.as_u16().to_string()
            }
            Err(_) => "failed".to_owned(),
        };
        if status == "200" {
            *measured.latencies.entry(latency).or_default() += 1;
            measured.max_us = measured.max_us.max(latency);
        } else {
            measured.errors += 1;
        }
        *measured.status_codes.entry(status).or_default() += 1;
    }
    measured
}
