//! The goose scenarios and how one is run: a warm-up attack, then the measured attack while the
//! server's resident memory is polled; goose's per-request metrics become a [`ScenarioResult`].

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Mutex, OnceLock},
    time::Duration,
};

use anyhow::{bail, Context};
use goose::{
    goose::{GooseResponse, Scenario as GooseScenario},
    metrics::GooseMetrics,
    prelude::*,
};
use rand::Rng;
use serde_json::json;

use crate::{
    dataset::{Workload, DEMO_PASSWORD},
    longtail,
    report::{RequestRow, ScenarioResult},
    server::Server,
};

/// The workload the transactions pick from; set once, before the first attack.
static WORKLOAD: OnceLock<Workload> = OnceLock::new();

/// Makes `workload` the one every scenario of this process uses.
pub fn set_workload(workload: Workload) -> anyhow::Result<()> {
    WORKLOAD
        .set(workload)
        .map_err(|_| anyhow::anyhow!("the workload is set once per process"))
}

/// The workload [`set_workload`] set.
pub(crate) fn workload() -> &'static Workload {
    WORKLOAD.get().expect("set_workload runs before any attack")
}

/// One benchmark scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    Liveness,
    List,
    Detail,
    Search,
    /// `GET categories/?page=<1–3>`: the category list with its products counts (issue 22).
    Categories,
    BrowseMix,
    /// Product-list URLs drawn by Zipf rank from ~100,000 distinct filter/search combinations
    /// (`longtail.rs`), so the cache both hits and misses; reports the hit rate.
    Longtail,
    Checkout,
    Mixed,
    /// Open notification streams and status-change delivery latency (`notify.rs`, not goose).
    Notify,
    /// `GET analytics/dashboard/` over a year of events and over 30 days (`analytics.rs`, not
    /// goose); not part of `all`, since it seeds millions of events first.
    Analytics,
    /// The staff web dashboard's pages, signed in through its form (`dashboard.rs`, not goose);
    /// not part of `all`, like `analytics`, whose year of events its overview reads.
    Dashboard,
    /// `nexus import-django` of a generated Django database (`django_import.rs`: no server);
    /// only on its own.
    DjangoImport,
    /// Browse services, post requests, propose, accept (`marketplace.rs`, not goose: each step
    /// uses the ids the one before made); not part of `all`, since it writes thousands of
    /// contracts.
    Marketplace,
}

impl Scenario {
    const ALL: [Scenario; 10] = [
        Scenario::Liveness,
        Scenario::List,
        Scenario::Detail,
        Scenario::Search,
        Scenario::Categories,
        Scenario::BrowseMix,
        Scenario::Longtail,
        Scenario::Checkout,
        Scenario::Mixed,
        Scenario::Notify,
    ];

    /// Every scenario that can be named: `all` and the ones run only when asked for.
    const NAMED: [Scenario; 14] = [
        Scenario::Liveness,
        Scenario::List,
        Scenario::Detail,
        Scenario::Search,
        Scenario::Categories,
        Scenario::BrowseMix,
        Scenario::Longtail,
        Scenario::Checkout,
        Scenario::Mixed,
        Scenario::Notify,
        Scenario::Analytics,
        Scenario::Dashboard,
        Scenario::DjangoImport,
        Scenario::Marketplace,
    ];

    /// `all` or one scenario's name.
    pub fn parse_list(value: &str) -> anyhow::Result<Vec<Scenario>> {
        if value == "all" {
            return Ok(Self::ALL.to_vec());
        }
        value
            .split(',')
            .map(
                |name| match Self::NAMED.into_iter().find(|s| s.name() == name.trim()) {
                    Some(scenario) => Ok(scenario),
                    None => bail!(
                        "unknown scenario {name:?}: all, or a comma-separated list of {}",
                        Self::NAMED.map(|s| s.name()).join(", ")
                    ),
                },
            )
            .collect()
    }

    pub fn name(self) -> &'static str {
        match self {
            Scenario::Liveness => "liveness",
            Scenario::List => "list",
            Scenario::Detail => "detail",
            Scenario::Search => "search",
            Scenario::Categories => "categories",
            Scenario::BrowseMix => "browse-mix",
            Scenario::Longtail => "longtail",
            Scenario::Checkout => "checkout",
            Scenario::Mixed => "mixed",
            Scenario::Notify => "notify",
            Scenario::Analytics => "analytics",
            Scenario::Dashboard => "dashboard",
            Scenario::DjangoImport => "django-import",
            Scenario::Marketplace => "marketplace",
        }
    }

    /// Whether the scenario places orders (and so is followed by the books check).
    pub fn buys(self) -> bool {
        matches!(self, Scenario::Checkout | Scenario::Mixed)
    }

    /// The goose scenarios (user types) making up this benchmark scenario.
    fn goose_scenarios(self) -> anyhow::Result<Vec<GooseScenario>> {
        let browsing =
            |name: &str, step: Transaction| GooseScenario::new(name).register_transaction(step);
        Ok(match self {
            Scenario::Liveness => vec![browsing("liveness", transaction!(liveness))],
            Scenario::List => vec![browsing("list", transaction!(list))],
            Scenario::Detail => vec![browsing("detail", transaction!(detail))],
            Scenario::Search => vec![browsing("search", transaction!(search))],
            Scenario::Categories => vec![browsing("categories", transaction!(categories))],
            Scenario::BrowseMix => vec![browsing("browse-mix", transaction!(browse_mix))],
            Scenario::Longtail => vec![browsing("longtail", transaction!(longtail))],
            Scenario::Checkout => vec![buyer()],
            // Users, not requests, are split 90/10: goose hands out user types by weight.
            Scenario::Mixed => vec![
                browsing("browse-mix", transaction!(browse_mix)).set_weight(9)?,
                buyer().set_weight(1)?,
            ],
            Scenario::Notify => bail!("notify is not a goose scenario (notify.rs runs it)"),
            Scenario::Analytics => {
                bail!("analytics is not a goose scenario (analytics.rs runs it)")
            }
            Scenario::Dashboard => {
                bail!("dashboard is not a goose scenario (dashboard.rs runs it)")
            }
            Scenario::DjangoImport => {
                bail!("django-import is not a goose scenario (django_import.rs runs it)")
            }
            Scenario::Marketplace => {
                bail!("marketplace is not a goose scenario (marketplace.rs runs it)")
            }
        })
    }
}

fn buyer() -> GooseScenario {
    GooseScenario::new("checkout")
        .register_transaction(transaction!(log_in).set_on_start())
        .register_transaction(transaction!(checkout))
}

/// Runs `scenario`: `warmup` unmeasured, then `duration` measured with `users` users; the peak
/// memory is the server's `VmHWM` afterwards (each scenario has a server of its own).
pub async fn run(
    scenario: Scenario,
    server: &Server,
    users: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<ScenarioResult> {
    if !warmup.is_zero() {
        attack(scenario, server.base_url(), users, warmup).await?;
    }
    let load_before = load_average();
    // The warm-up's answers are not the measured run's.
    longtail::take_cache_counts();
    let metrics = attack(scenario, server.base_url(), users, duration).await?;
    let mut result = summarise(scenario, &metrics, duration, server.peak_rss_kib());
    result.load_average = load_before;
    if scenario == Scenario::Longtail {
        result.set_cache(longtail::take_cache_counts());
    }
    Ok(result)
}

/// The machine's 1-minute load average (`/proc/loadavg`): other work on the machine shows here.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// One goose attack: all users start at once, then run for `time` (whole seconds).
async fn attack(
    scenario: Scenario,
    base_url: &str,
    users: usize,
    time: Duration,
) -> anyhow::Result<GooseMetrics> {
    let mut attack = GooseAttack::initialize_with_config(Default::default())?;
    for goose_scenario in scenario.goose_scenarios()? {
        attack = attack.register_scenario(goose_scenario);
    }
    let metrics = attack
        .set_default(GooseDefault::Host, base_url)?
        .set_default(GooseDefault::Users, users)?
        .set_default(GooseDefault::IncreaseRate, "1000")?
        .set_default(GooseDefault::RunTime, time.as_secs().max(1) as usize)?
        .set_default(GooseDefault::Quiet, 1usize)?
        .set_default(GooseDefault::NoPrintMetrics, true)?
        .set_default(GooseDefault::NoTelnet, true)?
        .set_default(GooseDefault::NoGzip, true)?
        .execute()
        .await
        .context("goose attack")?;
    Ok(metrics)
}

/// Requests/s, latency percentiles over every request except logins, and errors.
fn summarise(
    scenario: Scenario,
    metrics: &GooseMetrics,
    duration: Duration,
    peak_rss_kib: u64,
) -> ScenarioResult {
    let seconds = if metrics.duration > 0 {
        metrics.duration as f64
    } else {
        duration.as_secs_f64()
    };
    let mut buckets: BTreeMap<u64, usize> = BTreeMap::new();
    let mut result = ScenarioResult::new(scenario.name(), seconds, peak_rss_kib);
    for aggregate in metrics.requests.values() {
        let name = aggregate.path.as_str();
        if name == "login" {
            continue;
        }
        let timing = &aggregate.raw_data;
        for (&bucket, &count) in timing.times_us.iter() {
            *buckets.entry(bucket).or_default() += count;
        }
        result.requests += timing.counter as u64;
        result.errors += aggregate.fail_count as u64;
        result.max_us = result.max_us.max(timing.maximum_time_us);
        let count_of =
            |status: u16| *aggregate.status_code_counts.get(&status).unwrap_or(&0) as u64;
        if name == "order" {
            result.orders = Some(count_of(201));
            result.conflicts = count_of(409);
        }
        result.by_request.push(RequestRow {
            name: name.to_owned(),
            path: None,
            requests: timing.counter as u64,
            p50_us: timing.percentile_us(0.50),
            p95_us: timing.percentile_us(0.95),
            p99_us: timing.percentile_us(0.99),
            max_us: timing.maximum_time_us,
            errors: aggregate.fail_count as u64,
            status_codes: aggregate
                .status_code_counts
                .iter()
                .map(|(status, count)| (status.to_string(), *count as u64))
                .collect(),
            meets_target: None,
        });
    }
    result.set_percentiles(&buckets);
    result
}

/// One of `items`, at random.
pub(crate) fn random<T>(items: &[T]) -> &T {
    &items[rand::rng().random_range(0..items.len())]
}

/// Adds `Accept-Encoding: gzip`, as browsers send. The client (built with goose's `NoGzip`) then
/// reads the compressed bytes without inflating them, as wrk or a proxy would: inflating is the
/// client's work, and on cores it shares with the server it took ~15 % of the machine during
/// `list` (perf), CPU the server then didn't have, while `liveness`, whose answers are too small
/// to compress, paid none.
fn asking_for_gzip(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    request.header(reqwest::header::ACCEPT_ENCODING, "gzip")
}

/// `GET path`, asking for gzip; `name` groups it in the metrics.
async fn get(
    user: &mut GooseUser,
    path: &str,
    name: &str,
) -> Result<GooseResponse, Box<TransactionError>> {
    let request = GooseRequest::builder()
        .path(path)
        .name(name)
        .set_request_builder(asking_for_gzip(
            user.get_request_builder(&GooseMethod::Get, path)?,
        ))
        .build();
    user.request(request).await
}

/// Reads the body: the request is not done until it is, and the connection is reused only then.
async fn finish(response: GooseResponse) -> TransactionResult {
    if let Ok(response) = response.response {
        let _ = response.bytes().await;
    }
    Ok(())
}

async fn liveness(user: &mut GooseUser) -> TransactionResult {
    finish(get(user, "/health/liveness/", "liveness").await?).await
}

async fn list(user: &mut GooseUser) -> TransactionResult {
    let path = random(&workload().list_paths);
    finish(get(user, path, "list").await?).await
}

async fn detail(user: &mut GooseUser) -> TransactionResult {
    let (id, slug) = random(&workload().products);
    let path = if rand::rng().random_bool(0.5) {
        format!("/api/v1/products/{id}/")
    } else {
        format!("/api/v1/products/{slug}/")
    };
    finish(get(user, &path, "detail").await?).await
}

async fn search(user: &mut GooseUser) -> TransactionResult {
    let word = random(&workload().words);
    finish(get(user, &format!("/api/v1/products/?search={word}"), "search").await?).await
}

/// A page of the category list (the standard dataset's 60 categories make three).
async fn categories(user: &mut GooseUser) -> TransactionResult {
    let page = rand::rng().random_range(1..=3);
    let path = format!("/api/v1/categories/?page={page}");
    finish(get(user, &path, "categories").await?).await
}

/// 70 % list, 20 % detail, 10 % search, chosen per request.
async fn browse_mix(user: &mut GooseUser) -> TransactionResult {
    let roll = rand::rng().random_range(0..10);
    match roll {
        0..=6 => list(user).await,
        7..=8 => detail(user).await,
        _ => search(user).await,
    }
}

/// A product-list URL drawn by Zipf rank from `longtail`'s; counts the cache's answer.
async fn longtail(user: &mut GooseUser) -> TransactionResult {
    let path = longtail::sampler().path(&mut rand::rng());
    let response = get(user, path, "longtail").await?;
    longtail::record(match &response.response {
        Ok(answer) => answer
            .headers()
            .get(longtail::CACHE_HEADER)
            .map(|value| value.as_bytes()),
        Err(_) => None,
    });
    finish(response).await
}

/// The buyer's access token, kept in the goose user's session.
#[derive(Debug, Clone)]
struct Token(String);

/// Access tokens by goose user index: a user logs in once, in the warm-up, and keeps its token
/// for the measured attack, so Argon2 verification of 64 logins doesn't land in the measurement.
static TOKENS: OnceLock<Mutex<HashMap<usize, String>>> = OnceLock::new();

fn tokens() -> std::sync::MutexGuard<'static, HashMap<usize, String>> {
    TOKENS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Logs in once per user as a seeded customer (users are spread over the seeded accounts).
async fn log_in(user: &mut GooseUser) -> TransactionResult {
    let index = user.weighted_users_index;
    let known = tokens().get(&index).cloned();
    if let Some(token) = known {
        user.set_session_data(Token(token));
        return Ok(());
    }
    let buyers = &workload().buyers;
    let email = &buyers[index % buyers.len()];
    let body = json!({"email": email, "password": DEMO_PASSWORD});
    let request = GooseRequest::builder()
        .method(GooseMethod::Post)
        .path("/api/v1/auth/jwt/create/")
        .name("login")
        .set_request_builder(
            user.get_request_builder(&GooseMethod::Post, "/api/v1/auth/jwt/create/")?
                .json(&body),
        )
        .build();
    let response = user.request(request).await?;
    let token = match response.response {
        Ok(response) if response.status().is_success() => response
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|body| body["access"].as_str().map(str::to_owned)),
        _ => None,
    };
    match token {
        Some(token) => {
            tokens().insert(index, token.clone());
            user.set_session_data(Token(token));
        }
        None => eprintln!("login as {email} failed: its checkouts will answer 401"),
    }
    Ok(())
}

/// Adds one restocked product to the cart, then orders the cart with a fresh Idempotency-Key
/// and an inline shipping address. A `409` (insufficient stock) is an answer, not an error.
async fn checkout(user: &mut GooseUser) -> TransactionResult {
    let token = user
        .get_session_data::<Token>()
        .map(|t| t.0.clone())
        .unwrap_or_default();
    let product_id = *random(&workload().restocked);

    let add = asking_for_gzip(user.get_request_builder(&GooseMethod::Post, "/api/v1/cart/add/")?)
        .bearer_auth(&token)
        .json(&json!({"product_id": product_id, "quantity": 1}));
    let request = GooseRequest::builder()
        .method(GooseMethod::Post)
        .path("/api/v1/cart/add/")
        .name("cart-add")
        .set_request_builder(add)
        .build();
    finish(user.request(request).await?).await?;

    let order = asking_for_gzip(user.get_request_builder(&GooseMethod::Post, "/api/v1/orders/")?)
        .bearer_auth(&token)
        .header("Idempotency-Key", uuid::Uuid::new_v4().to_string())
        .json(&json!({
            "shipping_address": {
                "first_name": "Bench",
                "last_name": "Buyer",
                "address_line_1": "1 Load Street",
                "city": "Throughput",
                "postal_code": "10101",
                "country": "NL",
            }
        }));
    let request = GooseRequest::builder()
        .method(GooseMethod::Post)
        .path("/api/v1/orders/")
        .name("order")
        .set_request_builder(order)
        .build();
    let mut response = user.request(request).await?;
    let conflict = matches!(&response.response, Ok(r) if r.status() == 409);
    if conflict {
        user.set_success(&mut response.request)?;
    }
    finish(response).await
}
