//! The `notify` scenario (issue 17): many open notification streams on one instance, and the time
//! from a staff status change being sent to its notification arriving on the customer's stream.
//!
//! Not a goose attack: goose measures request/response pairs, and here the measured thing is an
//! event on a long-lived response. Each of `streams` customers (distinct seeded users with an order
//! that can still move on) holds one `GET notifications/stream/`; a staff user then advances those
//! orders one at a time (`PATCH orders/{id}/` with the next status), and each change's latency is
//! taken from sending the PATCH to reading the event. Changes are sequential, so each latency is one
//! change's own, on a server holding every stream open.

use std::{
    collections::{BTreeMap, HashMap},
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{bail, Context};
use futures_util::StreamExt;
use serde_json::json;
use sqlx::Row;
use tokio::sync::{mpsc, Semaphore};

use crate::{dataset::DEMO_PASSWORD, report::ScenarioResult, server::Server};

/// How long one change may take to arrive before it counts as lost.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// An order the staff user can move on, and whose stream should hear of it.
#[derive(Debug, Clone)]
struct Movable {
    order_id: i64,
    user_id: i64,
    email: String,
    status: String,
}

/// The status after `status` on the happy path, if any.
fn next_status(status: &str) -> Option<&'static str> {
    match status {
        "pending" => Some("processing"),
        "processing" => Some("shipped"),
        "shipped" => Some("delivered"),
        "delivered" => Some("completed"),
        _ => None,
    }
}

/// Runs the scenario against `server` and reports delivery latencies as the result's percentiles.
pub async fn run(
    server: &Server,
    database_url: &str,
    streams: usize,
    changes: usize,
) -> anyhow::Result<ScenarioResult> {
    let (orders, staff_email) = pick_orders(database_url, streams).await?;
    let base = server.base_url().to_owned();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()?;
    let staff = log_in(&client, &base, &staff_email).await?;
    println!("logging in {} customers", orders.len());
    let tokens = log_in_all(&client, &base, &orders).await?;

    let (events_tx, mut events) = mpsc::unbounded_channel::<i64>();
    let opened = Instant::now();
    let mut holders = Vec::new();
    for (user_id, token) in &tokens {
        holders.push(open_stream(&base, *user_id, token.clone(), events_tx.clone()).await?);
    }
    println!(
        "{} streams open in {:.1}s; server RSS {:.1} MiB",
        holders.len(),
        opened.elapsed().as_secs_f64(),
        server.rss_kib() as f64 / 1024.0
    );

    let mut movable: Vec<Movable> = orders;
    let mut latencies_us = Vec::with_capacity(changes);
    let mut lost = 0u64;
    let started = Instant::now();
    for n in 0..changes {
        let Some(index) = (0..movable.len())
            .map(|i| (n + i) % movable.len())
            .find(|&i| next_status(&movable[i].status).is_some())
        else {
            println!("every order reached its last status after {n} changes");
            break;
        };
        let order = &mut movable[index];
        let next = next_status(&order.status).expect("checked above");
        while events.try_recv().is_ok() {}
        let sent = Instant::now();
        let response = client
            .patch(format!("{base}/api/v1/orders/{}/", order.order_id))
            .bearer_auth(&staff)
            .json(&json!({"status": next}))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!(
                "status change of order {} answered {}",
                order.order_id,
                response.status()
            );
        }
        order.status = next.to_owned();
        let user_id = order.user_id;
        let arrived = tokio::time::timeout(DELIVERY_TIMEOUT, async {
            while let Some(from) = events.recv().await {
                if from == user_id {
                    return true;
                }
            }
            false
        })
        .await;
        match arrived {
            Ok(true) => latencies_us.push(sent.elapsed().as_micros() as u64),
            _ => lost += 1,
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let rss = server.rss_kib();
    for holder in holders {
        holder.abort();
    }
    let mut result = ScenarioResult::new("notify", seconds, server.peak_rss_kib());
    result.requests = latencies_us.len() as u64;
    result.errors = lost;
    result.max_us = latencies_us.iter().copied().max().unwrap_or(0);
    let mut buckets = BTreeMap::new();
    for latency in &latencies_us {
        *buckets.entry(*latency).or_insert(0usize) += 1;
    }
    result.set_percentiles(&buckets);
    println!(
        "notify: {} streams, {} changes delivered, {lost} lost; delivery p50 {:.1} ms, p99 {:.1} ms, \
         max {:.1} ms; server RSS with the streams open {:.1} MiB",
        tokens.len(),
        latencies_us.len(),
        result.p50_us as f64 / 1000.0,
        result.p99_us as f64 / 1000.0,
        result.max_us as f64 / 1000.0,
        rss as f64 / 1024.0
    );
    Ok(result)
}

/// Up to `streams` distinct demo customers, each with one order that can move on; and a staff
/// account (a demo user outside that set, promoted to staff) to move them.
async fn pick_orders(database_url: &str, streams: usize) -> anyhow::Result<(Vec<Movable>, String)> {
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(database_url)
        .await?;
    let rows = sqlx::query(
        "SELECT o.id, o.user_id, u.email, o.status FROM orders o JOIN users u ON u.id = o.user_id \
         WHERE u.username LIKE 'demo.%' AND u.is_active = TRUE \
         AND o.status IN ('pending', 'processing', 'shipped', 'delivered') ORDER BY o.id",
    )
    .fetch_all(&pool)
    .await?;
    let mut by_user: HashMap<i64, Movable> = HashMap::new();
    for row in rows {
        let user_id: i64 = row.try_get(1)?;
        by_user.entry(user_id).or_insert(Movable {
            order_id: row.try_get(0)?,
            user_id,
            email: row.try_get(2)?,
            status: row.try_get(3)?,
        });
    }
    let mut orders: Vec<Movable> = by_user.into_values().collect();
    orders.sort_by_key(|order| order.user_id);
    orders.truncate(streams);
    if orders.len() < streams {
        println!(
            "only {} customers have an order that can move on",
            orders.len()
        );
    }
    let chosen: Vec<i64> = orders.iter().map(|order| order.user_id).collect();
    let staff: (i64, String) = sqlx::query_as(
        "SELECT id, email FROM users WHERE username LIKE 'demo.%' AND is_active = TRUE \
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await?;
    if chosen.contains(&staff.0) {
        bail!("not enough demo users for {streams} streams and one staff account");
    }
    sqlx::query("UPDATE users SET role = 'staff' WHERE id = $1")
        .bind(staff.0)
        .execute(&pool)
        .await?;
    pool.close().await;
    Ok((orders, staff.1))
}

pub(crate) async fn log_in(
    client: &reqwest::Client,
    base: &str,
    email: &str,
) -> anyhow::Result<String> {
    let response = client
        .post(format!("{base}/api/v1/auth/jwt/create/"))
        .json(&json!({"email": email, "password": DEMO_PASSWORD}))
        .send()
        .await?;
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    match body["access"].as_str() {
        Some(token) => Ok(token.to_owned()),
        None => bail!("logging in {email} answered {status}: {body}"),
    }
}

/// Logs every customer in, a few at a time (each login is a deliberate Argon2 hash).
async fn log_in_all(
    client: &reqwest::Client,
    base: &str,
    orders: &[Movable],
) -> anyhow::Result<Vec<(i64, String)>> {
    let permits = Arc::new(Semaphore::new(8));
    let mut tasks = Vec::new();
    for order in orders {
        let (client, base, email, user_id) = (
            client.clone(),
            base.to_owned(),
            order.email.clone(),
            order.user_id,
        );
        let permits = permits.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire().await?;
            Ok::<_, anyhow::Error>((user_id, log_in(&client, &base, &email).await?))
        }));
    }
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await??);
    }
    Ok(tokens)
}

/// Opens one stream on a connection of its own and reports each notification event's user.
async fn open_stream(
    base: &str,
    user_id: i64,
    token: String,
    events: mpsc::UnboundedSender<i64>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let client = reqwest::Client::new();
    let response = client
        .get(format!("{base}/api/v1/notifications/stream/"))
        .bearer_auth(token)
        .send()
        .await
        .context("opening a notification stream")?;
    if !response.status().is_success() {
        bail!("the stream answered {}", response.status());
    }
    Ok(tokio::spawn(async move {
        let mut body = response.bytes_stream();
        let mut pending = String::new();
        while let Some(Ok(chunk)) = body.next().await {
            pending.push_str(&String::from_utf8_lossy(&chunk));
            // Events end with a blank line; comments (keep-alives) start with ':'.
            while let Some(end) = pending.find("\n\n") {
                let event: String = pending.drain(..end + 2).collect();
                if event.lines().any(|line| line == "event: notification") {
                    let _ = events.send(user_id);
                }
            }
        }
    }))
}
