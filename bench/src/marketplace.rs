//! The `marketplace` scenario (issue 21, SPEC §3.12): browse services, post requests, propose,
//! accept. Not a goose attack: each step feeds the next with the ids the server made (the
//! requests to propose on, the proposals to accept), which goose's independent users can't
//! pass along.
//!
//! On the seeded dataset (`nexus seed --demo` seeds a marketplace), in four measured steps:
//! 1. **browse**: `connections` anonymous clients ask for `services/`, `services/?search=<word>`
//!    and `services/{id}/` in turn for the run's duration;
//! 2. **post**: `connections` demo clients (users without a provider profile) each post requests
//!    back to back for the duration;
//! 3. **propose**: two providers propose on every posted request, `connections` at a time, until
//!    all are done;
//! 4. **accept**: each client accepts one proposal on each of their requests, every client at
//!    once, until all are done. Its throughput is the contracts per second the target
//!    is set on (≥ 500 on PostgreSQL), and every answer must be a `201`.
//!
//! Each step is a row of the one result; the logins before the run are not measured.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::bail;
use serde_json::{json, Value};
use sqlx::Row;
use tokio::sync::Semaphore;

use crate::{
    measured::Measured, notify::log_in, report::ScenarioResult, scenarios::load_average,
    server::Server,
};

/// The target for the accept step on PostgreSQL.
pub const TARGET_CONTRACTS_PER_SECOND: f64 = 500.0;

/// Demo users who act in the run, and what there is to browse.
struct Cast {
    /// Users without a provider profile: they post requests and accept.
    clients: Vec<String>,
    /// Users with one: they propose.
    providers: Vec<String>,
    services: Vec<String>,
    words: Vec<String>,
}

/// A request as the post step left it, and the proposals made on it.
struct Posted {
    client: usize,
    request: String,
    proposals: Vec<String>,
}

async fn cast(database_url: &str, clients: usize) -> anyhow::Result<Cast> {
    let db = crate::dataset::connect(database_url).await?;
    let emails = |sql: &'static str| {
        let db = db.clone();
        async move {
            let rows = sqlx::query(sql).fetch_all(&db).await?;
            rows.iter()
                .map(|row| row.try_get::<String, _>(0))
                .collect::<Result<Vec<_>, _>>()
        }
    };
    let mut client_emails = emails(
        "SELECT email FROM users u WHERE u.username LIKE 'demo.%' AND NOT EXISTS \
         (SELECT 1 FROM providers p WHERE p.user_id = u.id) ORDER BY u.id",
    )
    .await?;
    client_emails.truncate(clients);
    let providers =
        emails("SELECT u.email FROM users u JOIN providers p ON p.user_id = u.id ORDER BY u.id")
            .await?;
    let services = emails("SELECT id FROM services WHERE is_active = TRUE ORDER BY id").await?;
    let words = emails("SELECT title FROM services ORDER BY id")
        .await?
        .iter()
        .filter_map(|title| title.split_whitespace().next().map(str::to_lowercase))
        .collect();
    db.close().await;
    if client_emails.is_empty() || providers.len() < 2 || services.is_empty() {
        bail!(
            "the dataset has {} clients, {} providers and {} services; the marketplace scenario \
             needs a client, two providers and a service (nexus seed --demo seeds them)",
            client_emails.len(),
            providers.len(),
            services.len()
        );
    }
    Ok(Cast {
        clients: client_emails,
        providers,
        services,
        words,
    })
}

/// Runs the four steps; one result, a row per step.
pub async fn run(
    server: &Server,
    database_url: &str,
    connections: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<ScenarioResult> {
    let cast = Arc::new(cast(database_url, connections).await?);
    let base = format!("{}/api/v1", server.base_url());
    let http = reqwest::Client::new();
    let mut client_tokens = Vec::new();
    for email in &cast.clients {
        client_tokens.push(log_in(&http, server.base_url(), email).await?);
    }
    let mut provider_tokens = Vec::new();
    for email in &cast.providers {
        provider_tokens.push(log_in(&http, server.base_url(), email).await?);
    }
    println!(
        "marketplace: {} clients, {} providers, {} services",
        cast.clients.len(),
        cast.providers.len(),
        cast.services.len()
    );
    if !warmup.is_zero() {
        browse(&http, &base, &cast, connections, warmup).await;
    }
    let load = load_average();
    let started = Instant::now();
    let browsed = browse(&http, &base, &cast, connections, duration).await;
    let (posted, posting) = post(&http, &base, &client_tokens, duration).await;
    let (posted, proposing) = propose(&http, &base, &provider_tokens, posted, connections).await;
    let accept_started = Instant::now();
    let accepting = accept(&http, &base, &client_tokens, &posted).await;
    let accept_seconds = accept_started.elapsed().as_secs_f64();
    let seconds = started.elapsed().as_secs_f64();

    let contracts = accepting.latencies.values().sum::<usize>() as f64;
    println!(
        "accept: {contracts} contracts in {accept_seconds:.2} s = {:.0} contracts/s, {} errors \
         (target ≥ {TARGET_CONTRACTS_PER_SECOND})",
        contracts / accept_seconds,
        accepting.errors
    );
    let mut all = Measured::default();
    for step in browsed.iter().chain([&posting, &proposing, &accepting]) {
        all.add(step);
    }
    let mut result = all.result("marketplace", seconds, server.peak_rss_kib());
    result.load_average = load;
    for (name, measured) in [
        ("browse services/", &browsed[0]),
        ("browse services/?search=", &browsed[1]),
        ("browse services/{id}/", &browsed[2]),
        ("post requests/", &posting),
        ("propose proposals/", &proposing),
    ] {
        result.by_request.push(measured.row(name, None));
    }
    let mut row = accepting.row("accept proposals/{id}/accept/", None);
    row.path = Some(format!(
        "{:.0} contracts/s (target ≥ {TARGET_CONTRACTS_PER_SECOND})",
        contracts / accept_seconds
    ));
    result.by_request.push(row);
    Ok(result)
}

/// Anonymous browsing for `time`: the list, a search and a detail in turn, per client.
async fn browse(
    http: &reqwest::Client,
    base: &str,
    cast: &Arc<Cast>,
    connections: usize,
    time: Duration,
) -> Vec<Measured> {
    let deadline = Instant::now() + time;
    let tasks: Vec<_> = (0..connections)
        .map(|index| {
            let (http, base, cast) = (http.clone(), base.to_owned(), cast.clone());
            tokio::spawn(async move {
                let mut measured = vec![Measured::default(); 3];
                let mut turn = index;
                while Instant::now() < deadline {
                    let kind = turn % 3;
                    let url = match kind {
                        0 => format!("{base}/services/"),
                        1 => format!(
                            "{base}/services/?search={}",
                            cast.words[turn % cast.words.len()]
                        ),
                        _ => format!(
                            "{base}/services/{}/",
                            cast.services[turn % cast.services.len()]
                        ),
                    };
                    measured[kind].send(http.get(url)).await;
                    turn += 1;
                }
                measured
            })
        })
        .collect();
    let mut total = vec![Measured::default(); 3];
    for task in tasks {
        if let Ok(measured) = task.await {
            for (sum, one) in total.iter_mut().zip(&measured) {
                sum.add(one);
            }
        }
    }
    total
}

/// Each client posting requests back to back for `time`; the requests made.
async fn post(
    http: &reqwest::Client,
    base: &str,
    tokens: &[String],
    time: Duration,
) -> (Vec<Posted>, Measured) {
    let deadline = Instant::now() + time;
    let tasks: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(client, token)| {
            let (http, base, token) = (http.clone(), base.to_owned(), token.clone());
            tokio::spawn(async move {
                let mut measured = Measured::default();
                let mut posted = Vec::new();
                let mut n = 0;
                while Instant::now() < deadline {
                    n += 1;
                    let body = json!({
                        "title": format!("Bench request {client}-{n}"),
                        "description": "A request posted by the benchmark.",
                        "budget_min": "50.00",
                        "budget_max": "150.00",
                    });
                    let request = http
                        .post(format!("{base}/requests/"))
                        .bearer_auth(&token)
                        .json(&body);
                    if let Some(created) = send_for_id(&mut measured, request).await {
                        posted.push(Posted {
                            client,
                            request: created,
                            proposals: Vec::new(),
                        });
                    }
                }
                (posted, measured)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut measured = Measured::default();
    for task in tasks {
        if let Ok((posted, one)) = task.await {
            all.extend(posted);
            measured.add(&one);
        }
    }
    (all, measured)
}

/// Two providers propose on every posted request, `connections` proposals at a time.
async fn propose(
    http: &reqwest::Client,
    base: &str,
    tokens: &[String],
    posted: Vec<Posted>,
    connections: usize,
) -> (Vec<Posted>, Measured) {
    let permits = Arc::new(Semaphore::new(connections.max(1)));
    let tasks: Vec<_> = posted
        .into_iter()
        .enumerate()
        .map(|(index, mut posted)| {
            let (http, base, permits) = (http.clone(), base.to_owned(), permits.clone());
            let proposers = [
                tokens[index % tokens.len()].clone(),
                tokens[(index + 1) % tokens.len()].clone(),
            ];
            tokio::spawn(async move {
                let mut measured = Measured::default();
                for (rank, token) in proposers.iter().enumerate() {
                    let Ok(_permit) = permits.acquire().await else {
                        break;
                    };
                    let body = json!({
                        "request": posted.request,
                        "price": format!("{}.00", 90 + rank * 10),
                        "message": "Happy to help.",
                        "estimated_days": 5,
                    });
                    let request = http
                        .post(format!("{base}/proposals/"))
                        .bearer_auth(token)
                        .json(&body);
                    if let Some(id) = send_for_id(&mut measured, request).await {
                        posted.proposals.push(id);
                    }
                }
                (posted, measured)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut measured = Measured::default();
    for task in tasks {
        if let Ok((posted, one)) = task.await {
            all.push(posted);
            measured.add(&one);
        }
    }
    (all, measured)
}

/// Every client accepting one proposal on each of their requests, one after the other, all
/// clients at once.
async fn accept(
    http: &reqwest::Client,
    base: &str,
    tokens: &[String],
    posted: &[Posted],
) -> Measured {
    let tasks: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(client, token)| {
            let (http, base, token) = (http.clone(), base.to_owned(), token.clone());
            let proposals: Vec<String> = posted
                .iter()
                .filter(|p| p.client == client)
                .filter_map(|p| p.proposals.first().cloned())
                .collect();
            tokio::spawn(async move {
                let mut measured = Measured::default();
                for proposal in proposals {
                    let request = http
                        .post(format!("{base}/proposals/{proposal}/accept/"))
                        .bearer_auth(&token)
                        .json(&json!({}));
                    measured.send_expecting(201, request).await;
                }
                measured
            })
        })
        .collect();
    let mut measured = Measured::default();
    for task in tasks {
        if let Ok(one) = task.await {
            measured.add(&one);
        }
    }
    measured
}

/// Sends a create request, records it, and returns the new object's id on a `201`.
async fn send_for_id(measured: &mut Measured, request: reqwest::RequestBuilder) -> Option<String> {
    let sent = Instant::now();
    let answer = request.send().await;
    let latency = sent.elapsed().as_micros() as u64;
    let Ok(answer) = answer else {
        measured.record_expecting(201, None, latency);
        return None;
    };
    let status = answer.status().as_u16();
    measured.record_expecting(201, Some(status), latency);
    let body: Value = answer.json().await.unwrap_or_default();
    if status != 201 {
        return None;
    }
    body["id"].as_str().map(str::to_owned)
}
