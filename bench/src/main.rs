//! `nexus-bench`: seeds the standard dataset into a fresh database, starts a release `nexus serve`
//! on it and runs goose load scenarios against it, then writes a JSON and a Markdown report
//! (docs/PERFORMANCE.md).

mod analytics;
mod batches;
mod dashboard;
mod dataset;
mod django_import;
mod longtail;
mod marketplace;
mod measured;
mod notify;
mod report;
mod scenarios;
mod server;
mod staff;
mod wal;

use std::{path::PathBuf, time::Duration};

use anyhow::{bail, Context};
use clap::{Parser, ValueEnum};

use crate::{
    dataset::DatasetSize,
    report::{Report, ScenarioResult},
    scenarios::Scenario,
};

/// Command line of the benchmark harness.
#[derive(Debug, Parser)]
#[command(about = "Load benchmarks for Nexus Commerce (docs/PERFORMANCE.md)")]
struct Args {
    /// Database engine the server runs on (a fresh database either way).
    #[arg(long, value_enum, default_value_t = Backend::Postgres)]
    backend: Backend,
    /// Catalog cache: Redis, in-process, or off. Default: redis on PostgreSQL, memory on SQLite.
    #[arg(long, value_enum)]
    cache: Option<CacheMode>,
    /// `all`, or scenarios separated by commas (liveness, list, detail, search, browse-mix,
    /// longtail, checkout, mixed, notify; and analytics, dashboard, django-import and
    /// marketplace, which `all` leaves out), run in the order given.
    #[arg(long, default_value = "all")]
    scenario: String,
    /// The servers' `LOG_LEVEL`. `warn` writes no access line per request (the published
    /// figures); `info` is the production default, with one access line per request, written to
    /// `server.log` (log 42's A/B).
    #[arg(long, default_value = "warn")]
    log_level: String,
    /// Measured time per scenario.
    #[arg(long, default_value = "20s", value_parser = humantime::parse_duration)]
    duration: Duration,
    /// Unmeasured warm-up per scenario (same scenario, same users), before the measured run.
    #[arg(long, default_value = "3s", value_parser = humantime::parse_duration)]
    warmup: Duration,
    /// Concurrent simulated users (each a goose user with its own keep-alive connection).
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// PostgreSQL server; the harness drops and re-creates `--database` on it.
    #[arg(
        long,
        env = "BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432"
    )]
    postgres_url: String,
    /// Name of the PostgreSQL database the harness (re)creates.
    #[arg(long, default_value = "nexus_bench")]
    database: String,
    /// Redis server for `--cache redis`.
    #[arg(
        long,
        env = "BENCH_REDIS_URL",
        default_value = "redis://127.0.0.1:6379"
    )]
    redis_url: String,
    /// A built `nexus` binary to use instead of running `cargo build --release --bin nexus`.
    #[arg(long)]
    nexus_bin: Option<PathBuf>,
    /// Where the JSON and Markdown results are written.
    #[arg(long, default_value = "bench/results")]
    out: PathBuf,
    /// The servers' working directory (SQLite file, server.log, mail, media). Default:
    /// `target/bench/<backend>` in the workspace. Two harnesses run side by side (an A/B that
    /// shares the machine's drift, docs/PERFORMANCE.md log 51) each need their own, and their own
    /// `--database`.
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Products to seed (the standard dataset has 10,000; smaller only to try the harness).
    #[arg(long, default_value_t = 10_000)]
    products: usize,
    /// Customers to seed.
    #[arg(long, default_value_t = 2_000)]
    users: usize,
    /// Reviews to seed.
    #[arg(long, default_value_t = 50_000)]
    reviews: usize,
    /// Past orders to seed.
    #[arg(long, default_value_t = 5_000)]
    orders: usize,
    /// After `checkout` and `mixed` on PostgreSQL, also split the WAL per order by table or
    /// index and record type.
    #[arg(long)]
    wal_by_relation: bool,
    /// `longtail`: distinct product-list URLs its requests are drawn from.
    #[arg(long, default_value_t = longtail::DEFAULT_COMBINATIONS)]
    longtail_combinations: usize,
    /// `longtail`: Zipf exponent s (rank k is asked for with probability ∝ 1/k^s).
    #[arg(long, default_value_t = longtail::DEFAULT_EXPONENT)]
    longtail_exponent: f64,
    /// `notify`: open notification streams, one customer each.
    #[arg(long, default_value_t = 1_000)]
    streams: usize,
    /// `notify`: status changes sent (one at a time) while the streams are open.
    #[arg(long, default_value_t = 300)]
    changes: usize,
    /// `analytics` and `dashboard`: analytics events seeded (instead of the seed's 3,000 over 30
    /// days).
    #[arg(long, default_value_t = 3_000_000)]
    analytics_events: usize,
    /// `analytics`: the days before now they spread over.
    #[arg(long, default_value_t = 365)]
    analytics_event_days: u32,
    /// `analytics`: concurrent staff users asking for `analytics/dashboard/`.
    #[arg(long, default_value_t = 8)]
    analytics_users: usize,
    /// `dashboard`: concurrent staff users, each signed in, going round the dashboard's pages.
    #[arg(long, default_value_t = 4)]
    dashboard_users: usize,
    /// `django-import`: users in the generated Django database.
    #[arg(long, default_value_t = 100_000)]
    django_users: usize,
    /// `django-import`: products in it.
    #[arg(long, default_value_t = 10_000)]
    django_products: usize,
    /// `django-import`: orders in it (five lines for every two orders).
    #[arg(long, default_value_t = 200_000)]
    django_orders: usize,
    /// `django-import`: the engine of the Django database (default: `--backend`'s).
    #[arg(long, value_enum)]
    django_source: Option<Backend>,
}

/// Database engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// How the server caches catalog reads (docs/cache.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CacheMode {
    Redis,
    Memory,
    Off,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    fn default_cache(self) -> CacheMode {
        match self {
            Backend::Sqlite => CacheMode::Memory,
            Backend::Postgres => CacheMode::Redis,
        }
    }
}

impl CacheMode {
    fn name(self) -> &'static str {
        match self {
            CacheMode::Redis => "redis",
            CacheMode::Memory => "memory",
            CacheMode::Off => "off",
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let scenarios = Scenario::parse_list(&args.scenario)?;
    let cache = args.cache.unwrap_or(args.backend.default_cache());
    let workspace = server::workspace_root();
    let work_dir = args
        .work_dir
        .clone()
        .unwrap_or_else(|| workspace.join("target/bench").join(args.backend.name()));
    std::fs::create_dir_all(&work_dir).context("creating target/bench")?;

    let nexus = match &args.nexus_bin {
        Some(path) => path.clone(),
        None => server::build_release(&workspace)?,
    };
    if scenarios.contains(&Scenario::DjangoImport) {
        if scenarios.len() > 1 {
            bail!("django-import runs on its own (it seeds no dataset and starts no server)");
        }
        return run_django_import(&args, &nexus, &work_dir).await;
    }
    // Both are read by staff, and both read the analytics figures (the dashboard's overview
    // over a year of them too).
    let staff_scenarios =
        scenarios.contains(&Scenario::Analytics) || scenarios.contains(&Scenario::Dashboard);
    // The seed's own default unless they need their year of events.
    let (events, event_days) = if staff_scenarios {
        (args.analytics_events, args.analytics_event_days)
    } else {
        (3_000, 30)
    };
    let size = DatasetSize {
        products: args.products,
        users: args.users,
        reviews: args.reviews,
        orders: args.orders,
        events,
        event_days,
    };
    let database_url = match args.backend {
        Backend::Sqlite => dataset::fresh_sqlite(&work_dir)?,
        Backend::Postgres => dataset::fresh_postgres(&args.postgres_url, &args.database).await?,
    };
    println!("seeding {size} into {}", args.backend.name());
    let seeding = std::time::Instant::now();
    dataset::seed(&nexus, &database_url, &size)?;
    println!("seeded in {:.1}s", seeding.elapsed().as_secs_f64());
    if staff_scenarios {
        staff::create_admin(&nexus, &database_url)?;
        analytics::prepare(&nexus, &database_url)?;
    }
    let restocked = dataset::restock(&database_url).await?;

    let config = server::ServerConfig {
        database_url: database_url.clone(),
        cache,
        redis_url: args.redis_url.clone(),
        work_dir: work_dir.clone(),
        secret_key: uuid::Uuid::new_v4().simple().to_string().repeat(2),
        log_level: args.log_level.clone(),
    };
    let (results, books_failures) = run_all(&args, &scenarios, &nexus, &config, restocked).await?;

    let report = Report::new(
        args.backend.name(),
        cache.name(),
        args.connections,
        args.duration,
        &size,
        results,
    );
    let suffix = if cache == args.backend.default_cache() {
        String::new()
    } else {
        format!("-cache-{}", cache.name())
    };
    let stem = format!(
        "{}-{}{suffix}",
        chrono::Utc::now().format("%Y-%m-%d"),
        args.backend.name()
    );
    let markdown = report.markdown();
    println!("\n{markdown}");
    report.write(&args.out, &stem)?;
    println!("wrote {}/{stem}.json and .md", args.out.display());
    if !books_failures.is_empty() {
        for failure in &books_failures {
            eprintln!("BOOKS DO NOT BALANCE: {failure}");
        }
        bail!("{} books check(s) failed", books_failures.len());
    }
    Ok(())
}

/// The `django-import` scenario: one timed `nexus import-django`, reported as one line.
async fn run_django_import(
    args: &Args,
    nexus: &std::path::Path,
    work_dir: &std::path::Path,
) -> anyhow::Result<()> {
    let size = django_import::DjangoSize {
        users: args.django_users,
        products: args.django_products,
        orders: args.django_orders,
    };
    let source = args.django_source.unwrap_or(args.backend);
    let measured = django_import::run(
        nexus,
        work_dir,
        &args.postgres_url,
        source,
        args.backend,
        size,
    )
    .await?;
    println!(
        "| django-import | {} → {} | {} users, {} products, {} orders | {} Django rows | {:.1} s | {:.0} rows/s |",
        source.name(),
        args.backend.name(),
        size.users,
        size.products,
        size.orders,
        measured.rows_read,
        measured.seconds,
        measured.rows_read as f64 / measured.seconds
    );
    Ok(())
}

/// Runs each scenario in turn, each against a freshly started server (so its peak memory and
/// cache are its own); checks the books after the ones that buy.
async fn run_all(
    args: &Args,
    scenarios: &[Scenario],
    nexus: &std::path::Path,
    config: &server::ServerConfig,
    restocked: Vec<i64>,
) -> anyhow::Result<(Vec<ScenarioResult>, Vec<String>)> {
    let mut results = Vec::new();
    let mut failures = Vec::new();
    for (i, &scenario) in scenarios.iter().enumerate() {
        let server = server::Server::start(nexus, config).await?;
        let users = match scenario {
            Scenario::Analytics => args.analytics_users,
            Scenario::Dashboard => args.dashboard_users,
            _ => args.connections,
        };
        println!(
            "\n== {} ({} users, {:?}; nexus serve pid {} on {}, cache {})",
            scenario.name(),
            users,
            args.duration,
            server.pid(),
            server.base_url(),
            config.cache.name(),
        );
        if i == 0 {
            let workload = dataset::Workload::load(
                &config.database_url,
                server.base_url(),
                args.connections,
                restocked.clone(),
            )
            .await
            .context("reading the workload (ids, slugs, words, users) from the database")?;
            scenarios::set_workload(workload)?;
        }
        if scenario == Scenario::Longtail {
            // On its own server, not the first one: counting thousands of filter sets there
            // would fill the first scenario's cache and memory (`liveness`'s peak RSS).
            longtail::prepare(
                &scenarios::workload().catalogue,
                server.base_url(),
                args.longtail_combinations,
                args.longtail_exponent,
            )
            .await?;
        }
        // What the buying scenarios write, per order, on PostgreSQL.
        let wal_start = if scenario.buys() && args.backend == Backend::Postgres {
            Some(wal::mark(&config.database_url).await?)
        } else {
            None
        };
        let outcome = match scenario {
            Scenario::Notify => {
                notify::run(&server, &config.database_url, args.streams, args.changes)
                    .await
                    .map(|result| vec![result])
            }
            Scenario::Analytics => {
                analytics::run(&server, args.analytics_users, args.warmup, args.duration).await
            }
            Scenario::Dashboard => {
                dashboard::run(&server, args.dashboard_users, args.warmup, args.duration).await
            }
            Scenario::Marketplace => marketplace::run(
                &server,
                &config.database_url,
                args.connections,
                args.warmup,
                args.duration,
            )
            .await
            .map(|result| vec![result]),
            _ => scenarios::run(
                scenario,
                &server,
                args.connections,
                args.warmup,
                args.duration,
            )
            .await
            .map(|result| vec![result]),
        };
        if scenario.buys() {
            batches::report(server.base_url()).await;
        }
        server.stop().await;
        let mut outcome = outcome?;
        // The buying scenarios have one result, which the books and the WAL go with.
        if let (true, Some(result)) = (scenario.buys(), outcome.first_mut()) {
            let books = dataset::check_books(&config.database_url).await?;
            println!("books: {books}");
            failures.extend(books.failures());
            result.books = Some(books);
            if let Some(start) = &wal_start {
                match wal::since(&config.database_url, start, args.wal_by_relation).await {
                    Ok(wal) => {
                        if let Some(wal) = &wal {
                            println!("wal: {wal}");
                        }
                        result.wal = wal;
                    }
                    // pg_walinspect is PostgreSQL 15+; without it the run still counts.
                    Err(error) => eprintln!("wal: not measured ({error:#})"),
                }
            }
        }
        for result in outcome {
            println!("{}", result.one_line());
            results.push(result);
        }
    }
    Ok((results, failures))
}
