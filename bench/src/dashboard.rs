//! The `dashboard` scenario (issue 19, SPEC §3.9): every page of the staff web dashboard must
//! answer in < 100 ms on the benchmark dataset.
//!
//! `users` staff clients (the run's admin, `staff.rs`) each sign in through the dashboard's form
//! (not measured), then ask for the pages one after the other, round the list from a different
//! starting page each, as fast as answers come: a warm-up, then the measured time. Every page
//! is its own row, with its p95 against the target. A page that answers anything but `200`
//! (404 while it is not built yet, 303 to the sign-in page, 500) counts as an error, and its
//! latencies are left out of its percentiles. Not a goose attack: the session cookie comes from
//! a form post at run time, and goose's cookie jar would follow the `303`s it must see. The
//! server sends no `Server-Timing`, so a latency is the client's, on loopback: from sending the
//! request to the answer's headers, then the body is read, gzip asked for and not inflated, as
//! goose does.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use chrono::{Days, Utc};
use reqwest::header::COOKIE;

use crate::{
    dataset::Workload,
    measured::Measured,
    report::ScenarioResult,
    scenarios::{load_average, random, workload},
    server::Server,
    staff,
};

/// SPEC §3.9: "every page answers in < 100 ms on the benchmark dataset".
const TARGET_P95_US: u64 = 100_000;

/// One page of the dashboard as the report names it.
#[derive(Debug)]
struct Page {
    name: &'static str,
    /// The path as the report shows it (`{id}` where each request picks its own).
    shown: String,
    /// What a request asks for: one of these, at random.
    paths: Vec<String>,
}

impl Page {
    fn fixed(name: &'static str, path: String) -> Page {
        Page {
            name,
            shown: path.clone(),
            paths: vec![path],
        }
    }

    fn each(name: &'static str, shown: &str, paths: Vec<String>) -> anyhow::Result<Page> {
        anyhow::ensure!(!paths.is_empty(), "the workload has nothing for {shown}");
        Ok(Page {
            name,
            shown: shown.to_owned(),
            paths,
        })
    }
}

/// The pages measured, in the menu's order: the overview for its default 30 days and for a
/// year, list pages with their filters, and details of real products and orders.
fn pages(workload: &Workload) -> anyhow::Result<Vec<Page>> {
    let today = Utc::now().date_naive();
    let year_ago = today
        .checked_sub_days(Days::new(365))
        .context("a year before today")?;
    let fixed = |name, path: &str| Page::fixed(name, path.to_owned());
    Ok(vec![
        fixed("overview", "/dashboard/"),
        Page::fixed(
            "overview-year",
            format!("/dashboard/?from={year_ago}&to={today}"),
        ),
        fixed("products", "/dashboard/products/"),
        Page::each(
            "products-search",
            "/dashboard/products/?search={word}",
            workload
                .words
                .iter()
                .map(|word| format!("/dashboard/products/?search={word}"))
                .collect(),
        )?,
        fixed("products-page-5", "/dashboard/products/?page=5"),
        Page::each(
            "product",
            "/dashboard/products/{id}/",
            workload
                .products
                .iter()
                .map(|(id, _)| format!("/dashboard/products/{id}/"))
                .collect(),
        )?,
        fixed("categories", "/dashboard/categories/"),
        fixed("brands", "/dashboard/brands/"),
        fixed("orders", "/dashboard/orders/"),
        // `paid` is a payment status; an order whose payment was taken is `processing`.
        fixed("orders-processing", "/dashboard/orders/?status=processing"),
        Page::each(
            "order",
            "/dashboard/orders/{id}/",
            workload
                .orders
                .iter()
                .map(|id| format!("/dashboard/orders/{id}/"))
                .collect(),
        )?,
        fixed("reviews", "/dashboard/reviews/"),
        fixed("requests", "/dashboard/requests/"),
        fixed("requests-search", "/dashboard/requests/?search=a"),
        fixed("contracts", "/dashboard/contracts/"),
        fixed(
            "contracts-disputed",
            "/dashboard/contracts/?status=disputed",
        ),
        fixed("providers", "/dashboard/providers/"),
        fixed("providers-unverified", "/dashboard/providers/?verified=no"),
        fixed("users", "/dashboard/users/"),
        fixed("jobs", "/dashboard/jobs/"),
    ])
}

/// Signs `users` clients in, prints one answer of each page, warms up, then measures; returns
/// one result whose request rows are the pages.
pub async fn run(
    server: &Server,
    users: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<Vec<ScenarioResult>> {
    let base = server.base_url().to_owned();
    let pages = Arc::new(pages(workload())?);
    let mut clients = Vec::with_capacity(users);
    for _ in 0..users {
        // Each its own keep-alive connection and session, as separate staff members have.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let session = staff::dashboard_session(&client, &base).await?;
        clients.push((client, session));
    }
    let clients = Arc::new(clients);
    describe(&base, &pages, &clients[0]).await;
    if !warmup.is_zero() {
        attack(&base, &pages, &clients, warmup).await;
    }
    let load = load_average();
    let started = Instant::now();
    let measured = attack(&base, &pages, &clients, duration).await;
    let seconds = started.elapsed().as_secs_f64();
    let mut result = summarise(&pages, &measured, seconds, server.peak_rss_kib());
    result.load_average = load;
    result.users = Some(users);
    Ok(vec![result])
}

/// One result for the whole dashboard (every page's requests together) with a row per page.
fn summarise(
    pages: &[Page],
    measured: &[Measured],
    seconds: f64,
    peak_rss_kib: u64,
) -> ScenarioResult {
    let mut all = Measured::default();
    for page in measured {
        all.add(page);
    }
    let mut result = all.result("dashboard", seconds, peak_rss_kib);
    result.target_p95_us = Some(TARGET_P95_US);
    for (page, page_measured) in pages.iter().zip(measured) {
        let mut row = page_measured.row(page.name, Some(TARGET_P95_US));
        row.path = Some(page.shown.clone());
        result.by_request.push(row);
    }
    result
}

/// One request per page before the measurement, printed: which pages exist, how big they are,
/// and what a first (uncached) answer costs.
async fn describe(base: &str, pages: &[Page], (client, session): &(reqwest::Client, String)) {
    for page in pages {
        let path = random(&page.paths);
        let sent = Instant::now();
        let answer = client
            .get(format!("{base}{path}"))
            .header(COOKIE, session)
            .send()
            .await;
        let outcome = match answer {
            Ok(answer) => {
                let status = answer.status();
                let bytes = answer.bytes().await.map_or(0, |body| body.len());
                format!("{status}, {bytes} bytes")
            }
            Err(error) => format!("failed: {error}"),
        };
        println!(
            "dashboard {}: {path} → {outcome} in {:.1} ms",
            page.name,
            sent.elapsed().as_secs_f64() * 1000.0
        );
    }
}

/// Every client asking for the pages back to back for `time`; what each page saw.
async fn attack(
    base: &str,
    pages: &Arc<Vec<Page>>,
    clients: &Arc<Vec<(reqwest::Client, String)>>,
    time: Duration,
) -> Vec<Measured> {
    let deadline = Instant::now() + time;
    let tasks: Vec<_> = (0..clients.len())
        .map(|index| {
            let (base, pages, clients) = (base.to_owned(), pages.clone(), clients.clone());
            tokio::spawn(async move {
                let (client, session) = &clients[index];
                one_user(&base, &pages, client, session, index, deadline).await
            })
        })
        .collect();
    let mut measured = vec![Measured::default(); pages.len()];
    for task in tasks {
        if let Ok(user) = task.await {
            for (total, page) in measured.iter_mut().zip(&user) {
                total.add(page);
            }
        }
    }
    measured
}

/// One client's requests until `deadline`: the pages in turn from the `first`-th on.
async fn one_user(
    base: &str,
    pages: &[Page],
    client: &reqwest::Client,
    session: &str,
    first: usize,
    deadline: Instant,
) -> Vec<Measured> {
    let mut measured = vec![Measured::default(); pages.len()];
    let mut next = first % pages.len();
    while Instant::now() < deadline {
        let url = format!("{base}{}", random(&pages[next].paths));
        measured[next]
            .send(client.get(url).header(COOKIE, session))
            .await;
        next = (next + 1) % pages.len();
    }
    measured
}
