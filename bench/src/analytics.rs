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
    path::Path,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use chrono::{Days, Utc};
use serde_json::Value;

use crate::{
    measured::Measured, report::ScenarioResult, scenarios::load_average, server::Server, staff,
};

/// Rolls up every complete day of the seeded events with `nexus analytics rollup`, as an
/// operator would after an import (the admin is `staff::create_admin`'s).
pub fn prepare(nexus: &Path, database_url: &str) -> anyhow::Result<()> {
    let started = Instant::now();
    staff::run_command(nexus, database_url, &["analytics", "rollup"])?;
    println!(
        "analytics rolled up in {:.1}s",
        started.elapsed().as_secs_f64()
    );
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
    let token = staff::api_token(&base).await?;
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
        let started = Instant::now();
        let measured = attack(&url, &token, users, duration).await;
        let seconds = started.elapsed().as_secs_f64();
        let mut result = measured.result(name, seconds, server.peak_rss_kib());
        result.by_request.push(measured.row(name, None));
        result.load_average = load;
        result.users = Some(users);
        results.push(result);
    }
    Ok(results)
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

/// `users` clients asking for `url` back to back for `time`.
async fn attack(url: &str, token: &str, users: usize, time: Duration) -> Measured {
    let deadline = Instant::now() + time;
    let tasks: Vec<_> = (0..users)
        .map(|_| {
            let (url, token) = (url.to_owned(), token.to_owned());
            tokio::spawn(async move { one_user(&url, &token, deadline).await })
        })
        .collect();
    let mut measured = Measured::default();
    for task in tasks {
        if let Ok(user) = task.await {
            measured.add(&user);
        }
    }
    measured
}

/// One client's requests until `deadline`, on one keep-alive connection; answers asked gzipped
/// and read without inflating them, as the goose scenarios do.
async fn one_user(url: &str, token: &str, deadline: Instant) -> Measured {
    let client = reqwest::Client::new();
    let mut measured = Measured::default();
    while Instant::now() < deadline {
        measured.send(client.get(url).bearer_auth(token)).await;
    }
    measured
}
